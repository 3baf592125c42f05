"""Re-screening devices already ingested against a version of a hash set.

The stored hashes suffice (no evidence is read), and the search runs from the set to the
files, the small side to the large: each entry's digests are looked up on the stored
files' digest indexes (SHA-256, SHA-1, MD5), and its PDQ in the index of every stored
picture that a file's "where else" view uses (:func:`~phunt.ingest.browse_copies.near_pictures`:
the PDQ hash kind's threshold, pictures at its quality minimum), with the 7 variants of the
listed picture turned or mirrored (:mod:`phunt.review.groups_dihedral`), so a rotated or
flipped copy is found as ingest finds it. Each new hit becomes a
``file_match`` row like an ingest's (one per file and entry, the exact one first; marked
``rescreened`` in its detail), and the job of each file that had no match before counts
it, so the device, case and dashboard figures follow. Entries disabled in the set, or
whose category is not known-bad, match nothing, as at ingest; files on a known-good list
are not matched; a hit already stored for the same entry is not stored twice. A copy
found turned or mirrored records its distance to that variant, the file's variant that
matches (``variant``, as ingest records it) and the transform (``detail``).

An ``incremental`` re-screen (the review's, after every known-bad decision) searches only
the entries the version does not share (number, digests, PDQ and category alike) with the
previous version, when the audit log shows that version re-screened over every device:
the others were matched then, and every file ingested since was matched against them at
its ingest. Its record names that version (``since``); without one it screens them all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, cast

from pydantic.dataclasses import dataclass
from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.audit.seal import seal_where
from phunt.hashing.kinds import pdq_threshold
from phunt.hashsets.categories import is_known_bad
from phunt.hashsets.entry import HashEntry
from phunt.hashsets.store import entries_of, get_hash_set
from phunt.ingest.browse_copies import picture_index
from phunt.review import groups_dihedral as dihedral
from phunt.schema.audit import AuditRecord
from phunt.schema.hashsets import HashSet
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob

#: Digest kinds looked up on the stored files' indexed columns, strongest first.
DIGESTS = ("sha256", "sha1", "md5")
_CHUNK = 2000


@dataclass(frozen=True)
class Rescreen:
    """What a re-screen found."""

    hash_set: str
    version: int
    entries: int
    matches_added: int
    files_newly_matched: int
    devices: dict[int, int]
    """Matches added per device id."""
    since: int | None = None
    """The version re-screened before whose shared entries were not searched again."""
    limited_to: list[int] | None = None
    """The devices screened, when not all of them."""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def rescreen(
    session: Session,
    name: str,
    version: int | None = None,
    *,
    device_ids: Sequence[int] | None = None,
    incremental: bool = False,
) -> Rescreen:
    """Match the stored files (of ``device_ids``, or all) against set ``name`` at
    ``version`` (default: current) and store what they newly match; ``incremental``: only
    with the entries new since the previous version's re-screen (see the module)."""
    hash_set = get_hash_set(session, name)
    version = hash_set.current_version if version is None else version
    entries = [(n, e) for n, e in entries_of(session, name, version) if _reportable(e)]
    since = None
    if incremental and device_ids is None:
        since = _screened_before(session, hash_set, version)
    todo = entries
    if since is not None:
        held = {_key(n, e) for n, e in entries_of(session, name, since) if _reportable(e)}
        todo = [(n, e) for n, e in entries if _key(n, e) not in held]
    hits: dict[tuple[int, int], dict[str, Any]] = {}
    for kind in DIGESTS:
        _exact(session, kind, todo, hits)
    _near(session, todo, hits)
    stored = _stored_hits(session, name, sorted({f for f, _n in hits}))
    files = _files(session, sorted({f for f, _n in hits}), device_ids)
    rows = []
    per_device: Counter[int] = Counter()
    for (file_id, number), hit in sorted(hits.items()):
        if file_id in files and (file_id, number) not in stored:
            job_id, device_id, quality = files[file_id]
            near = hit["kind"] == "pdq"
            rows.append(hit | {"file_id": file_id, "hash_set": name, "version": version,
                               "job_id": job_id, "quality": quality if near else None})  # fmt: skip
            per_device[device_id] += 1
    newly = _add_matches(session, rows)
    limited = None if device_ids is None else sorted(set(device_ids))
    result = Rescreen(
        name, version, len(entries), len(rows), newly, dict(per_device), since, limited
    )
    audit.append(session, "review.rescreen", "hash_set", hash_set.id, result.as_dict())
    return result


def _screened_before(session: Session, hash_set: HashSet, version: int) -> int | None:
    """``version - 1`` when the latest re-screen of the set the audit log records was of
    that version over every device (an older record, lacking ``limited_to``, is not
    trusted to have been); None otherwise."""
    query = (
        select(AuditRecord.details)
        .where(
            AuditRecord.action == "review.rescreen",
            AuditRecord.object_type == "hash_set",
            AuditRecord.object_id == str(hash_set.id),
        )
        .order_by(AuditRecord.seq.desc())
        .limit(1)
    )
    last = session.scalar(query)
    if not last or "limited_to" not in last or last["limited_to"] is not None:
        return None
    previous = version - 1
    return previous if previous >= 1 and last.get("version") == previous else None


def _key(number: int, entry: HashEntry) -> tuple[Any, ...]:
    """What makes two versions' entries the same for matching: number, hashes, category."""
    category = entry.category
    meaning = None if category is None else (category.code, category.scheme)
    return number, tuple(sorted(entry.hashes.items())), meaning


def _reportable(entry: HashEntry) -> bool:
    return is_known_bad(entry.category)


def _hit(
    number: int, entry: HashEntry, kind: str, distance: int, turned: str = "orig"
) -> dict[str, Any]:
    """A ``file_match`` row's fields that come from the entry and the comparison; a file
    found as the entry's picture ``turned`` records, as ingest would, the variant of the
    file that matches the entry (the inverse transform), and says how it was found."""
    category = entry.category
    near = kind == "pdq"
    detail: dict[str, Any] = {"rescreened": True}
    if turned != "orig":
        detail |= {"transform": turned, "seen_as": dihedral.WORDS[turned]}
    return {
        "entry": number,
        "kind": kind,
        "distance": distance,
        "threshold": pdq_threshold() if near else None,
        "variant": dihedral.INVERSE[turned] if near else None,
        "category_code": None if category is None else category.code,
        "category_scheme": None if category is None else category.scheme,
        "detail": detail,
    }


def _exact(
    session: Session,
    kind: str,
    entries: list[tuple[int, HashEntry]],
    hits: dict[tuple[int, int], dict[str, Any]],
) -> None:
    """Stored files whose ``kind`` digest an entry lists (first kind found wins)."""
    column = getattr(EvidenceFile, kind)
    by_digest: dict[str, list[tuple[int, HashEntry]]] = {}
    for number, entry in entries:
        if kind in entry.hashes:
            by_digest.setdefault(entry.hashes[kind].lower(), []).append((number, entry))
    digests = sorted(by_digest)
    for start in range(0, len(digests), _CHUNK):
        query = select(EvidenceFile.id, column).where(column.in_(digests[start : start + _CHUNK]))
        for file_id, digest in session.execute(query):
            for number, entry in by_digest[digest]:
                hits.setdefault((file_id, number), _hit(number, entry, kind, 0))


def _near(
    session: Session,
    entries: list[tuple[int, HashEntry]],
    hits: dict[tuple[int, int], dict[str, Any]],
) -> None:
    """Stored pictures within the PDQ threshold of an entry's PDQ, or else of one of its
    turned or mirrored variants (the closest)."""
    listed = [(number, entry) for number, entry in entries if "pdq" in entry.hashes]
    if not listed:
        return
    found = dihedral.search(
        picture_index(session), [entry.hashes["pdq"] for _n, entry in listed], pdq_threshold()
    )
    for (k, file_id), (distance, turned) in found.items():
        number, entry = listed[k]
        held = hits.get((file_id, number))
        if held is None or held["distance"] > distance:
            hits[(file_id, number)] = _hit(number, entry, "pdq", distance, turned)


def _files(
    session: Session, file_ids: list[int], device_ids: Sequence[int] | None
) -> dict[int, tuple[int, int, int | None]]:
    """``{file id: (job, device, PDQ quality)}`` of the files that may take a match."""
    out: dict[int, tuple[int, int, int | None]] = {}
    for start in range(0, len(file_ids), _CHUNK):
        query = select(
            EvidenceFile.id, EvidenceFile.job_id, EvidenceFile.device_id, EvidenceFile.pdq_quality
        ).where(
            EvidenceFile.id.in_(file_ids[start : start + _CHUNK]),
            EvidenceFile.known_good.is_(False),
        )
        if device_ids is not None:
            query = query.where(EvidenceFile.device_id.in_(sorted(device_ids)))
        out.update(
            (f, (job, device, quality)) for f, job, device, quality in session.execute(query)
        )
    return out


def _stored_hits(session: Session, name: str, file_ids: list[int]) -> set[tuple[int, int]]:
    """(file id, entry) of every match already stored for the set on ``file_ids``, any
    version."""
    out: set[tuple[int, int]] = set()
    for start in range(0, len(file_ids), _CHUNK):
        query = select(FileMatch.file_id, FileMatch.entry).where(
            FileMatch.hash_set == name, FileMatch.file_id.in_(file_ids[start : start + _CHUNK])
        )
        out.update((file_id, entry) for file_id, entry in session.execute(query))
    return out


def _add_matches(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert the match rows and add the files that had no match to their jobs' counts;
    returns how many files are newly matched."""
    if not rows:
        return 0
    files = sorted({row["file_id"] for row in rows})
    matched_before: set[int] = set()
    for start in range(0, len(files), _CHUNK):
        chunk = files[start : start + _CHUNK]
        query = select(FileMatch.file_id).where(FileMatch.file_id.in_(chunk)).distinct()
        matched_before.update(session.scalars(query))
    job_of = {row["file_id"]: row["job_id"] for row in rows}
    newly = Counter(job_of[f] for f in files if f not in matched_before)
    session.execute(insert(cast(Table, FileMatch.__table__)), rows)
    listed = FileMatch.hash_set == rows[0]["hash_set"], FileMatch.version == rows[0]["version"]
    seal_where(session, FileMatch, *listed)  # sealed by the review.rescreen record
    seal_where(session, IngestJob, IngestJob.id.in_(sorted(newly)))
    for job_id, count in newly.items():
        session.execute(
            update(IngestJob)
            .where(IngestJob.id == job_id)
            .values(matched_files=IngestJob.matched_files + count)
        )
    return sum(newly.values())
