"""The one exception tree of phunt.

Every error phunt raises on purpose derives from :class:`PhuntError`; errors from
third-party libraries are translated into this tree where phunt calls them, so callers
(the CLI, the web app) catch one family::

    PhuntError
    ├── UsageError            the user asked for something impossible (CLI exit 2)
    │   ├── NotFoundError     a named operation, case, device, hash set ... does not exist
    │   ├── NotPermitted      the user's role may not make this change (the web answers 403)
    │   └── AlreadyImported   these bytes were imported for this device before (``import_id``)
    ├── InputError            evidence or a list could not be read (``path``, ``location``: where)
    │   ├── WrongFormat       "not my format": a reader declines, the registry tries the next one
    │   └── CorruptInput      "my format, but damaged": recorded as a warning, processing goes on
    ├── LoginRefused          wrong name or password, or a disabled account (one message)
    │   └── LoginThrottled    too many failed logins for the account or address (``retry_after``)
    ├── StorageError          the database refused or could not be reached
    └── IntegrityError        evidence of tampering (a broken audit chain, a failed image hash)

``WrongFormat`` and ``CorruptInput`` are kept apart as in plaso/dfvfs: the first is a
normal outcome of format detection, the second is a finding that belongs in the record.
"""

from __future__ import annotations


class PhuntError(Exception):
    """Base of every error phunt raises on purpose."""


class UsageError(PhuntError):
    """The request cannot be carried out as asked (bad argument, conflicting options)."""


class NotFoundError(UsageError):
    """A named object does not exist."""


class NotPermitted(UsageError):
    """The user's role may not make this change (the web answers 403)."""


class ConflictError(UsageError):
    """Someone else changed what the user was looking at since they read it: their change
    would overwrite one they never saw (the web answers 409). Reload and try again."""


class AlreadyImported(UsageError):
    """The same source bytes were imported for the device before, as ``import_id``.

    A resumed ingest meets the chat sources it imported before it stopped: that is a
    fact to record, not an error.
    """

    def __init__(self, message: str, *, import_id: int) -> None:
        self.import_id = import_id
        super().__init__(message)


class InputError(PhuntError):
    """A file could not be read as what it was taken for.

    ``path`` names the file (a container path where it sits inside one) and
    ``location`` the line, record, row or offset, so the message can be acted on.
    """

    def __init__(self, message: str, *, path: str | None = None, location: str | None = None):
        self.message = message
        self.path = path
        self.location = location
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
        if self.location is not None:
            where = f"{where}:{self.location}" if where else self.location
        return f"{where}: {self.message}" if where else self.message


class WrongFormat(InputError):
    """Not this reader's format; format detection moves on to the next reader."""


class CorruptInput(InputError):
    """This reader's format, but damaged; the damage is recorded and processing continues."""


class LoginRefused(PhuntError):
    """A login was refused. The message is the same whether the name is unknown, the
    password wrong or the account disabled, so a guesser learns nothing of which."""


class LoginThrottled(LoginRefused):
    """Too many failed logins for this account or from this address; ``retry_after`` is
    how many seconds until the next try is counted."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class StorageError(PhuntError):
    """The database could not be reached or refused an operation."""


class IntegrityError(PhuntError):
    """Evidence of tampering or corruption in something phunt vouches for."""
