"""The JSON API, one module per resource, each with a module-level ``router``.

Routes declare their full path under ``/api/v1`` (``APIRouter(prefix="/api/v1/cases")``):
:func:`phunt.web.app.create_app` refuses a route elsewhere. Callers authenticate with
``Authorization: Bearer TOKEN`` only (:func:`phunt.web.deps.api_viewer`), never a cookie,
so the API needs no CSRF token; errors are ``{"detail": ...}`` JSON.
"""
