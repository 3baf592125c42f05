"""The unit's local known-bad set: the files its examiners categorised, as a hash set.

An admin names the set once (:func:`choose_local_set`); :func:`publish` then writes the
current known-bad decisions as a VICS 2.0 list (one entry per content: its digests, its
PDQ when the picture's quality allows, its category, and the decision it came from in
``extra``) and imports it through the hash-set store as the set's next version, so its
file, SHA-256 and diff from the previous version are recorded and audited like any list,
and every later ingest matches it. The list file is kept in the data folder, where a
``phunt hashset rebuild`` finds it. Re-screening devices already ingested is
:mod:`phunt.review.rescreen`.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.errors import UsageError
from phunt.hashing.kinds import pdq_quality_min
from phunt.hashsets.categories import VICS_US, Category, convert, is_known_bad
from phunt.hashsets.entry import HashEntry
from phunt.hashsets.store import ImportResult, import_hash_list
from phunt.hashsets.store_sets import version_row
from phunt.hashsets.writers import WRITERS
from phunt.output_path import output_path
from phunt.schema.cases import Device
from phunt.schema.hashsets import HashSet
from phunt.schema.ingest import EvidenceFile
from phunt.schema.review import ReviewDecision, ReviewSetting
from phunt.schema.scope import Scope, in_scope

LOCAL_SET_KEY = "local_set"
#: What the local set's description says, so no imported list is mistaken for it.
LOCAL_SET_DESCRIPTION = "the unit's own categorisations (phunt review)"


def local_set_name(session: Session) -> str | None:
    """The local set's name, or None before an admin chose one."""
    row = session.get(ReviewSetting, LOCAL_SET_KEY)
    return None if row is None else row.value


def choose_local_set(session: Session, name: str) -> None:
    """Name the set categorised files join; an existing set qualifies only if it was
    made by review (never a list received from elsewhere, which a publish would empty)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise UsageError("a hash-set name is 1 to 200 characters")
    existing = session.scalar(select(HashSet).where(HashSet.name == name))
    if existing is not None and existing.description != LOCAL_SET_DESCRIPTION:
        raise UsageError(f"hash set {name!r} holds an imported list; choose a new name")
    row = session.get(ReviewSetting, LOCAL_SET_KEY)
    before = None if row is None else row.value
    if row is None:
        row = ReviewSetting(key=LOCAL_SET_KEY, value=name, set_by=audit.current_actor())
        session.add(row)
    else:
        row.value, row.set_by = name, audit.current_actor()
    session.flush()
    audit.append(session, "review.local_set", "review_setting", LOCAL_SET_KEY,
                 {"name": name, "before": before})  # fmt: skip


def decision_entries(
    session: Session,
    scope: Scope = None,
    *,
    known_bad_only: bool = True,
    provenance: bool = True,
) -> Iterator[HashEntry]:
    """One entry per content (SHA-256) among the current categorised decisions in scope,
    its category in VICS 2.0; when copies disagree, the lowest code above 0 wins (the
    most serious), and the entry names the decision that gave it."""
    query = (
        select(ReviewDecision, EvidenceFile)
        .join(EvidenceFile, EvidenceFile.id == ReviewDecision.file_id)
        .join(Device, Device.id == EvidenceFile.device_id)
        .where(
            ReviewDecision.superseded_by_id.is_(None),
            ReviewDecision.category_code.is_not(None),
            EvidenceFile.sha256.is_not(None),
            in_scope(Device.case_id, scope),
        )
        .order_by(ReviewDecision.id)
    )
    chosen: dict[str, tuple[Category, ReviewDecision, EvidenceFile]] = {}
    for decision, file in session.execute(query):
        assert decision.category_code is not None and decision.category_scheme is not None
        category = convert(Category(decision.category_code, decision.category_scheme), VICS_US)
        if category is None or (known_bad_only and not is_known_bad(category)):
            continue
        assert file.sha256 is not None
        held = chosen.get(file.sha256)
        if held is None or _graver(category, held[0]):
            chosen[file.sha256] = (category, decision, file)
    for record, (category, decision, file) in enumerate(chosen.values(), 1):
        hashes = {k: v for k, v in (("md5", file.md5), ("sha1", file.sha1)) if v}
        hashes["sha256"] = str(file.sha256)
        if file.pdq is not None and (file.pdq_quality or 0) >= pdq_quality_min():
            hashes["pdq"] = file.pdq
        extra = {}
        if provenance:
            extra = {
                "PhuntDecision": decision.id,
                "PhuntDecidedBy": decision.decided_by,
                "PhuntDecidedAt": decision.decided_at.isoformat(),
            }
        yield HashEntry(hashes, category, record, None, extra)


def _graver(new: Category, held: Category) -> bool:
    rank = {code: code if code > 0 else 99 for code in (new.code, held.code)}
    return rank[new.code] < rank[held.code]


def publish(session: Session, folder: Path, *, agency: str = "") -> ImportResult:
    """Write the local set's next version from the current decisions (see the module);
    the list file goes into ``folder`` and stays there. :class:`UsageError` when the
    current version already holds every categorised file."""
    result = publish_if_new(session, folder, agency=agency)
    if result is None:
        name = local_set_name(session)
        raise UsageError(
            f"hash set {name!r}: its current version already holds "
            "every categorised file: nothing to publish"
        )
    return result


def publish_if_new(session: Session, folder: Path, *, agency: str = "") -> ImportResult | None:
    """:func:`publish`, but None (and nothing written) when there is nothing new, so a
    caller that publishes after every decision tells "up to date" from a failure."""
    name = local_set_name(session)
    if name is None:
        raise UsageError("no local hash set chosen yet: an admin names it first")
    existing = session.scalar(select(HashSet).where(HashSet.name == name))
    version = 1 if existing is None else existing.current_version + 1
    text = io.StringIO(newline="")
    WRITERS.get("vics")().write(decision_entries(session), text, metadata={"profile": "US"})
    data = text.getvalue().encode("utf-8")
    if existing is not None and existing.current_version > 0:
        held = version_row(session, existing, None).file_sha256
        if held == hashlib.sha256(data).hexdigest():
            return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_file_stem(name)}-v{version}.json"
    # a temporary file renamed into place, never over an existing version: two reviewers
    # publishing at once get one version each or a clear error, never interleaved bytes
    with output_path(path, own=folder) as temp:
        temp.write_bytes(data)
    return import_hash_list(
        session,
        str(path),
        name=name,
        fmt="vics",
        kind="known-bad",
        category_scheme=VICS_US,
        source_agency=agency,
        description=LOCAL_SET_DESCRIPTION,
    )


def _file_stem(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:80]
