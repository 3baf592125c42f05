"""Engine specs over the governed hash sets of a case database.

A run that matches against hash sets names them in an :class:`~phunt.matching.spec.EngineSpec`
(the database URL, each set at its current version, stamped), which any worker turns into
the same engine with :func:`load_spec_sets`. Here, between the hash-set store (which knows
the sets) and the matching package (which knows the spec), so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from phunt.hashsets.store import at_hand, current_sets, load_versions
from phunt.matching.engine import MatchEngine
from phunt.matching.spec import EngineSpec, HashSetRef, ListFile
from phunt.schema.db import Database, Session


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
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    rules: dict[str, Any] = {}
    if pdq_threshold is not None:
        rules["pdq_threshold"] = pdq_threshold
    if pdq_quality_min is not None:
        rules["pdq_quality_min"] = pdq_quality_min
    sets = current_sets(session, names)
    at_hand(session, sets)
    refs = tuple(HashSetRef(s.name, s.list_kind, s.version, s.stamp, s.index_sha256) for s in sets)
    return EngineSpec(files, url, refs, loader=load_spec_sets, **rules)


def load_spec_sets(engine: MatchEngine, spec: EngineSpec, session: Session | None) -> int:
    """Load the hash sets a spec names, at its versions: through ``session``, or (in a
    worker process) through a connection of its own to the spec's database."""
    sets = [(ref.name, ref.list_kind, ref.version) for ref in spec.hash_sets]
    if session is not None:
        return load_versions(engine, session, sets)
    if spec.database is None:
        raise ValueError("an engine spec with hash sets needs their database")
    db = Database(spec.database, migrate=False)
    try:
        with db.session() as own:
            return load_versions(engine, own, sets)
    finally:
        db.close()
