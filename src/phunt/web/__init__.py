"""The web workspace: server-rendered pages and a JSON API over the same services as the CLI.

:func:`phunt.web.app.create_app` builds the app; every module of :mod:`phunt.web.pages`
and :mod:`phunt.web.api` with a module-level ``router`` is included, so an area is added by
adding a module. Pages and API routes get the viewer from :mod:`phunt.web.deps`, which
also holds the one rule on visibility (:func:`~phunt.web.deps.check_case`); the web layer
builds no query of its own.
"""
