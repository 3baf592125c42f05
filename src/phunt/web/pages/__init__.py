"""Server-rendered pages, one module per area, each with a module-level ``router``.

Every page route is under the CSRF check of :mod:`phunt.web.csrf` (forms carry
``<input type="hidden" name="csrf_token">``) and out of the OpenAPI document. Paths are
the pages' stable URLs (``/cases/{case_id}``); ``/api`` and ``/static`` are not theirs.
"""
