"""Tests of review: decisions, propagation, the local set, re-screening, export."""
