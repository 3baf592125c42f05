"""The web workspace's tests (a package, so test modules can import the world from .conftest)."""
