"""The complete schema: every model module, gathered for Alembic and the schema test."""

from __future__ import annotations

from phunt.schema import accounts as accounts
from phunt.schema import audit as audit
from phunt.schema import cases as cases
from phunt.schema import chats as chats
from phunt.schema import hashset_blobs as hashset_blobs
from phunt.schema import hashsets as hashsets
from phunt.schema import ingest as ingest
from phunt.schema import leads as leads
from phunt.schema import profiles as profiles
from phunt.schema import review as review
from phunt.schema import review_groups as review_groups
from phunt.schema import review_media as review_media
from phunt.schema.base import Base

metadata = Base.metadata
