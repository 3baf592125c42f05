"""Content types: what a file is, judged by its bytes rather than its name."""
