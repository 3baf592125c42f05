"""Engine specs over the governed hash sets of a case database.

A run that matches against hash sets names them in an :class:`~phunt.matching.spec.EngineSpec`
(the database URL, each set at its current version with its set file's SHA-256 and its
disabled entry numbers, stamped), which any worker turns into the same engine with
:func:`load_spec_sets`, opening the set files without a database session. Here, between
the hash-set store (which knows the sets) and the matching package (which knows the spec),
so neither imports the other. :func:`engine_spec_at` reads an SQLite database file without
SQLAlchemy (:mod:`phunt.hashsets.store_light`): a one-file ``phunt scan`` starts faster.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from phunt.hashsets import store_light
from phunt.hashsets.store_light import CurrentSet, add_set_file, at_hand, open_set_file
from phunt.matching.spec import EngineSpec, HashSetRef, ListFile

if TYPE_CHECKING:
    from phunt.matching.engine import MatchEngine
    from phunt.schema.db import Session


def engine_spec(
    session: Session,
    names: Iterable[str] | None = None,
    *,
    files: tuple[ListFile, ...] = (),
    pdq_threshold: int | None = None,
    pdq_quality_min: int | None = None,
) -> EngineSpec:
    """The spec of an engine over the current version of hash sets (all when ``names`` is
    None) in ``session``'s database, plus list ``files``; PDQ rules default to the kind's.

    Each set's file is checked to be at hand here, so a missing or damaged one stops the
    run at its start with the set, version and remedy named, not in every worker."""
    from phunt.hashsets.store_sets import current_sets

    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    sets = current_sets(session, names)
    at_hand(session, sets)
    return _spec(url, sets, files, pdq_threshold, pdq_quality_min)


def engine_spec_at(
    url: str,
    names: Iterable[str] | None = None,
    *,
    files: tuple[ListFile, ...] = (),
    pdq_threshold: int | None = None,
    pdq_quality_min: int | None = None,
) -> EngineSpec:
    """:func:`engine_spec` from the database's URL: an SQLite file at the head revision is
    read through the standard library, any other database through a session (which
    migrates it first). Both give the same spec."""
    names = None if names is None else list(names)
    sets = store_light.current_sets(url, names)
    if sets is None:
        from phunt.schema.db import Database

        database = Database(url, create=False)
        try:
            with database.session() as session:
                return engine_spec(
                    session,
                    names,
                    files=files,
                    pdq_threshold=pdq_threshold,
                    pdq_quality_min=pdq_quality_min,
                )
        finally:
            database.close()
    at_hand(url, sets)
    return _spec(url, sets, files, pdq_threshold, pdq_quality_min)


def _spec(
    url: str,
    sets: list[CurrentSet],
    files: tuple[ListFile, ...],
    pdq_threshold: int | None,
    pdq_quality_min: int | None,
) -> EngineSpec:
    rules: dict[str, Any] = {}
    if pdq_threshold is not None:
        rules["pdq_threshold"] = pdq_threshold
    if pdq_quality_min is not None:
        rules["pdq_quality_min"] = pdq_quality_min
    refs = tuple(
        HashSetRef(s.name, s.list_kind, s.version, s.stamp, s.index_sha256, s.disabled)
        for s in sets
    )
    return EngineSpec(files, url, refs, loader=load_spec_sets, **rules)


def load_spec_sets(engine: MatchEngine, spec: EngineSpec, session: Session | None) -> int:
    """Load the hash sets a spec names, at its versions: each set file by its SHA-256
    (through ``session``, or the spec's database URL when the file must be fetched into
    this machine's cache), with the disabled entries the spec carries. A spec whose sets
    lack their SHA-256 is read from the database (``session``, or a connection of its own)."""
    if all(ref.sha256 is not None for ref in spec.hash_sets):
        source = session if session is not None else spec.database
        if source is None:
            raise ValueError("an engine spec with hash sets needs their database")
        total = 0
        for ref in spec.hash_sets:
            set_file = open_set_file(source, ref.name, ref.version, str(ref.sha256))
            total += add_set_file(
                engine, ref.name, ref.list_kind, ref.version, set_file, ref.disabled
            )
        return total
    return _load_from_database(engine, spec, session)


def _load_from_database(engine: MatchEngine, spec: EngineSpec, session: Session | None) -> int:
    from phunt.hashsets.store import load_versions

    sets = [(ref.name, ref.list_kind, ref.version) for ref in spec.hash_sets]
    if session is not None:
        return load_versions(engine, session, sets)
    if spec.database is None:
        raise ValueError("an engine spec with hash sets needs their database")
    from phunt.schema.db import Database

    db = Database(spec.database, migrate=False)
    try:
        with db.session() as own:
            return load_versions(engine, own, sets)
    finally:
        db.close()
