"""``phunt user``: accounts of the web workspace, their cases and API tokens.

Passwords are never arguments (they would sit in the shell's history and the process
list): they are prompted for twice, or read from standard input with ``--password-stdin``.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from phunt.cli.common import DbOpt, HomeOpt, JsonOpt, print_json, print_rows, session_for
from phunt.errors import UsageError
from phunt.safe_text import printable

app = typer.Typer(
    help="Web workspace users: roles, case assignments, API tokens.", no_args_is_help=True
)

NameArg = Annotated[str, typer.Argument(help="User name (what they sign in with).")]
CaseOpt = Annotated[int, typer.Option("--case", help="Case id.")]


def _password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or typed twice unseen."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask for the password on: use --password-stdin")
    import getpass

    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise UsageError("the two passwords differ")
    return first


@app.command("add")
def add(
    name: NameArg,
    role: Annotated[
        str, typer.Option("--role", help="admin, supervisor, investigator, analyst or auditor.")
    ],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    home: HomeOpt = None,
    db: DbOpt = None,
) -> None:
    """Add a user with a role; investigators and analysts then need cases assigned."""
    from phunt.accounts.passwords import check_new
    from phunt.accounts.store import add_user

    password = _password(password_stdin)
    check_new(password)  # before the database is opened: a typo costs no migration
    with session_for(home, db) as (session, _cfg):
        user_id = add_user(session, name, role, password)
    print(f"user {user_id} added: {printable(name)} ({printable(role)})")


@app.command("assign")
def assign(name: NameArg, case: CaseOpt, home: HomeOpt = None, db: DbOpt = None) -> None:
    """Let a user see a case and everything in it."""
    from phunt.accounts.store import assign as assign_case

    with session_for(home, db) as (session, _cfg):
        assign_case(session, name, case)
    print(f"{printable(name)} assigned to case {case}")


@app.command("unassign")
def unassign(name: NameArg, case: CaseOpt, home: HomeOpt = None, db: DbOpt = None) -> None:
    """Take a case away from a user."""
    from phunt.accounts.store import unassign as unassign_case

    with session_for(home, db) as (session, _cfg):
        unassign_case(session, name, case)
    print(f"{printable(name)} no longer assigned to case {case}")


@app.command("disable")
def disable(name: NameArg, home: HomeOpt = None, db: DbOpt = None) -> None:
    """Stop a user signing in; their sessions end and their API tokens stop working."""
    from phunt.accounts.store import disable as disable_user

    with session_for(home, db) as (session, _cfg):
        disable_user(session, name)
    print(f"user {printable(name)} disabled")


@app.command("token")
def token(name: NameArg, home: HomeOpt = None, db: DbOpt = None) -> None:
    """Print a new personal API token, and nothing else; it cannot be shown again."""
    from phunt.accounts.store import new_token

    with session_for(home, db) as (session, _cfg):
        value = new_token(session, name)
    sys.stdout.write(value + "\n")


@app.command("list")
def list_all(home: HomeOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List users with their role, state, cases and number of API tokens."""
    from phunt.accounts.store import list_users

    with session_for(home, db, read_only=True) as (session, cfg):
        rows = list_users(session)
    for row in rows:
        created = row["created_at"].astimezone(cfg.timezone)
        row["created_at"] = created.isoformat() if as_json else f"{created:%Y-%m-%d %H:%M}"
    columns = [("id", "id"), ("name", "name"), ("role", "role"), ("disabled", "disabled")]
    columns += [("cases", "cases"), ("tokens", "tokens"), ("created", "created_at")]
    print_rows("Users", rows, columns, as_json)


def _field(help_text: str) -> Any:
    return typer.Option(help=help_text)


@app.command("profile")
def profile(
    name: NameArg,
    full_name: Annotated[str | None, _field("Name as signed on certificates.")] = None,
    relative: Annotated[str | None, _field('The name after "son/daughter/spouse of".')] = None,
    designation: Annotated[str | None, _field("Designation, e.g. Scientific Officer.")] = None,
    organisation: Annotated[str | None, _field("Organisation, e.g. the lab or unit.")] = None,
    address: Annotated[str | None, _field("Where the expert resides or is employed.")] = None,
    phone: Annotated[str | None, _field("Office phone.")] = None,
    email: Annotated[str | None, _field("Office e-mail.")] = None,
    place: Annotated[str | None, _field("Place where certificates are signed.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show, or set, the particulars a section 63 certificate prints for this expert.

    Only the options given change ('' clears a field); a field never set stays blank on
    the certificate, for the expert to complete by hand.
    """
    from phunt.accounts.profile import get_profile, set_profile

    given = {
        "full_name": full_name, "relative": relative, "designation": designation,
        "organisation": organisation, "address": address, "phone": phone, "email": email,
        "place": place,
    }  # fmt: skip
    changes = {key: value for key, value in given.items() if value is not None}
    with session_for(home, db) as (session, _cfg):
        found = set_profile(session, name, changes) if changes else get_profile(session, name)
    row = found.as_dict()
    if as_json:
        print_json(row)
        return
    for key, value in row.items():
        print(f"{key}: {printable(value)}")
