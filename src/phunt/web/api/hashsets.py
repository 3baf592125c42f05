"""``/api/v1/hashsets``: hash sets, their versions and entries, diffs and disables.

Every role reads them (a list belongs to no case) and nothing here changes one: imports
and disables are made with ``phunt hashset``. An unknown set or version answers 404.
Names, descriptions and entry names are a list file's text, returned as given.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from phunt.accounts.access import Action, Viewer
from phunt.hashsets import browse
from phunt.hashsets.browse_diff import DiffRow, default_range, diff_view
from phunt.web.api.cases import Listing
from phunt.web.api.reading import DescParam, PageParam, PerPageParam, plain
from phunt.web.deps import DbSession, api_viewer

SetReader = Annotated[Viewer, api_viewer(Action.VIEW_HASHSETS)]

#: Set names may hold a slash (``{name:path}``); ``/{name}`` alone is declared last so the
#: routes under a set are matched first.
router = APIRouter(prefix="/api/v1/hashsets", tags=["hashsets"])
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"description": "The version's set file is missing or damaged on the server."}
}


def unavailable(exc: browse.SetFileUnavailable) -> JSONResponse:
    """503 with what is wrong and how it is restored (not 404: the version exists)."""
    return JSONResponse({"detail": str(exc)}, status_code=503)


class HashSetDetail(BaseModel):
    hash_set: browse.SetView
    versions: list[browse.VersionView]


class VersionDetail(BaseModel):
    version: browse.VersionView
    by_kind: dict[str, int]
    entries: list[browse.EntryView]
    total: int
    page: int
    per_page: int


class DiffOut(BaseModel):
    """Counts as ``phunt hashset diff --json`` gives them, with the entries whose category
    changed paired (``recategorised``), and one page of the changed entries."""

    name: str
    from_version: int
    to_version: int
    added: int
    removed: int
    recategorised: int
    rows: list[DiffRow]
    total: int
    page: int
    per_page: int


@router.get("", response_model=Listing[browse.SetView])
def list_hashsets(
    request: Request,
    session: DbSession,
    viewer: SetReader,
    sort: browse.SetSort = "name",
    desc: DescParam = False,
    page: PageParam = 1,
    per_page: PerPageParam = 50,
) -> dict[str, Any]:
    """Every hash set at its current version."""
    sets = browse.list_sets(session, sort, desc)
    start = (page - 1) * per_page
    items = plain(sets[start : start + per_page], request)
    return {"items": items, "total": len(sets), "page": page, "per_page": per_page}


@router.get("/{name:path}/versions", response_model=list[browse.VersionView])
def list_versions(request: Request, session: DbSession, viewer: SetReader, name: str) -> Any:
    """Every version of a set, oldest first: the list file each came from and its changes."""
    return plain(browse.version_views(session, name), request)


@router.get("/{name:path}/versions/{version}", response_model=VersionDetail, responses=UNAVAILABLE)
def get_version(
    request: Request,
    session: DbSession,
    viewer: SetReader,
    name: str,
    version: int,
    desc: DescParam = False,
    page: PageParam = 1,
    per_page: PerPageParam = 50,
) -> Any:
    """A version, its counts by hash kind and one page of its entries."""
    start = (page - 1) * per_page
    try:
        detail, by_kind = browse.version_detail(session, name, version)
        total, entries = browse.version_entries(session, name, version, start, per_page, desc=desc)
    except browse.SetFileUnavailable as exc:
        return unavailable(exc)
    return {
        "version": plain(detail, request),
        "by_kind": by_kind,
        "entries": plain(entries, request),
        "total": total,
        "page": page,
        "per_page": per_page,
    }


@router.get("/{name:path}/disables", response_model=Listing[browse.DisableView])
def list_disables(
    request: Request,
    session: DbSession,
    viewer: SetReader,
    name: str,
    sort: browse.DisableSort = "entry",
    desc: DescParam = False,
    page: PageParam = 1,
    per_page: PerPageParam = 50,
) -> dict[str, Any]:
    """Entries disabled as false positives: which, by whom, when and why."""
    start = (page - 1) * per_page
    total, rows = browse.disables(session, name, start, per_page, sort, desc)
    return {"items": plain(rows, request), "total": total, "page": page, "per_page": per_page}


@router.get("/{name:path}/diff", response_model=DiffOut, responses=UNAVAILABLE)
def get_diff(
    session: DbSession,
    viewer: SetReader,
    name: str,
    from_version: Annotated[int | None, Query(alias="from", ge=1)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1)] = None,
    desc: DescParam = False,
    page: PageParam = 1,
    per_page: PerPageParam = 50,
) -> Any:
    """What changed between two versions (default: the current one and the one before)."""
    current = browse.set_view(session, name).current_version
    a, b = default_range(current, from_version, to_version)
    try:
        view = diff_view(session, name, a, b, (page - 1) * per_page, per_page, desc=desc)
    except browse.SetFileUnavailable as exc:
        return unavailable(exc)
    return {
        "name": view.name,
        "from_version": view.from_version,
        "to_version": view.to_version,
        "added": view.added,
        "removed": view.removed,
        "recategorised": view.recategorised,
        "rows": view.rows,
        "total": view.total,
        "page": page,
        "per_page": per_page,
    }


@router.get("/{name:path}", response_model=HashSetDetail)
def get_hashset(request: Request, session: DbSession, viewer: SetReader, name: str) -> Any:
    """A hash set and every version of it, oldest first."""
    found = browse.set_view(session, name)
    versions = browse.version_views(session, name)
    return {"hash_set": plain(found, request), "versions": plain(versions, request)}
