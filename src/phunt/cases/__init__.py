"""Cases: operations, raids, districts, cases, suspects, devices and custody.

These modules are the cases domain's services and its store: they take a SQLAlchemy
``Session`` and return plain objects, so the CLI and the web app call the same functions.
The models are in :mod:`phunt.schema.cases`.
"""
