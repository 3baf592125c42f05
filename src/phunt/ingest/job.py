"""``phunt ingest``: the coordinator that turns a source into stored, matched files.

Files are committed in batches, each whole or not at all: by the local pool's workers,
each storing what it processed (:mod:`phunt.ingest.store_worker`), or by this process for
work done here or on a Dask cluster. A job stopped or killed at any point is so resumed
by skipping the sequence numbers already stored. The job, its facts, its manifest and
its seal are this process's. The source itself is opened read-only and its SHA-256
recorded (every segment of a split image), E01 acquisition hashes are verified, and at
the end a manifest hash over every stored file's SHA-256 and path seals what was found.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import posixpath
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from phunt.audit import store as audit
from phunt.cases.devices import get_device
from phunt.errors import AlreadyImported, InputError, UsageError, WrongFormat
from phunt.hashset_spec import engine_spec
from phunt.ingest import file_rows, guard, store, store_worker
from phunt.ingest.pipeline import Runner
from phunt.ingest.stages import Profile
from phunt.schema.db import Database, Session
from phunt.sources.base import Entry
from phunt.sources.ewf_chunks import BadRange
from phunt.sources.facts import SourceFacts, describe_kind, describe_source
from phunt.sources.folder import root_stat
from phunt.sources.limits import ExpandLimits
from phunt.sources.locator import close_thread_cache

if TYPE_CHECKING:
    from phunt.chats.keywords import Watchlist

#: Files the coordinator stores per transaction (work done here or on a Dask cluster; a
#: local pool's workers store each of their batches in one): one file's worth of commit
#: work is small, a commit's is not (with SQLite's sync to disk, about 4 ms), and a job
#: killed mid-way redoes at most this many files...
BATCH = 1000
#: ...or the files whose listed bytes reach this, so that big files are not redone by the
#: gigabyte.
BATCH_BYTES = 256 << 20

ProgressFn = Callable[[int, int], None]


@dataclass
class IngestSummary:
    job: int
    device: str
    source: str
    source_sha256: str | None
    files: int
    bytes: int
    errors: int
    matched_files: int
    resumed: bool
    manifest_sha256: str | None
    verification: dict[str, Any]
    chats: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _start(
    db: Database, source: str, device: str, resume: bool, options: dict[str, Any]
) -> tuple[int, bool, bool]:
    """The job to run: ``(id, resumed, facts still to record)``. The source's digests are
    recorded later (:func:`_record_facts`), once a worker has read the whole source."""
    with db.session() as s:
        job_id = store.resume_job(s, source, device, resume)
        if job_id is not None:
            guard.set_status(s, job_id, "running")
            return job_id, True, store.source_facts_missing(s, job_id)
    brief = describe_kind(source)
    earlier = _same_source(db, device, source, brief, options.get("again"))
    if earlier is not None:
        options = options | {"again_of": earlier.id}
    folder = brief.kind == "folder"
    with db.session() as s:
        size = None if folder else brief.size
        job_id = store.open_job(s, source, device, kind=brief.kind, size=size, options=options)
        if earlier is not None:
            _audit_again(s, job_id, earlier, options["again"])
        if folder:  # nothing to read: the job and its start are one transaction
            store.record_source_facts(
                s,
                job_id,
                sha256=brief.sha256,
                segments=brief.segments or None,
                verification=brief.verification,
            )
    return job_id, False, not folder


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped job ``job`` of ``source``; it is left ``interrupted`` with ``files``
    stored, for ``--resume`` to finish."""

    def __init__(self, job: int, source: str, files: int) -> None:
        self.job, self.source, self.files = job, source, files
        super().__init__(f"ingest {job} of {source} interrupted with {files} files stored")


def _warn(text: str) -> None:
    sys.stderr.write(f"phunt: {text}\n")


def _same_source(
    db: Database, device: str, source: str, brief: SourceFacts, again: str | None
) -> guard.EarlierJob | None:
    """The earlier job of the device with this source's path, size and kind, found before
    any work; refused unless ``again`` gives a reason."""
    with db.session() as s:
        dev = get_device(s, device)
        earlier = guard.same_source(s, dev.id, path=source, kind=brief.kind, size=brief.size)
    if earlier is not None and again is None:
        raise UsageError(_seen_message(dev.evidence_number, source, earlier))
    return earlier


def _seen_message(device: str, source: str, earlier: guard.EarlierJob) -> str:
    return (
        f"{source} was ingested for device {device} before: {earlier.describe()}; "
        'to ingest it again, say why with --again "REASON"'
    )


def _audit_again(session: Session, job_id: int, earlier: guard.EarlierJob, reason: str) -> None:
    details = {"reason": reason, "earlier_job": earlier.id, "same": earlier.same}
    audit.append(session, "ingest.again", "ingest_job", job_id, details)


def _record_unless_seen(
    db: Database, job_id: int, facts: SourceFacts, resumed: bool
) -> guard.EarlierJob | None:
    """Record the source's facts, unless its SHA-256 shows the device holds it already
    from another job: then the earlier job, for :func:`_refuse` once no worker is storing
    files any more. With ``--again`` the earlier job is audited instead."""
    earlier = None
    with db.session() as s:
        job = store.get_job(s, job_id)
        if facts.sha256 is not None and not resumed:
            earlier = guard.same_source(
                s,
                job.device_id,
                path=job.source_path,
                kind=job.source_kind,
                size=job.source_size,
                sha256=facts.sha256,
                exclude=job_id,
            )
        again = job.options.get("again")
        if earlier is not None and again is not None and earlier.id != job.options.get("again_of"):
            _audit_again(s, job_id, earlier, again)
    if earlier is not None and again is None:
        return earlier
    _record_facts(db, job_id, facts)
    return None


def _refuse(db: Database, job_id: int, earlier: guard.EarlierJob) -> UsageError:
    """Delete job ``job_id``, not yet audited, with what it stored, and say which earlier
    job of the device holds the same source."""
    with db.session() as s:
        job = store.get_job(s, job_id)
        evidence = get_device(s, job.device_id).evidence_number
        source = job.source_path
        guard.discard_job(s, job_id)
    return UsageError(_seen_message(evidence, source, earlier))


def _interrupted(db: Database, job_id: int) -> IngestInterrupted:
    """Leave the job ``interrupted`` (audited) and say what it stored."""
    with db.session() as s:
        guard.set_status(s, job_id, guard.INTERRUPTED)
        job = store.get_job(s, job_id)
        stored = len(store.done_seqs(s, job_id))
        details = {"source": job.source_path, "stored": stored}
        audit.append(s, "ingest.interrupt", "ingest_job", job_id, details)
        return IngestInterrupted(job_id, job.source_path, stored)


def _facts_of(future: Future[SourceFacts], source: str) -> SourceFacts:
    """The source's facts a worker read, or, when it could not read the whole source, a
    record of why: the files are stored already and the job still completes, unverified,
    its source digest left empty for a resume to try again."""
    try:
        return future.result()
    except (OSError, InputError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        error = {"ok": False, "error": f"{source}: source not hashed: {reason}"}
        return SourceFacts("file", verification={"source": error})


def _record_facts(db: Database, job_id: int, facts: SourceFacts) -> None:
    """Record the source's digests, segments and verification on the job, audited."""
    with db.session() as s:
        store.record_source_facts(
            s,
            job_id,
            sha256=facts.sha256,
            segments=facts.segments or None,
            verification=facts.verification,
        )


def _flag_damage(db: Database, job_id: int, source: str) -> list[int]:
    """Flag the stored files whose data lies in bad sectors of the E01 (the source's facts
    name them, from every chunk's check): they were stored before those facts were known.
    The ids of the files flagged."""
    with db.session() as s:
        ewf = store.get_job(s, job_id).verification.get("ewf") or {}
    ranges = [BadRange.from_dict(bad) for bad in ewf.get("bad_sectors", [])]
    if not ranges:
        return []
    from phunt.sources.ewf_damage import damaged_files  # pytsk3: only for a damaged E01

    found = damaged_files(source, ranges, int(ewf["bytes_per_sector"]))
    with db.session() as s:
        return store.flag_damaged(s, job_id, {item.key: item.message for item in found})


def _done_seqs(db: Database, job_id: int) -> set[int]:
    with db.session() as s:
        return store.done_seqs(s, job_id)


def _store(
    db: Database, job_id: int, batch: list[file_rows.BoundRows], hashes: dict[int, str]
) -> None:
    """Store a batch of files the workers processed (and matched), with their matches; the
    content hashes of the rows go in ``hashes``, for the job's seal."""
    with db.session() as s:
        hashes.update(store.add_files(s, job_id, batch))


def _manifest(db: Database, job_id: int) -> str:
    """The manifest read back from the store: for a resumed job, whose first files were
    stored by another run (a run from the start hashes its lines as it stores them)."""
    digest = hashlib.sha256()
    with db.session() as s:
        for sha, path in store.file_digests(s, job_id):
            digest.update(file_rows.manifest_line(sha, path))
    return digest.hexdigest()


def _import_chats(
    db: Database, job_id: int, device: str, watchlist: Watchlist | None = None
) -> list[dict[str, Any]]:
    """Import every chat database and export among the job's files, wherever it lies.

    Each is read through its locator (inside zips, tars, disk images alike), and its
    attachments are tied to the job's stored files. A file named like a chat source that
    is something else is passed over; a damaged export is recorded with its error, and the
    others still import. Called only when the workers flagged a chat source (or for a
    resumed job), and only then are the chat parsers loaded.
    """
    from phunt.ingest.chat_sources import (
        AttachmentLinker,
        StoredChatSource,
        StoredTree,
        find_candidates,
    )
    from phunt.ingest.files import open_stored

    with db.session() as s:
        tree = StoredTree(store.stored_files(s, job_id))
    candidates = find_candidates(tree)
    if not candidates:
        return []
    from phunt.chats.source import ChatInput
    from phunt.chats.store import import_chat

    outcomes: list[dict[str, Any]] = []
    for main in candidates:
        folder = posixpath.dirname(main.path)
        source = StoredChatSource(tree, folder, open_stored)
        opener = functools.partial(open_stored, main)
        chat = ChatInput(posixpath.basename(main.path), source, main.path, opener)
        try:
            with db.session() as s:
                summary = import_chat(
                    s, chat, device, watchlist=watchlist, media=AttachmentLinker(tree, folder)
                )
            outcomes.append({"export": main.path, "imported": summary.as_dict()})
        except WrongFormat:
            continue
        except AlreadyImported as exc:
            outcomes.append({"export": main.path, "already_imported": exc.import_id})
        except (InputError, UsageError) as exc:
            outcomes.append({"export": main.path, "error": str(exc)})
        except OSError as exc:
            outcomes.append({"export": main.path, "error": f"cannot read: {exc.strerror or exc}"})
        except Exception as exc:
            failure = f"{type(exc).__name__}: {exc}"
            outcomes.append({"export": main.path, "error": f"parser failed: {failure}"})
    if outcomes:
        with db.session() as s:
            store.record_chats(s, job_id, outcomes)
    return outcomes


def _entries(
    source: str, expand: bool, scratch: str | None, limits: ExpandLimits | None = None
) -> Callable[[], Iterator[Entry]]:
    """The walk of ``source``, to start where it is listed (the listing process, or here
    with no pool), with the source's own times taken now, before anything reads it."""
    root = root_stat(source)

    def walk() -> Iterator[Entry]:
        from phunt.sources.expand import walk_evidence

        return walk_evidence(source, root, expand=expand, scratch_dir=scratch, limits=limits)

    return walk


def ingest(
    db: Database,
    source: str,
    device: str,
    *,
    workers: int = 1,
    cluster: str | None = None,
    resume: bool = False,
    pdq_mode: str | None = "default",
    expand: bool = True,
    scratch: str | None = None,
    progress: ProgressFn | None = None,
    batch_size: int = BATCH,
    import_chats: bool = True,
    watchlist: Watchlist | None = None,
    again: str | None = None,
    take_over: bool = False,
    notice: guard.NoticeFn | None = None,
    limits: ExpandLimits | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> IngestSummary:
    """Ingest ``source`` for ``device`` (id or evidence number) and return the totals.

    The device is locked for the length of the run (see :mod:`phunt.ingest.guard`); a
    source the device already holds is refused unless ``again`` gives the reason. Ctrl-C
    leaves the job ``interrupted``, to be resumed, and raises :class:`IngestInterrupted`.
    ``should_stop`` is asked between files, where no transaction is open: a true answer
    stops the run as Ctrl-C does (the CLI turns the first Ctrl-C into that, so a
    transaction is never cut in half).
    """
    source = os.path.abspath(source)
    if not os.path.exists(source):
        raise UsageError(f"{source}: no such file or folder")
    if again is not None and not again.strip():
        raise UsageError("--again needs the reason to ingest this source again")
    options: dict[str, Any] = {"pdq_mode": pdq_mode, "expand": expand}
    if again is not None:
        options["again"] = again.strip()
    if limits is not None:
        options["limits"] = dataclasses.asdict(limits)  # what was opened, for the record
    say = notice or _warn
    with guard.held(db, device, take_over=take_over, notice=say) as lease:
        try:
            return _ingest(
                db,
                source,
                device,
                lease,
                options,
                workers=workers,
                cluster=cluster,
                resume=resume,
                scratch=scratch,
                progress=progress,
                batch_size=batch_size,
                import_chats=import_chats,
                watchlist=watchlist,
                limits=limits,
                should_stop=should_stop,
            )
        except KeyboardInterrupt:
            if lease.job_id is None:
                raise
            raise _interrupted(db, lease.job_id) from None


def _ingest(
    db: Database,
    source: str,
    device: str,
    lease: guard.Lease,
    options: dict[str, Any],
    *,
    workers: int,
    cluster: str | None,
    resume: bool,
    scratch: str | None,
    progress: ProgressFn | None,
    batch_size: int,
    import_chats: bool,
    watchlist: Watchlist | None,
    limits: ExpandLimits | None,
    should_stop: Callable[[], bool] | None,
) -> IngestSummary:
    """The run itself, under the device's lock ``lease``."""
    pdq_mode, expand = options["pdq_mode"], options["expand"]
    job_id, resumed, facts_pending = _start(db, source, device, resume, options)
    lease.attach(job_id)
    done = _done_seqs(db, job_id) if resumed else set()
    with db.session() as s:
        spec = engine_spec(s)
        device_id = get_device(s, device).id
        binding = file_rows.row_binding(s)
    profile = Profile.ingest(pdq_mode, spec if spec.hash_sets else None)

    entries = _entries(source, expand, scratch, limits)  # takes the source's times: before facts

    def todo() -> Iterator[tuple[int, Entry]]:
        for seq, entry in enumerate(entries()):
            if seq not in done:
                yield seq, entry

    batch: list[file_rows.BoundRows] = []
    batch_bytes = 0
    hashes: dict[int, str] = {}  # of the rows stored by this run, by id: sealed unread
    seen_files = seen_bytes = 0
    chats_seen = resumed  # files stored by the interrupted run were not looked at here
    # Results come in listing order, each file once: the manifest's lines in its order.
    manifest = None if resumed else hashlib.sha256()
    refused: guard.EarlierJob | None = None
    with Runner(workers, cluster, scratch) as runner:
        # The source's SHA-256 reads all of it: a worker's job, started first.
        facts = runner.submit(describe_source, source) if facts_pending else None
        work: tuple[Any, ...] = (file_rows.process_bound, profile, job_id, device_id, binding)
        if runner.local_pool:  # each worker stores what it processed
            work = (store_worker.process_and_store, profile, job_id, device_id, db.url)
        for item in runner.run(todo, *work):  # listed in a process of its own
            if should_stop is not None and should_stop():
                raise KeyboardInterrupt  # here no transaction is open
            chats_seen = chats_seen or item.chat
            if manifest is not None:
                manifest.update(item.manifest_line)
            seen_files += 1
            seen_bytes += item.size
            if progress is not None:
                progress(seen_files, seen_bytes)
            if isinstance(item, store_worker.Written):
                if item.row_hash is not None:
                    hashes[item.file_id] = item.row_hash
            else:
                batch.append(item)
                batch_bytes += item.size
                if len(batch) < batch_size and batch_bytes < BATCH_BYTES:
                    continue
                _store(db, job_id, batch, hashes)
                batch, batch_bytes = [], 0
            if facts is not None and facts.done():
                refused = _record_unless_seen(db, job_id, _facts_of(facts, source), resumed)
                facts = None
                if refused is not None:
                    break
        if batch and refused is None:
            _store(db, job_id, batch, hashes)
        if facts is not None:
            refused = _record_unless_seen(db, job_id, _facts_of(facts, source), resumed)
    if refused is not None:  # the workers have stopped: nothing adds to the job any more
        raise _refuse(db, job_id, refused)
    if should_stop is not None and should_stop():
        raise KeyboardInterrupt  # every file is stored; the chats and the seal wait
    for changed in _flag_damage(db, job_id, source):
        hashes.pop(changed, None)  # its row is no longer as its hash was made
    chats = _import_chats(db, job_id, device, watchlist) if import_chats and chats_seen else []
    close_thread_cache()  # the containers the chat import opened, and their copies
    digest = _manifest(db, job_id) if manifest is None else manifest.hexdigest()
    with db.session() as s:
        job, count = store.finish_job(s, job_id, digest, known=hashes)
        summary = IngestSummary(
            job=job.id,
            device=get_device(s, device).evidence_number,
            source=source,
            source_sha256=job.source_sha256,
            files=job.files,
            bytes=job.bytes,
            errors=job.errors,
            matched_files=job.matched_files,
            resumed=resumed,
            manifest_sha256=digest,
            verification=job.verification,
            chats=chats,
        )
        details = summary.as_dict() | {"entries": count}
        audit.append(s, "ingest.complete", "ingest_job", job.id, details)
        lease.release(s)  # in the completing transaction: a complete job holds no lock
    return summary
