"""Reports, certificates and exports from the device, case and operation pages
(``WRITE_REPORTS``: admins, supervisors, and investigators within their cases).

``GET /devices/{id}/reports`` (and ``/cases/...``, ``/operations/...``), a plain read,
lists what can be written about the subject; for those who may write, each is a form that
posts ``output`` and ``format``, with the session's CSRF token, to the same address and
gets the file back as a download (``attachment``, never cached).
Reports are built by name: the module ``phunt.reports.<kind>`` with
``build(session, options)``, written by ``phunt.reports.render.write_report``; a kind whose
module this installation lacks is not offered. Exports are the services of
:mod:`phunt.exports`. Whatever is written stays in the data folder's ``reports/web`` with
its manifest, so ``phunt report verify`` can check the file later, and the write is
audited as the signed-in user. A subject outside the viewer's cases answers 404 (before
the form is looked at). An operation's report holds the statewide figures by district
that every role sees on the dashboard. A case's or an operation's takedown requests
come as one zip (:mod:`phunt.web.bundle`), the letters signed with the writer's profile.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse

from phunt.accounts.access import Action, Viewer
from phunt.cases import browse as cases_browse
from phunt.errors import UsageError
from phunt.exports.case_uco import export_case_uco
from phunt.exports.matches_csv import export_matches
from phunt.exports.store import case_selection
from phunt.exports.vics import export_vics
from phunt.ingest import browse
from phunt.schema.db import Session
from phunt.schema.types import utcnow
from phunt.web.bundle import write_takedown_zip
from phunt.web.deps import (
    DbSession,
    Forbidden,
    check_case,
    deny,
    page_viewer,
    render,
    viewer_scope,
)

router = APIRouter()

MEDIA = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "jsonld": "application/ld+json",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
}


@dataclass(frozen=True)
class Output:
    """One thing that can be written about a subject, in the formats offered (suffixes)."""

    name: str
    title: str
    formats: tuple[str, ...]
    report: str | None = None  # the phunt.reports module that builds it; None: an export


TAKEDOWN = "Takedown requests: takedown.csv and a letter per platform, with their manifests"
CATALOGUE: dict[str, tuple[Output, ...]] = {
    "device": (
        Output("device", "Device report", ("pdf", "html"), "device"),
        Output("certificate", "Section 63 certificate (BSA 2023)", ("pdf",), "certificate"),
        Output("case-uco", "CASE/UCO JSON-LD: files, hashes, custody, provenance", ("jsonld",)),
        Output("matches", "Matches (CSV)", ("csv",)),
    ),
    "case": (
        Output("case", "Case report", ("pdf", "html"), "case"),
        Output("vics", "VICS 2.0 of the categorised media", ("json",)),
        Output("matches", "Matches (CSV)", ("csv",)),
        Output("takedown", TAKEDOWN, ("zip",)),
    ),
    "operation": (
        Output("operation", "Operation report", ("pdf", "html"), "operation"),
        Output("takedown", TAKEDOWN, ("zip",)),
    ),
}
_AREAS = {"device": "devices", "case": "cases", "operation": "operations"}


def offered(subject: str) -> list[Output]:
    """The subject's outputs whose report module (if any) this installation has."""
    return [
        output
        for output in CATALOGUE[subject]
        if output.report is None or importlib.util.find_spec(f"phunt.reports.{output.report}")
    ]


def everywhere(subject: str, output: Output) -> bool:
    """An operation's takedown requests name the groups, people and messages of every case
    of the operation: only a viewer who sees every case may write them."""
    return subject == "operation" and output.name == "takedown"


def offered_to(viewer: Viewer, subject: str) -> list[Output]:
    """What ``viewer`` may write about the subject."""
    return [o for o in offered(subject) if viewer.sees_all or not everywhere(subject, o)]


def subject_label(session: Session, viewer: Viewer, subject: str, subject_id: int) -> str:
    """The subject's name, once the viewer may see it (404 alike otherwise)."""
    if subject == "device":
        ref = browse.device_ref(session, subject_id)
        check_case(viewer, ref.case_id)
        return f"Device {ref.evidence_number}"
    if subject == "case":
        check_case(viewer, subject_id)
        return f"Case {case_selection(session, subject_id, viewer_scope(viewer)).label}"
    return f"Operation {cases_browse.operation(session, subject_id).name}"


def report_options(output: Output, subject: str, subject_id: int, viewer: Viewer) -> dict[str, Any]:
    """What the report's ``build`` takes (as ``phunt report`` passes it)."""
    if output.report == "certificate":
        return {"device": subject_id, "expert": viewer.name}
    key = {"device": "device_id", "case": "case_id", "operation": "operation"}[subject]
    return {key: subject_id}


def produce(
    session: Session, viewer: Viewer, folder: Path, subject: str, subject_id: int,
    output: Output, fmt: str,
) -> Path:  # fmt: skip
    """Write ``output`` about the subject into ``folder`` (a new name each time)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
    out = folder / f"{subject}-{subject_id}-{output.name}-{stamp}.{fmt}"
    scope = viewer_scope(viewer)
    if output.report is not None:
        build_report(session, output.report, report_options(output, subject, subject_id, viewer),
                     out, own=folder)  # fmt: skip
    elif output.name == "takedown":
        case, operation = (subject_id, None) if subject == "case" else (None, subject_id)
        write_takedown_zip(session, out, case=case, operation=operation, officer=viewer.name,
                           own=folder)  # fmt: skip
    elif output.name == "vics":
        export_vics(session, subject_id, out, scope=scope, own=folder)
    elif output.name == "case-uco":
        export_case_uco(session, subject_id, out, scope=scope, own=folder)
    elif subject == "case":
        export_matches(session, out, case_id=subject_id, scope=scope, own=folder)
    else:
        export_matches(session, out, device=subject_id, scope=scope, own=folder)
    return out


def build_report(
    session: Session, kind: str, options: Mapping[str, Any], out: Path, *, own: Path | None = None
) -> None:
    """Build the ``kind`` report by name and write it with its manifest (``own``: the
    folder of phunt's own it may write in, inside the data folder)."""
    from phunt.reports.render import write_report
    from phunt.reports.verify import builder

    built = builder(kind)(session, options)
    write_report(
        built.html, out, inputs=built.inputs, kind=kind, session=session,
        options=built.options, labels=built.labels, own=own,
    )  # fmt: skip


def _list(request: Request, session: Session, viewer: Viewer, subject: str, ident: int) -> Any:
    label = subject_label(session, viewer, subject, ident)
    base = f"/{_AREAS[subject]}/{ident}"
    return render(
        request, "reports/index.html", viewer, label=label, base=base,
        outputs=offered_to(viewer, subject),
    )  # fmt: skip


def _download(
    request: Request, session: Session, viewer: Viewer, subject: str, ident: int, name: str,
    fmt: str,
) -> FileResponse:  # fmt: skip
    subject_label(session, viewer, subject, ident)  # 404 before anything else is said
    output = next((o for o in offered(subject) if o.name == name), None)
    if output is None:
        choices = ", ".join(o.name for o in offered(subject))
        raise UsageError(f"choose what to write about this {subject}: {choices}")
    if fmt not in output.formats:
        raise UsageError(f"{output.title} is written as {' or '.join(output.formats)}")
    if everywhere(subject, output) and not viewer.sees_all:
        deny(request, session, viewer, "an operation's takedown requests span cases not assigned")
        raise Forbidden()
    folder = request.app.state.settings.home / "reports" / "web"
    path = produce(session, viewer, folder, subject, ident, output, fmt)
    return FileResponse(
        path,
        media_type=MEDIA[fmt],
        filename=f"{subject}-{ident}-{name}.{fmt}",
        headers={"Cache-Control": "no-store"},
    )


Reader = Annotated[Viewer, page_viewer(Action.VIEW_CASES)]
Writer = Annotated[Viewer, page_viewer(Action.WRITE_REPORTS)]
Choice = Annotated[str, Form(max_length=40)]


@router.get("/devices/{device_id}/reports", response_class=HTMLResponse)
def device_reports(request: Request, session: DbSession, viewer: Reader, device_id: int) -> Any:
    """What can be written about a device (the forms for those who may write them)."""
    return _list(request, session, viewer, "device", device_id)


@router.get("/cases/{case_id}/reports", response_class=HTMLResponse)
def case_reports(request: Request, session: DbSession, viewer: Reader, case_id: int) -> Any:
    """What can be written about a case."""
    return _list(request, session, viewer, "case", case_id)


@router.get("/operations/{operation_id}/reports", response_class=HTMLResponse)
def operation_reports(
    request: Request, session: DbSession, viewer: Reader, operation_id: int
) -> Any:
    """What can be written about an operation."""
    return _list(request, session, viewer, "operation", operation_id)


@router.post("/devices/{device_id}/reports")
def device_download(
    request: Request, session: DbSession, viewer: Writer, device_id: int,
    output: Choice = "", format: Choice = "",
) -> FileResponse:  # fmt: skip
    """Write a device's report or export (``output``, in ``format``) as a download."""
    return _download(request, session, viewer, "device", device_id, output, format)


@router.post("/cases/{case_id}/reports")
def case_download(
    request: Request, session: DbSession, viewer: Writer, case_id: int,
    output: Choice = "", format: Choice = "",
) -> FileResponse:  # fmt: skip
    """Write a case's report or export as a download."""
    return _download(request, session, viewer, "case", case_id, output, format)


@router.post("/operations/{operation_id}/reports")
def operation_download(
    request: Request, session: DbSession, viewer: Writer, operation_id: int,
    output: Choice = "", format: Choice = "",
) -> FileResponse:  # fmt: skip
    """Write an operation's report as a download."""
    return _download(request, session, viewer, "operation", operation_id, output, format)
