"""Accounts tests hash with argon2's cheapest parameters: the default costs ~150 ms a
hash, and the throttling tests make dozens of attempts. test_passwords checks the
default parameters themselves."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from phunt.accounts import passwords


@pytest.fixture
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "HASHER", cheap)
    return cheap
