"""The certificate of section 63(4)(c) of the Bharatiya Sakshya Adhiniyam, 2023, in the
form of its Schedule: Part B (the expert) pre-filled, its hash report enclosed, and Part A
(the party producing the record) with the device's particulars only.

phunt fills what it has recorded and nothing else: the expert's particulars from their
profile (``phunt user profile``), the device's make, model, serial number and IMEI, the
hash values ingest recorded for each source, and those of the produced records named on
the command line (hashed once, when the certificate is first written, and kept in its
manifest's options so that ``verify`` rebuilds the same bytes). A field phunt cannot know
(colour, lawful control, signatures, the signing date unless given) is printed blank, for
completion by hand. Dates are DD/MM/YYYY and times IST on a 24-hour clock, as the
Schedule asks, whatever ``PHUNT_TIMEZONE`` says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from phunt.accounts.profile import FIELDS, get_profile
from phunt.errors import UsageError
from phunt.hashing.crypto import digest_file
from phunt.reports.certificate_facts import HashValue, device_particulars, source_hashes
from phunt.reports.facts import as_of
from phunt.reports.manifest import Built, Manifest, digest
from phunt.reports.render import render_html, write_report
from phunt.schema.db import Session

IST = ZoneInfo("Asia/Kolkata")
KIND = "certificate"
TITLE = "Certificate under section 63(4)(c) of the Bharatiya Sakshya Adhiniyam, 2023"
#: The Schedule's kinds of device or record source, in its order.
SOURCE_TYPES = (
    "Computer / Storage Media", "DVR", "Mobile", "Flash Drive", "CD/DVD", "Server", "Cloud",
    "Other",
)  # fmt: skip
#: phunt's device kinds ticked as the Schedule's; a kind not listed ticks "Other".
_TICKED = {
    "mobile phone": "Mobile",
    "hard disk": "Computer / Storage Media",
    "memory card": "Computer / Storage Media",
    "laptop": "Computer / Storage Media",
    "computer": "Computer / Storage Media",
}
ALGORITHMS = (("MD5", "md5"), ("SHA-1", "sha1"), ("SHA-256", "sha256"))


def ist_date(at: datetime | None) -> str:
    """DD/MM/YYYY in IST, '' for no time."""
    return at.astimezone(IST).strftime("%d/%m/%Y") if at is not None else ""


def ist_time(at: datetime | None) -> str:
    """HH:MM in IST on a 24-hour clock, '' for no time."""
    return at.astimezone(IST).strftime("%H:%M") if at is not None else ""


def _source_types(kind: str) -> list[dict[str, Any]]:
    ticked = _TICKED.get(kind, "Other")
    other = kind if ticked == "Other" and kind != "other" else ""
    return [
        {"label": label, "ticked": label == ticked, "other": other if label == "Other" else ""}
        for label in SOURCE_TYPES
    ]


def hash_records(records: Sequence[Path]) -> list[dict[str, Any]]:
    """Name, size, MD5, SHA-1 and SHA-256 of each produced record (read-only, now)."""
    found = []
    for path in records:
        if not path.is_file():
            raise UsageError(f"{path}: no such file to certify")
        digests = digest_file(str(path))
        found.append({"name": path.name, "size": digests.size} | digests.as_dict())
    names = [r["name"] for r in found]
    if len(set(names)) != len(names):
        raise UsageError("two records to certify have the same file name")
    return [{k: r[k] for k in ("name", "size", "md5", "sha1", "sha256")} for r in found]


def _stated(values: list[HashValue]) -> list[HashValue]:
    """What Part B states of a source (the hash report has every value): its SHA-256, or
    for a folder the manifest's, and the acquisition MD5 an E01 carries."""
    main = [v for v in values if v.note == "source"]
    main = main or [v for v in values if v.note.startswith("manifest")]
    return main + [v for v in values if v.note.startswith("acquisition")]


def build(session: Session, options: Mapping[str, Any]) -> Built:
    """The certificate from the database and ``options`` (``device``, ``expert``,
    ``records`` as :func:`hash_records` gave them, ``signed_at``, ``as_of``)."""
    device = device_particulars(session, options["device"])
    expert = options.get("expert")
    profile = get_profile(session, expert) if expert else None
    sources = source_hashes(session, device.id)
    point = as_of(session, options.get("as_of"))
    signed = options.get("signed_at")
    signed_at = datetime.fromisoformat(signed) if signed else None
    records: list[dict[str, Any]] = list(options.get("records") or [])

    source_rows = [
        asdict(v) | {"date": ist_date(s.hashed_at), "time": ist_time(s.hashed_at)}
        for s in sources
        for v in s.values
    ]
    record_rows = [
        {"item": r["name"], "algorithm": label, "value": r[key], "note": f"{r['size']} bytes",
         "date": "", "time": ""}
        for r in records
        for label, key in ALGORITHMS
    ]  # fmt: skip
    used = {row["algorithm"] for row in [*source_rows, *record_rows]}
    stated = [asdict(v) for s in sources for v in _stated(s.values)]
    stated += [row for row in record_rows if row["algorithm"] == "SHA-256"]
    context = {
        "title": TITLE,
        "as_of": point,
        "device": asdict(device)
        | {"make_model": " ".join(filter(None, (device.make, device.model)))},
        "source_types": _source_types(device.kind),
        "expert": {key: getattr(profile, key) if profile else "" for key in FIELDS},
        "sources": source_rows,
        "records": record_rows,
        "stated": stated,
        "algorithms": {name: name in used for name in ("SHA-1", "SHA-256", "MD5")},
        "signed": {"date": ist_date(signed_at), "time": ist_time(signed_at)},
    }
    inputs = {f"device:{device.id}": digest(asdict(device)), "audit": point.hash}
    labels = {f"device:{device.id}": device.evidence_number}
    for s in sources:
        inputs[f"job:{s.job_id}"] = digest([asdict(v) for v in s.values])
        labels[f"job:{s.job_id}"] = s.path
    if profile is not None:
        inputs[f"profile:{profile.user}"] = digest(profile.as_dict())
    for r in records:
        inputs[f"record:{r['name']}"] = r["sha256"]
    rebuilt = {
        "subject": device.evidence_number, "device": device.id, "expert": expert or None,
        "records": records, "signed_at": signed, "as_of": point.seq,
    }  # fmt: skip
    return Built(render_html("certificate.html", context), inputs, labels, rebuilt)


def write_certificate(
    session: Session,
    device_ref: int | str,
    out: Path,
    *,
    expert: str | None = None,
    records: Sequence[Path] = (),
    signed_at: datetime | None = None,
    force: bool = False,
) -> Manifest:
    """Write the certificate to ``out`` (.pdf or .html) with its manifest; audited."""
    if signed_at is not None and signed_at.tzinfo is None:
        raise UsageError("the signing time needs its zone")
    options = {
        "device": device_ref, "expert": expert, "records": hash_records(records),
        "signed_at": signed_at.isoformat() if signed_at else None,
    }  # fmt: skip
    built = build(session, options)
    return write_report(
        built.html, out, inputs=built.inputs, kind=KIND, session=session, force=force,
        options=built.options, labels=built.labels,
    )  # fmt: skip
