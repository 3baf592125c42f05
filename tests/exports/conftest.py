"""The exports' world: the browse tests' rows (two cases, three devices, files with known
hashes and matches), a hash-list version behind the "unit" matches, a file whose name is
a spreadsheet formula, and a reviewer's decision that overrides a list's category."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from browse_world import World, add_file, make_world
from phunt.hashsets.store import import_hash_list
from phunt.review.decisions import Choice, decide
from phunt.schema.db import Database
from phunt.schema.ingest import FileMatch
from test_lib import TEST_DATA

FORMULA = '=HYPERLINK("http://example.invalid")'


@dataclass(frozen=True)
class ExportWorld:
    world: World
    decision: int
    formula_file: int


@pytest.fixture
def export_world(database: Database) -> ExportWorld:
    world = make_world(database)
    with database.session() as s:
        import_hash_list(s, str(TEST_DATA / "hashsets" / "plain.txt"), name="unit")
        formula = add_file(s, world.job_a, world.dev_a, 6, FORMULA, sha256="3" * 64,
                           md5="4" * 32, mime="image/png")  # fmt: skip
        s.add(FileMatch(file_id=formula, job_id=world.job_a, hash_set="other", version=1,
                        entry=9, kind="md5", distance=0, category_code=5,
                        category_scheme="dhs-legacy"))  # fmt: skip
        (decision,) = decide(s, [world.files["near"]], Choice(2, note="age difficult"))
    return ExportWorld(world, decision, formula)
