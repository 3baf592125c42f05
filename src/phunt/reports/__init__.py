"""Court-ready reports: facts read from the database, rendered to HTML or PDF that the same
inputs reproduce byte for byte, each written with a manifest of its inputs' hashes.

``render.py`` renders and writes, ``manifest.py`` holds the manifest, ``facts*.py`` are the
read models (the only SQL here), one module per kind (``device.py``, ``case.py``, ...)
builds a report from them, and ``verify.py`` rebuilds one to check it against its manifest.
"""
