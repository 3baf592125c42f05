"""Exports that leave the lab as data: VICS 2.0, a CSV of matches, CASE/UCO JSON-LD.

Services (``vics``, ``matches_csv``, ``case_uco``) build their output from the read models
in ``store`` and ``store_device`` (the only modules here that query), and write it through
``manifest.write_export``: never over an existing file without ``force``, through a
temporary file renamed into place, with a ``<out>.manifest.json`` holding its SHA-256 and
an audit record of the write.
"""
