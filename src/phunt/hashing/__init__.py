"""Content hashes of evidence files: cryptographic digests and perceptual hashes (PDQ)."""
