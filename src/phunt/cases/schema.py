"""The complete schema: every model module, gathered for Alembic and the schema test."""

from __future__ import annotations

from phunt.cases import chat_models as chat_models
from phunt.cases import hashset_models as hashset_models
from phunt.cases import ingest_models as ingest_models
from phunt.cases.models import Base

metadata = Base.metadata
