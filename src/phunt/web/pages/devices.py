"""Device pages: the devices a viewer may read, one device with its ingests and triage,
and its files.

Every read goes through :mod:`phunt.ingest.browse`; a device outside the viewer's cases
answers exactly as an unknown id (:func:`phunt.web.deps.check_case`). No page serves a
file's bytes or a picture of it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from phunt.accounts.access import Action, Viewer
from phunt.cases.devices import custody_history
from phunt.ingest import browse, browse_files, browse_triage
from phunt.schema.cases import CUSTODY_ACTIONS
from phunt.schema.types import utcnow
from phunt.web.api.devices import visible_devices
from phunt.web.api.files import visible_files
from phunt.web.deps import DbSession, check_case, page_viewer, render
from phunt.web.paging import Paging, paging

router = APIRouter()


def verification_facts(verification: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """A job's verification record as (name, value) lines: nested records by dotted name,
    lists by their length (the API gives them whole)."""
    lines: list[tuple[str, str]] = []
    for key, value in verification.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            lines += verification_facts(value, f"{name}.")
        elif isinstance(value, list):
            lines.append((name, f"{len(value)} recorded"))
        elif isinstance(value, bool):
            lines.append((name, "yes" if value else "no"))
        else:
            lines.append((name, "" if value is None else str(value)))
    return lines


@router.get("/devices", response_class=HTMLResponse)
def devices_page(
    request: Request,
    session: DbSession,
    viewer: Viewer = page_viewer(Action.VIEW_CASES),
    pages: Paging = paging(browse.DEVICE_SORTS, "evidence_number"),
    case: Annotated[int | None, Query()] = None,
) -> HTMLResponse:
    """The devices of the viewer's cases (optionally of one), with their ingest totals."""
    rows, total = visible_devices(session, viewer, pages, case)
    return render(
        request, "devices/list.html", viewer, devices=rows, total=total, paging=pages, case=case
    )


@router.get("/devices/{device_id}", response_class=HTMLResponse)
def device_page(
    request: Request,
    device_id: int,
    session: DbSession,
    viewer: Viewer = page_viewer(Action.VIEW_CASES),
) -> HTMLResponse:
    """One device: who and where, custody (with the form that adds an event, for those
    who may), ingest jobs with their hashes, and triage."""
    check_case(viewer, browse.device_ref(session, device_id).case_id)
    detail = browse.device_detail(session, device_id)
    triage = browse_triage.triage_summary(session, device_id)
    facts = {job.id: verification_facts(job.verification) for job in detail.jobs}
    now = utcnow().astimezone(request.app.state.settings.timezone).strftime("%Y-%m-%dT%H:%M")
    # the newest event the form's user saw: one logged since makes their post a 409
    seen = max((e.id for e in custody_history(session, device_id)), default=0)
    return render(
        request, "devices/detail.html", viewer, device=detail, triage=triage, facts=facts,
        custody_actions=CUSTODY_ACTIONS, now=now, custody_seen=seen,
    )  # fmt: skip


@router.get("/devices/{device_id}/files", response_class=HTMLResponse)
def device_files_page(
    request: Request,
    device_id: int,
    session: DbSession,
    viewer: Viewer = page_viewer(Action.VIEW_CASES),
    pages: Paging = paging(browse_files.FILE_SORTS, "seq"),
    matched: bool = False,
    type: Annotated[str, Query(max_length=100)] = "",
    path: Annotated[str, Query(max_length=500)] = "",
    problems: bool = False,
) -> HTMLResponse:
    """A device's files, a page at a time, sorted and filtered."""
    filters = browse_files.FileFilter(matched=matched, mime=type, path=path, problems=problems)
    device, rows, total = visible_files(session, viewer, device_id, filters, pages)
    types = browse_files.file_types(session, device_id)
    families = sorted({name.partition("/")[0] for name, _count in types})
    return render(
        request, "devices/files.html", viewer, device=device, files=rows, total=total,
        paging=pages, filters=filters, types=types, families=families,
    )  # fmt: skip
