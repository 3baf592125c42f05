from __future__ import annotations

from phunt.errors import (
    CorruptInput,
    InputError,
    IntegrityError,
    LoginRefused,
    LoginThrottled,
    NotFoundError,
    NotPermitted,
    PhuntError,
    StorageError,
    UsageError,
    WrongFormat,
)


def test_tree_matches_the_docstring() -> None:
    assert issubclass(NotFoundError, UsageError)
    assert issubclass(WrongFormat, InputError) and issubclass(CorruptInput, InputError)
    for cls in (UsageError, InputError, StorageError, IntegrityError):
        assert issubclass(cls, PhuntError)
    assert not issubclass(CorruptInput, WrongFormat)
    assert issubclass(LoginThrottled, LoginRefused) and issubclass(LoginRefused, PhuntError)
    assert issubclass(NotPermitted, UsageError)


def test_input_error_names_file_and_location() -> None:
    err = CorruptInput("bad hex digit", path="lists/a.txt", location="line 12")
    assert str(err) == "lists/a.txt:line 12: bad hex digit"
    assert err.path == "lists/a.txt" and err.location == "line 12"
    assert str(InputError("plain")) == "plain"
    assert str(WrongFormat("not VICS", path="x.json")) == "x.json: not VICS"
