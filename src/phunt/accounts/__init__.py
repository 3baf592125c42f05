"""Accounts of the web workspace: who may sign in, with which role, to which cases.

:mod:`~phunt.accounts.access` holds the one table of who may do what (pure, no SQL);
:mod:`~phunt.accounts.passwords` hashes passwords with argon2; :mod:`~phunt.accounts.store`
keeps users, assignments, tokens and sessions, and audits every change and login.
"""
