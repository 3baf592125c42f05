"""Signatures more than one module of ``phunt.sources`` needs, kept in one leaf module."""

from __future__ import annotations

#: First bytes of every EWF (E01) segment.
EWF_SIGNATURE = b"EVF\x09\x0d\x0a\xff\x00"
