"""The match engine of a run, described by a picklable spec and built once per process.

A worker never receives an engine: it receives an :class:`EngineSpec` naming the lists in
use (hash sets in the database at given versions, each with the SHA-256 of its set file,
or ``--hashlist`` files with their options) and builds the engine from it the first time it
needs one, then keeps it for every later file, batch and chat export that names the same
spec. The spec carries stamps (a file's size and modification time; a set's version, its
set file's SHA-256 and how many of its entries are disabled) so a changed list makes a new
spec and a fresh engine, never a stale one. A list file is built into a set file in the
process's scratch folder (:mod:`phunt.matching.private_sets`), so both kinds of list are
matched the same way.
"""

from __future__ import annotations

import itertools
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from phunt.hashing.kinds import pdq_quality_min, pdq_threshold

if TYPE_CHECKING:
    from phunt.matching.engine import MatchEngine


class SetLoader(Protocol):
    """Loads a spec's hash sets into an engine: the hash-set store's ``load_spec_sets``.

    The spec carries it as a reference (pickled by name), so the matching package and the
    per-file stages never import the store; ``session`` is the caller's, or None for the
    loader to open the spec's database itself (a worker process).
    """

    def __call__(self, engine: MatchEngine, spec: EngineSpec, session: Any | None) -> int: ...


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
    sha256: str | None = None
    """SHA-256 of the version's set file: the file every process opens (None: the loader
    looks it up)."""
    disabled: tuple[int, ...] = ()
    """The set's disabled entry numbers when the spec was made (with ``sha256``, all a
    process needs to load the set: no database session)."""


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
    loader: SetLoader | None = None
    """How ``hash_sets`` are read (:func:`phunt.hashset_spec.engine_spec` sets it)."""

    def build(self, session: Any | None = None) -> MatchEngine:
        """A new engine with every list loaded; ``session`` reads the database if given."""
        from phunt.matching.engine import MatchEngine  # numpy: a worker's, not a spec's maker

        engine = MatchEngine(pdq_threshold=self.pdq_threshold, pdq_quality_min=self.pdq_quality_min)
        for item in self.files:
            load_list_file(
                engine, item.path, fmt=item.fmt, scheme=item.scheme, hash_kind=item.hash_kind
            )
        if self.hash_sets:
            if self.loader is None:
                raise ValueError("an engine spec with hash sets needs their loader")
            self.loader(engine, self, session)
        return engine


_CACHE: dict[EngineSpec, MatchEngine] = {}
_LOCK = threading.Lock()


def engine_for(spec: EngineSpec, session: Any | None = None) -> MatchEngine:
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


def load_list_file(
    engine: MatchEngine,
    path: str,
    *,
    fmt: str | None = None,
    scheme: str | None = None,
    hash_kind: str | None = None,
) -> int:
    """Use a hash-list file in ``engine``, as a set file built in this process's scratch
    folder, its entries numbered by record; returns how many entries can match."""
    from phunt.hashsets.detect import open_hash_list
    from phunt.matching.private_sets import numbered_by_record, private_set_file

    reader = open_hash_list(path, format=fmt, category_scheme=scheme, kind=hash_kind)
    stream = reader.batches()
    first = next(stream, None)
    if first is None:
        return 0
    batches = numbered_by_record(itertools.chain([first], stream))
    set_file = private_set_file(batches, {"source": os.path.abspath(path)})
    kind = str(reader.metadata().get("list_kind", reader.default_kind))
    return engine.add_set(Path(path).name, kind, None, set_file)
