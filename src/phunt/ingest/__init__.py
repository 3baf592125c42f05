"""Ingest: turn every entry of a source into hashes, types and matches."""
