"""Cases: operations, raids, districts, cases, suspects, devices and custody.

This is the only package that touches SQL. Services take a SQLAlchemy ``Session`` and
return plain objects, so the CLI and the web app call the same functions.
"""
