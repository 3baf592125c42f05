"""Backups of a whole phunt database: signed, checked before any row is restored."""
