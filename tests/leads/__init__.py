"""Tests of phunt.leads (a package: its module names repeat those of other test folders)."""
