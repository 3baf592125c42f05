"""``phunt chats``, ``phunt people`` and ``phunt graph``: chats as evidence, people, network."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Annotated, Any

import typer

from phunt.cli.common import (
    DbOpt,
    HomeOpt,
    JsonOpt,
    print_json,
    print_json_lines,
    print_table,
    session_for,
)
from phunt.safe_text import printable

chats_app = typer.Typer(
    help="Chat exports: parse, import from a device, list groups, members, messages.",
    no_args_is_help=True,
)
graph_app = typer.Typer(help="The people-groups-media network.", no_args_is_help=True)

FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="Parser: telegram-json, telegram-cache4, whatsapp-msgstore, whatsapp-ios, "
        "whatsapp-txt (default: detect).",
    ),
]
TzOpt = Annotated[
    str | None, typer.Option("--tz", help="Zone of local times without offset (Asia/Kolkata).")
]


def _plain(obj: Any, tz: tzinfo) -> Any:
    """JSON-ready copy: datetimes as ISO 8601 in the unit's zone, offset included."""
    if isinstance(obj, datetime):
        return obj.astimezone(tz).isoformat()
    if isinstance(obj, dict):
        return {k: _plain(v, tz) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v, tz) for v in obj]
    return obj


def _safe(text: str | None) -> str | None:
    """Chat content shown in a Rich table: brackets are text, never markup."""
    from rich.markup import escape

    return None if text is None else escape(text)


def _roles(roles: list[dict[str, Any]]) -> str:
    return ", ".join(
        f"{x['role']} ({'inferred from ' if x['inferred'] else ''}{x['evidence']})" for x in roles
    )


def _flags(row: dict[str, Any]) -> str:
    flags = ["known-bad"] if row["known_bad"] else []
    return " ".join(flags + [f"keyword:{k}" for k in row["keywords"]])


@chats_app.command("parse")
def parse_command(
    export: Annotated[
        str, typer.Argument(help="Export file or folder (result.json, .txt, .zip, msgstore.db).")
    ],
    fmt: FormatOpt = None,
    tz: TzOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Parse an export and print what it holds (no database is used)."""
    from phunt.chats import parse_export, summarise
    from phunt.chats.base import DEFAULT_TZ

    doc = summarise(parse_export(export, format=fmt, tz=tz or DEFAULT_TZ, keep_messages=False))
    if as_json:
        print_json(doc)
        return
    print(f"{printable(doc['source'])} ({doc['format']}), sha256 {doc['source_sha256']}")
    print_table(
        "Chats",
        ["id", "title", "kind", "participants", "messages", "attachments"],
        (
            [
                c["id"],
                _safe(c["title"]),
                c["kind"],
                len(c["participants"]),
                c["message_count"],
                len(c["attachments"]),
            ]
            for c in doc["chats"]
        ),
    )
    for warning in doc["warnings"]:
        print(f"warning: {printable(str(warning))}")


@chats_app.command("import")
def import_command(
    export: Annotated[str, typer.Argument(help="Export file or folder.")],
    device: Annotated[str, typer.Option("--device", help="Device id or evidence number.")],
    owner_phone: Annotated[
        str | None,
        typer.Option(help="The device owner's number (default: the suspect's only number)."),
    ] = None,
    watchlist: Annotated[
        str | None, typer.Option(help="Keyword watchlist file (one term a line, re: patterns).")
    ] = None,
    fmt: FormatOpt = None,
    tz: TzOpt = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store an export as evidence of a device, matching its media against the hash sets."""
    from pathlib import Path

    from phunt.chats.keywords import Watchlist
    from phunt.chats.store import import_export

    words = Watchlist.from_file(Path(watchlist)) if watchlist else None
    with session_for(home, db) as (session, _cfg):
        result = import_export(
            session, export, device, watchlist=words, owner_phone=owner_phone, fmt=fmt, tz=tz
        )
    if as_json:
        print_json(result.as_dict())
        return
    print(
        f"import {result.import_id} on {printable(result.device)}: {result.chats} chats, "
        f"{result.participants} participants, {result.messages} messages, "
        f"{result.attachments} attachments ({result.matched_attachments} on a hash set), "
        f"{result.keyword_hits} keyword hits, {len(result.warnings)} warnings"
    )


@chats_app.command("groups")
def groups_command(
    device: Annotated[str | None, typer.Option(help="Only this device.")] = None,
    merged: Annotated[
        bool, typer.Option("--merged", help="One row per group across devices, with evidence.")
    ] = False,
    include_private: Annotated[
        bool, typer.Option("--all", help="Private chats too (per-device view).")
    ] = False,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Groups as each device holds them, or merged across devices and cases."""
    from phunt.analysis.people import build_network
    from phunt.chats.store import list_chats

    with session_for(home, db, read_only=True) as (session, cfg):
        if merged:
            rows = build_network(session).groups_json()
        else:
            rows = list_chats(session, device_ref=device, groups_only=not include_private)
    if as_json:
        print_json_lines(_plain(rows, cfg.timezone))
    elif merged:
        cols = ["group", "titles", "devices", "members", "admins", "known bad"]
        print_table(
            "Groups across devices",
            cols,
            (
                [
                    r["group"],
                    _safe("; ".join(r["titles"])),
                    "; ".join(r["devices"]),
                    len(r["members"]),
                    sum(1 for x in r["members"].values() if {"admin", "creator"} & set(x)),
                    r["known_bad"],
                ]
                for r in rows
            ),
        )
    else:
        cols = ["id", "device", "platform", "platform id", "title", "kind", "members", "messages"]
        print_table(
            "Chats",
            [*cols, "known bad"],
            (
                [r[k] for k in ("id", "device", "platform", "platform_id", "title", "kind")]
                + [r["members"], r["messages"], r["known_bad"]]
                for r in rows
            ),
        )


@chats_app.command("members")
def members_command(
    chat: Annotated[int, typer.Argument(help="Chat id (from 'phunt chats groups').")],
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A chat's participants with their roles and the record proving each."""
    from phunt.chats.store import list_members

    with session_for(home, db, read_only=True) as (session, cfg):
        rows = list_members(session, chat)
    if as_json:
        print_json_lines(_plain(rows, cfg.timezone))
        return
    print_table(
        f"Members of chat {chat}",
        ["id", "name", "phone", "username", "roles", "messages", "known bad sent"],
        (
            [
                r["id"],
                _safe(r["name"]),
                r["phone"],
                r["username"],
                _safe(_roles(r["roles"])),
                r["messages"],
                r["known_bad_sent"],
            ]
            for r in rows
        ),
    )


@chats_app.command("messages")
def messages_command(
    chat: Annotated[int, typer.Argument(help="Chat id.")],
    flagged: Annotated[
        bool, typer.Option("--flagged", help="Only known-bad media or keyword hits.")
    ] = False,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A chat's messages in time order, with attachments, matches and keyword hits."""
    from phunt.chats.store import list_messages

    with session_for(home, db, read_only=True) as (session, cfg):
        rows = list_messages(session, chat, flagged_only=flagged, limit=limit)
    if as_json:
        print_json_lines(_plain(rows, cfg.timezone))
        return
    print_table(
        f"Messages of chat {chat}",
        ["time", "sender", "text", "files", "flags"],
        (
            [
                r["time"].astimezone(cfg.timezone).isoformat(),
                r["sender"],
                _safe(r["text"] or r["action"]),
                "; ".join(str(a["file"]) for a in r["attachments"]),
                _flags(r),
            ]
            for r in rows
        ),
    )


def people_command(
    limit: Annotated[int | None, typer.Option(help="Only the top N.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """People merged across devices and cases, ranked (known-bad sent, admin roles, groups)."""
    from phunt.analysis.people import rank_people

    with session_for(home, db, read_only=True) as (session, _cfg):
        rows = rank_people(session)[:limit]
    if as_json:
        print_json_lines(rows)
        return
    print_table(
        "People",
        ["person", "names", "devices", "groups", "admin of", "known bad sent", "score"],
        (
            [
                r["person"],
                _safe("; ".join(r["names"])),
                "; ".join(r["devices"]),
                len(r["groups"]),
                len(r["admin_of"]),
                r["known_bad_sent"],
                r["score"],
            ]
            for r in rows
        ),
    )


@graph_app.command("export")
def graph_export_command(
    output: Annotated[str, typer.Argument(help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="graphml or gexf.")] = "graphml",
    all_media: Annotated[
        bool, typer.Option("--all-media", help="Every hashed file, not only known-bad ones.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write people, groups and media with member, admin, sent and shared_in edges."""
    from phunt.analysis.graph import export_graph

    with session_for(home, db) as (session, _cfg):
        summary = export_graph(session, output, fmt, all_media=all_media, force=force)
    if as_json:
        print_json(summary)
        return
    print(
        f"{printable(summary['file'])} ({fmt}): {summary['people']} people, "
        f"{summary['groups']} groups, "
        f"{summary['media']} media, {summary['edges']} edges; sha256 {summary['sha256']}"
    )


def register(app: typer.Typer) -> None:
    """Add ``chats``, ``people`` and ``graph`` to the main command."""
    app.add_typer(chats_app, name="chats")
    app.command("people")(people_command)
    app.add_typer(graph_app, name="graph")
