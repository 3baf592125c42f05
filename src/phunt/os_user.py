"""Who is running phunt, as the operating system knows them.

The command line's audit actor is this user. It is read from the system's account
database for the effective user id, not from ``USER``/``LOGNAME`` (which
:func:`getpass.getuser` trusts first, and which anyone can set to any name); the audit
log once took ``PHUNT_ACTOR`` from the environment, so any name could be written there.
"""

from __future__ import annotations

import os


def os_user() -> str:
    """The effective user's login name; ``uid:N`` for a user id with no account entry (a
    container), the Windows account name where there is no ``pwd``."""
    try:
        import pwd
    except ImportError:  # Windows: the logon name is what the system offers
        import getpass

        return getpass.getuser()
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid:{uid}"
