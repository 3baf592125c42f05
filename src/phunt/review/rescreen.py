"""Re-screening devices already ingested against a new version of a hash set.

The stored SHA-256 and PDQ of every file suffice (no evidence is read): they go through
the matching engine in batches, with the set loaded as ingest loads it, and each new hit
becomes a ``file_match`` row like an ingest's (marked ``rescreened`` in its detail), its
job's matched-file count growing by the files that had no match before, so the device,
case and dashboard figures count them. Files on a known-good list (``known_good``) are
not matched, as at ingest; a hit already stored for the same entry of the set is not
stored twice. Only the original picture's PDQ is stored, so rotated or flipped copies
that ingest matches through its PDQ variants are found here only when the original is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, cast

from pydantic.dataclasses import dataclass
from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.hashsets.store import get_hash_set, load_versions
from phunt.matching.engine import FileQuery, Hit, MatchEngine
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob

#: Stored files screened per batch: bounded memory whatever the operation's size.
BATCH = 50_000
_CHUNK = 5000


@dataclass(frozen=True)
class Rescreen:
    """What a re-screen found."""

    hash_set: str
    version: int
    files_screened: int
    matches_added: int
    files_newly_matched: int
    devices: dict[int, int]
    """Matches added per device id."""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_Row = tuple[int, int, int, str | None, str | None, int | None]


def rescreen(
    session: Session,
    name: str,
    version: int | None = None,
    *,
    device_ids: Sequence[int] | None = None,
) -> Rescreen:
    """Match the stored files (of ``device_ids``, or all) against set ``name`` at
    ``version`` (default: current) and store what they newly match (see the module)."""
    hash_set = get_hash_set(session, name)
    version = hash_set.current_version if version is None else version
    engine = MatchEngine()
    try:
        load_versions(engine, session, [(name, hash_set.kind, version)])
        stored = _stored_hits(session, name)
        screened = 0
        rows: list[dict[str, Any]] = []
        per_device: Counter[int] = Counter()
        for batch in _batches(session, device_ids):
            screened += len(batch)
            queries = [_query(row, engine.pdq_quality_min) for row in batch]
            for row, (_good, hits) in zip(batch, engine.screen_many(queries), strict=True):
                for hit in hits:
                    if (row[0], hit.listed.entry) not in stored:
                        rows.append(_match_row(row, hit))
                        per_device[row[2]] += 1
    finally:
        engine.close()
    newly = _add_matches(session, rows)
    result = Rescreen(name, version, screened, len(rows), sum(newly.values()), dict(per_device))
    audit.append(session, "review.rescreen", "hash_set", hash_set.id, result.as_dict())
    return result


def _batches(session: Session, device_ids: Sequence[int] | None) -> Iterator[list[_Row]]:
    """Stored files that have something to match with, in batches of :data:`BATCH`."""
    query = select(
        EvidenceFile.id,
        EvidenceFile.job_id,
        EvidenceFile.device_id,
        EvidenceFile.sha256,
        EvidenceFile.pdq,
        EvidenceFile.pdq_quality,
    ).where(EvidenceFile.known_good.is_(False), EvidenceFile.sha256.is_not(None))
    if device_ids is not None:
        query = query.where(EvidenceFile.device_id.in_(sorted(device_ids)))
    result = session.execute(query.execution_options(yield_per=BATCH))
    for partition in result.partitions():
        yield cast(list[_Row], [tuple(row) for row in partition])


def _query(row: _Row, quality_min: int) -> FileQuery:
    _id, _job, _device, sha256, pdq, quality = row
    variants = [("orig", pdq)] if pdq is not None and (quality or 0) >= quality_min else []
    return FileQuery({"sha256": sha256} if sha256 else {}, variants)


def _stored_hits(session: Session, name: str) -> set[tuple[int, int]]:
    """(file id, entry) of every match already stored for the set, any version."""
    query = select(FileMatch.file_id, FileMatch.entry).where(FileMatch.hash_set == name)
    return {(file_id, entry) for file_id, entry in session.execute(query)}


def _match_row(row: _Row, hit: Hit) -> dict[str, Any]:
    file_id, job_id, _device, _sha, _pdq, quality = row
    category = hit.listed.category
    near = hit.kind == "pdq"
    return {
        "file_id": file_id,
        "job_id": job_id,
        "hash_set": hit.listed.list_name,
        "version": hit.listed.version,
        "entry": hit.listed.entry,
        "kind": hit.kind,
        "distance": hit.distance,
        "quality": quality if near else None,
        "threshold": hit.threshold if near else None,
        "variant": hit.variant,
        "category_code": None if category is None else category.code,
        "category_scheme": None if category is None else category.scheme,
        "detail": {"rescreened": True},
    }


def _add_matches(session: Session, rows: list[dict[str, Any]]) -> Counter[int]:
    """Insert the match rows and add the files that had no match to their jobs' counts;
    returns the files newly matched per job."""
    if not rows:
        return Counter()
    files = sorted({row["file_id"] for row in rows})
    matched_before: set[int] = set()
    for start in range(0, len(files), _CHUNK):
        chunk = files[start : start + _CHUNK]
        query = select(FileMatch.file_id).where(FileMatch.file_id.in_(chunk)).distinct()
        matched_before.update(session.scalars(query))
    job_of = {row["file_id"]: row["job_id"] for row in rows}
    newly = Counter(job_of[f] for f in files if f not in matched_before)
    session.execute(insert(cast(Table, FileMatch.__table__)), rows)
    for job_id, count in newly.items():
        session.execute(
            update(IngestJob)
            .where(IngestJob.id == job_id)
            .values(matched_files=IngestJob.matched_files + count)
        )
    return newly
