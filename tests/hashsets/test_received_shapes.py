"""Issue 23's acceptance: each shape a lab receives imports with the right entries, list
kind and categories, and its hashes look up, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.hashsets import store
from phunt.ingest.lookup import Lookup
from phunt.schema.db import Database

Digest = Callable[[str, int], str]

#: fixture -> (format, distinct entries, list kind, (kind, fixture number) that must look up)
#: A list kind in capitals is one the list cannot state: the import gives it with --kind.
SHAPES = {
    "NSRLFile.txt": ("nsrl-rds2", 3, "known-good", ("md5", 41)),
    "NSRLFile_rds15.txt": ("nsrl-rds2", 2, "known-good", ("sha1", 52)),
    "RDS_sample.zip": ("nsrl-rds2", 3, "known-good", ("md5", 43)),
    "RDS_2024.12.1_minimal.db": ("nsrl-rds3", 2, "known-good", ("sha256", 52)),
    "NSRLFile.txt-md5.idx": ("tsk-idx", 2, "known-good", ("md5", 122)),
    "notable.txt-md5.idx": ("tsk-idx", 2, "KNOWN-BAD", ("md5", 123)),
    "hashkeeper.hsh": ("hashkeeper", 2, "KNOWN-GOOD", ("md5", 132)),
    "ilook_v3.csv": ("csv", 1, "known-bad", ("sha1", 93)),
    "hashdeep.txt": ("hashdeep", 2, "known-bad", ("sha256", 62)),
    "bsd_tag.txt": ("bsd-tag", 3, "known-bad", ("sha1", 72)),
    "md5deep_z.txt": ("md5deep-z", 2, "known-bad", ("md5", 82)),
    "ilook_v4.csv": ("csv", 2, "known-bad", ("sha256", 92)),
    "te_dataset_reordered.csv": ("threatexchange", 1, "known-bad", ("pdq", 75)),
    "hma_pdq.csv": ("threatexchange", 2, "known-bad", ("md5", 102)),
    "vpdq_video.txt": ("vpdq-file", 1, "known-bad", None),
}


@pytest.mark.parametrize("fixture", sorted(SHAPES))
def test_each_shape_imports_and_looks_up(
    database: Database, data: Path, digest: Digest, fixture: str
) -> None:
    fmt, entries, list_kind, probe = SHAPES[fixture]
    given = list_kind.lower() if list_kind.isupper() else None
    with database.session() as s:
        result = store.import_hash_list(s, str(data / fixture), name="received", kind=given)
        list_kind = list_kind.lower()
        assert (result.format, result.entries, result.kind) == (fmt, entries, list_kind)
        service = Lookup.from_database(s, ["received"])
    if probe is not None:
        kind, number = probe
        answer = service.lookup(digest(kind, number))
        assert [m["hashset"] for m in answer["matches"]] == ["received"], answer
