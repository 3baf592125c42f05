"""The match engine of a run, described by a picklable spec and built once per process.

A worker never receives an engine: it receives an :class:`EngineSpec` naming the lists in
use (hash sets in the database at given versions, or ``--hashlist`` files with their
options) and builds the engine from it the first time it needs one, then keeps it for every
later file, batch and chat export that names the same spec. The spec carries stamps (a
file's size and modification time; a set's version, its file's SHA-256 and how many of its
entries are disabled) so a changed list makes a new spec and a fresh engine, never a stale
one.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.matching.engine import MatchEngine


@dataclass(frozen=True)
class ListFile:
    """A hash-list file given for one run, with the options it is read with."""

    path: str
    fmt: str | None = None
    scheme: str | None = None
    hash_kind: str | None = None
    stamp: tuple[int, int] = (-1, -1)
    """Size and modification time (ns) when the spec was made."""

    @classmethod
    def of(
        cls,
        path: str,
        *,
        fmt: str | None = None,
        scheme: str | None = None,
        hash_kind: str | None = None,
    ) -> ListFile:
        try:
            st = os.stat(path)
            stamp = (st.st_size, st.st_mtime_ns)
        except OSError:
            stamp = (-1, -1)  # reading it will say what is wrong
        return cls(path, fmt, scheme, hash_kind, stamp)


@dataclass(frozen=True)
class HashSetRef:
    """One governed hash set at one version, as the spec was made."""

    name: str
    list_kind: str
    version: int
    stamp: str


@dataclass(frozen=True)
class EngineSpec:
    """The lists in use and the PDQ rules: everything needed to build the same engine anywhere.

    The thresholds default to the PDQ hash kind's at the time the spec is made.
    """

    files: tuple[ListFile, ...] = ()
    database: str | None = None
    hash_sets: tuple[HashSetRef, ...] = ()
    pdq_threshold: int = field(default_factory=pdq_threshold)
    pdq_quality_min: int = field(default_factory=pdq_quality_min)

    @classmethod
    def from_database(
        cls,
        session: Session,
        names: Iterable[str] | None = None,
        *,
        files: tuple[ListFile, ...] = (),
        pdq_threshold: int | None = None,
        pdq_quality_min: int | None = None,
    ) -> EngineSpec:
        """The current version of hash sets (all when ``names`` is None) in ``session``'s
        database, plus ``files``."""
        url = session.get_bind().engine.url.render_as_string(hide_password=False)
        extra: dict[str, int] = {}
        if pdq_threshold is not None:
            extra["pdq_threshold"] = pdq_threshold
        if pdq_quality_min is not None:
            extra["pdq_quality_min"] = pdq_quality_min
        return cls(files, url, tuple(current_sets(session, names)), **extra)

    def build(self, session: Session | None = None) -> MatchEngine:
        """A new engine with every list loaded; ``session`` reads the database if given."""
        engine = MatchEngine(pdq_threshold=self.pdq_threshold, pdq_quality_min=self.pdq_quality_min)
        for item in self.files:
            load_list_file(
                engine, item.path, fmt=item.fmt, scheme=item.scheme, hash_kind=item.hash_kind
            )
        if self.hash_sets and session is not None:
            _load_refs(engine, session, self.hash_sets)
        elif self.hash_sets:
            from phunt.cases.db import Database

            assert self.database is not None
            db = Database(self.database, migrate=False)
            try:
                with db.session() as own:
                    _load_refs(engine, own, self.hash_sets)
            finally:
                db.close()
        engine.build()
        return engine


_CACHE: dict[EngineSpec, MatchEngine] = {}
_LOCK = threading.Lock()


def engine_for(spec: EngineSpec, session: Session | None = None) -> MatchEngine:
    """The engine of ``spec`` in this process, built on first use and kept.

    One engine is kept: a process serves one run at a time, and a new spec (another run,
    a list changed) replaces the old engine rather than piling engines up in memory.
    """
    with _LOCK:
        engine = _CACHE.get(spec)
        if engine is None:
            _CACHE.clear()
            engine = spec.build(session)
            _CACHE[spec] = engine
        return engine


def current_sets(session: Session, names: Iterable[str] | None) -> list[HashSetRef]:
    """The sets' current versions with their stamps; sets never imported are left out."""
    from phunt.cases.hashset_models import HashSetEntry, HashSetVersion
    from phunt.cases.hashset_store import get_hash_set, list_hash_sets

    sets = list_hash_sets(session) if names is None else [get_hash_set(session, n) for n in names]
    refs = []
    for hs in sets:
        if hs.current_version == 0:
            continue
        file_sha = session.scalar(
            select(HashSetVersion.file_sha256).where(
                HashSetVersion.hash_set_id == hs.id, HashSetVersion.version == hs.current_version
            )
        )
        disabled = session.scalar(
            select(func.count()).where(
                HashSetEntry.hash_set_id == hs.id, HashSetEntry.disabled.is_(True)
            )
        )
        stamp = f"{hs.id}:{file_sha}:{disabled}"
        refs.append(HashSetRef(hs.name, hs.kind, hs.current_version, stamp))
    return refs


def _load_refs(engine: MatchEngine, session: Session, refs: Iterable[HashSetRef]) -> int:
    from phunt.cases.hashset_store import matchable_entries

    total = 0
    for ref in refs:
        pairs = matchable_entries(session, ref.name, ref.version)
        total += engine.add(ref.name, ref.list_kind, pairs, version=ref.version)
    return total


def load_list_file(
    engine: MatchEngine,
    path: str,
    *,
    fmt: str | None = None,
    scheme: str | None = None,
    hash_kind: str | None = None,
) -> int:
    """Load a hash-list file into ``engine``, its entries numbered by record."""
    from phunt.hashsets.detect import open_hash_list

    reader = open_hash_list(path, format=fmt, category_scheme=scheme, kind=hash_kind)
    stream = reader.entries()
    first = next(stream, None)  # the list's kind is known once its header has been read
    if first is None:
        return 0
    kind = str(reader.metadata().get("list_kind", reader.default_kind))
    entries = ((e.record, e) for e in itertools.chain([first], stream))
    return engine.add(Path(path).name, kind, entries)


def load_hash_sets(engine: MatchEngine, session: Session, names: Iterable[str] | None) -> int:
    """Load the current version of hash sets (all when ``names`` is None), enabled entries."""
    return _load_refs(engine, session, current_sets(session, names))
