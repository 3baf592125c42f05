"""Password hashing with argon2id (argon2-cffi), and the rules a new password must meet.

Hashes carry their own parameters, so raising :data:`HASHER`'s cost later upgrades each
stored hash at its owner's next login (:func:`needs_rehash`).
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from phunt.errors import UsageError

#: The hasher every new hash is made with: argon2-cffi's defaults (RFC 9106's low-memory
#: profile: argon2id, 3 passes over 64 MiB, 4 lanes).
HASHER = PasswordHasher()

MIN_LENGTH = 12
#: Longer input only costs the server hashing time: refused rather than truncated.
MAX_LENGTH = 1024


def check_new(password: str) -> None:
    """Refuse a password too short to resist guessing, or absurdly long."""
    if len(password) < MIN_LENGTH:
        raise UsageError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise UsageError(f"a password may have at most {MAX_LENGTH} characters")
    if password.strip() == "":
        raise UsageError("a password cannot be only spaces")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(stored: str, password: str) -> bool:
    """Whether ``password`` matches ``stored``; a malformed stored hash never matches."""
    try:
        return HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with other parameters than :data:`HASHER`'s."""
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def spend_verify_time(password: str) -> None:
    """Verify against a throw-away hash, so a login for an unknown name takes as long as
    one with a wrong password and response times do not reveal which names exist."""
    verify(_dummy_hash(HASHER.time_cost, HASHER.memory_cost, HASHER.parallelism), password)


@functools.cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return HASHER.hash("no account has this password")
