"""``phunt demo``'s options: a bad size is one clear line, and the help names them all."""

from __future__ import annotations

from test_lib import run_phunt


def test_an_unknown_size_is_refused_in_one_line() -> None:
    result = run_phunt("demo", "--size", "huge")
    assert result.returncode == 2
    assert "--size must be one of small, full, not 'huge'" in result.stderr


def test_help_lists_the_options() -> None:
    result = run_phunt("demo", "--help")
    assert result.returncode == 0
    for option in ("--out", "--size", "--serve", "--seed"):
        assert option in result.stdout
