"""Matching: exact digests (``exact``) and PDQ near matches (``pdq_index``), distance kept."""
