"""Render a report's HTML from a template, and write it as HTML or PDF with its manifest.

Evidence text (file names, chat titles, names) is attacker-controlled: the environment
autoescapes every value, and :data:`StrictUndefined` turns a missing fact into an error
instead of an empty cell. The PDF is byte-reproducible: WeasyPrint writes no date of its
own, the document's dates come from the audit record the facts were read at (a
``dcterms.created`` meta in ``base.html``), and its identifier from the inputs' hashes.
Nothing is fetched while rendering except ``data:`` URLs (charts), so no picture of any
file can enter a report by a link.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from phunt import __version__
from phunt.audit import store as audit
from phunt.errors import UsageError
from phunt.output_path import check_target, output_path
from phunt.reports.manifest import Manifest, inputs_digest, manifest_path
from phunt.safe_text import printable
from phunt.schema.db import Session

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Reports state times as the issue asks: day first, 24-hour clock, Indian Standard Time.
IST = ZoneInfo("Asia/Kolkata")
MEDIA = {".html": "html", ".htm": "html", ".pdf": "pdf"}


def _utc(value: datetime) -> datetime:
    """A stored naive time is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def ist(value: datetime | None, seconds: bool = False) -> str:
    """``07/12/2026 14:35 IST`` (with ``:SS`` when ``seconds``, for file times); none
    gives an empty string."""
    if value is None:
        return ""
    shape = "%d/%m/%Y %H:%M:%S IST" if seconds else "%d/%m/%Y %H:%M IST"
    return _utc(value).astimezone(IST).strftime(shape)


def ist_seconds(value: datetime | None) -> str:
    return ist(value, seconds=True)


def w3c(value: datetime) -> str:
    """The W3C date WeasyPrint reads from ``dcterms.created`` into the PDF's dates."""
    return _utc(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def thousands(value: int | None) -> str:
    """``12,345``: figures as a reader checks them against the PDF's text."""
    return "" if value is None else f"{value:,}"


def tool() -> dict[str, str]:
    """The tool and renderer versions every report and manifest states."""
    from importlib.metadata import version

    return {"name": "phunt", "version": __version__, "weasyprint": version("weasyprint")}


def _visible(value: object) -> object:
    """Every string shown with its control and direction-override characters made
    visible escapes (``\\x1b``): a file name reads in its stored order, nothing hidden."""
    if isinstance(value, str) and not isinstance(value, Markup):  # a macro's output is done
        return printable(value)
    return value


@functools.cache
def environment() -> Environment:
    """The reports' one Jinja2 environment (templates under ``templates/``)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_visible,
    )
    env.filters.update(ist=ist, ist_seconds=ist_seconds, w3c=w3c, thousands=thousands)
    return env


def render_html(template: str, context: Mapping[str, object]) -> bytes:
    """Render ``template`` (a name under ``templates/``) to UTF-8 HTML.

    ``tool`` is supplied; ``base.html`` needs ``title`` and ``as_of`` (``facts.as_of``).
    """
    page = environment().get_template(template)
    return page.render({"tool": tool(), **context}).encode()


def _import_weasyprint() -> None:
    """Import WeasyPrint without its side effect on evidence decoding.

    ``weasyprint.images`` sets Pillow's global ``ImageFile.LOAD_TRUNCATED_IMAGES`` to True
    when imported: in a process that also hashes or thumbnails evidence (the web app, a
    test run), a truncated JPEG would then decode as a picture instead of being recorded
    as damaged. Reports embed no raster image, so the flag is put back at once.
    """
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    import weasyprint.images  # noqa: F401  (the import that sets the flag)

    ImageFile.LOAD_TRUNCATED_IMAGES = before


def html_to_pdf(html: bytes, inputs: Mapping[str, str]) -> bytes:
    """The PDF of ``html``, its file identifier derived from the inputs' hashes."""
    _import_weasyprint()
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    identifier = inputs_digest(dict(inputs))[:32].encode()
    document = HTML(string=html.decode(), url_fetcher=fetcher)
    pdf = document.write_pdf(pdf_identifier=identifier, custom_metadata=True)
    assert isinstance(pdf, bytes)
    return pdf


def write_report(
    html: bytes,
    out: Path,
    *,
    inputs: Mapping[str, str],
    kind: str,
    session: Session,
    force: bool = False,
    options: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    own: Path | None = None,
) -> Manifest:
    """Write ``html`` to ``out`` (``.html`` as is, ``.pdf`` rendered) and its manifest
    beside it, and audit the write in ``session``'s transaction.

    ``options`` are what rebuilds the report (the subject's id, the audit record read at):
    ``verify`` passes them back to the kind's ``build``. ``labels`` name the inputs for a
    person (``"file:17"`` -> its path). Refuses, before any work, to replace either file
    unless ``force`` and to write inside phunt's data folder but in ``own`` (the web's
    downloads): :mod:`phunt.output_path`'s rule, whichever layer calls it.
    """
    media = MEDIA.get(out.suffix.lower())
    if media is None:
        raise UsageError(f"{out}: a report is written as .html or .pdf")
    mpath = manifest_path(out)
    for path in (out, mpath):
        check_target(path, force=force, own=own)
    data = html if media == "html" else html_to_pdf(html, inputs)
    manifest = Manifest(
        kind=kind,
        output=out.name,
        media=media,
        output_sha256=hashlib.sha256(data).hexdigest(),
        output_bytes=len(data),
        html_sha256=hashlib.sha256(html).hexdigest(),
        inputs=dict(sorted(inputs.items())),
        labels=dict(sorted((labels or {}).items())),
        options=dict(options or {}),
        tool=tool(),
    )
    details = {
        "kind": kind,
        "path": str(out.absolute()),
        "sha256": manifest.output_sha256,
        "bytes": manifest.output_bytes,
        "manifest_sha256": manifest.sha256,
        "inputs_sha256": inputs_digest(manifest.inputs),
        "options": manifest.options,
    }
    subject = manifest.options.get("subject", out.name)
    audit.append(session, "report.write", "report", f"{kind} {subject}", details)
    _write(out, data, force, own)
    _write(mpath, manifest.to_json(), force, own)
    return manifest


def _write(path: Path, data: bytes, force: bool, own: Path | None = None) -> None:
    """Through :func:`phunt.output_path.output_path`: whole or not at all, private to its
    owner (mode 0600: a report names evidence), an existing file only with ``force``."""
    with output_path(path, force=force, own=own) as temp:
        temp.write_bytes(data)
