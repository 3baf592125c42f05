"""The case database's schema: declarative base, column types, every model, the Alembic
migrations and :class:`~phunt.schema.db.Database`.

Models live one file per domain (cases, hashsets, ingest, chats, audit); each domain's
queries live in its own store module (``hashsets/store.py``, ``chats/store.py``, ...).
Nothing here is imported by this ``__init__``, so a command that needs only a column type
does not load every model.
"""
