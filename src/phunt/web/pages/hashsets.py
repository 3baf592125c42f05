"""Hash sets: each list's versions, the diff between two of them, and its disables.

Every role reads them (a hash list belongs to no case). The pages only read: importing
and disabling stay with ``phunt hashset``, where the examiner states a reason. A set's
name, description and entry names come from a list file someone else wrote, so they are
shown escaped like any evidence text; entries are shown a page at a time.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from phunt.accounts.access import Action, Viewer
from phunt.hashsets import browse
from phunt.hashsets.browse_diff import default_range, diff_view
from phunt.web.deps import DbSession, page_viewer, render
from phunt.web.paging import Paging, paging

SetReader = Annotated[Viewer, page_viewer(Action.VIEW_HASHSETS)]
SetPaging = Annotated[Paging, paging(browse.SET_SORTS, "name")]
DisablePaging = Annotated[Paging, paging(browse.DISABLE_SORTS, "entry")]
EntryPaging = Annotated[Paging, paging(("entry",), "entry")]
FromVersion = Annotated[int | None, Query(alias="from", ge=1)]
ToVersion = Annotated[int | None, Query(alias="to", ge=1)]

#: Set names are free text and may hold a slash: ``{name:path}`` takes it, and the set's
#: own page is declared last so that ``.../diff`` and ``.../versions/N`` are matched first.
router = APIRouter()


def unavailable(request: Request, viewer: Viewer, exc: browse.SetFileUnavailable) -> HTMLResponse:
    """A page that needs a set file the server lacks: say so, and how it is restored."""
    title = "Set file unavailable"
    return render(request, "error.html", viewer, status_code=503, title=title, text=str(exc))


@router.get("/hashsets", response_class=HTMLResponse)
def hashsets_page(
    request: Request, session: DbSession, viewer: SetReader, order: SetPaging
) -> HTMLResponse:
    """Every hash set at its current version, with the list file it came from."""
    sets = browse.list_sets(session, order.sort, order.desc)
    shown = sets[order.offset : order.offset + order.per_page]
    return render(request, "hashsets/list.html", viewer, sets=shown, total=len(sets), paging=order)


@router.get("/hashsets/{name:path}/versions/{version}", response_class=HTMLResponse)
def version_page(
    request: Request,
    session: DbSession,
    viewer: SetReader,
    name: str,
    version: int,
    order: EntryPaging,
) -> HTMLResponse:
    """One version: its list file, its counts by hash kind and its entries, paged."""
    hash_set = browse.set_view(session, name)
    try:
        detail, by_kind = browse.version_detail(session, name, version)
        total, entries = browse.version_entries(
            session, name, version, order.offset, order.per_page, desc=order.desc
        )
    except browse.SetFileUnavailable as exc:
        return unavailable(request, viewer, exc)
    return render(
        request,
        "hashsets/version.html",
        viewer,
        hs=hash_set,
        v=detail,
        by_kind=by_kind,
        entries=entries,
        total=total,
        paging=order,
    )


@router.get("/hashsets/{name:path}/diff", response_class=HTMLResponse)
def diff_page(
    request: Request,
    session: DbSession,
    viewer: SetReader,
    name: str,
    order: EntryPaging,
    from_version: FromVersion = None,
    to_version: ToVersion = None,
) -> HTMLResponse:
    """What changed between two versions (default: the current one and the one before)."""
    hash_set = browse.set_view(session, name)
    a, b = default_range(hash_set.current_version, from_version, to_version)
    try:
        view = diff_view(session, name, a, b, order.offset, order.per_page, desc=order.desc)
    except browse.SetFileUnavailable as exc:
        return unavailable(request, viewer, exc)
    return render(
        request,
        "hashsets/diff.html",
        viewer,
        hs=hash_set,
        diff=view,
        versions=list(range(1, hash_set.current_version + 1)),
        paging=order,
    )


@router.get("/hashsets/{name:path}", response_class=HTMLResponse)
def hashset_page(
    request: Request, session: DbSession, viewer: SetReader, name: str, order: DisablePaging
) -> HTMLResponse:
    """A set: its figures, every version (newest first) and its disabled entries."""
    hash_set = browse.set_view(session, name)
    versions = browse.version_views(session, name)[::-1]
    total, disabled = browse.disables(
        session, name, order.offset, order.per_page, order.sort, order.desc
    )
    return render(
        request,
        "hashsets/detail.html",
        viewer,
        hs=hash_set,
        versions=versions,
        disables=disabled,
        total=total,
        paging=order,
    )
