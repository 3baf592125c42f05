"""The ``phunt`` command line: thin commands over the stage services."""
