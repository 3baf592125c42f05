"""The first pass of a set-file build: every batch checked, then spooled column by column.

A batch is checked where it enters (a reader's bug must not become a damaged set file),
then each of its columns is appended to a scratch file, so memory holds one batch at a
time whatever the list's size. Identities are computed here for batches that need them
(any shape but a plain one); plain batches wait, since a list that stays plain to its
end needs none.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from phunt.errors import UsageError
from phunt.hashsets.columns import EntryBatch, fixed_width
from phunt.hashsets.setident import WIDTH, identity_keys
from phunt.hashsets.setspool import Allowance, Spool, VarSpool, take

MAX_SCHEMES = 255
MAX_ROWS = 2**32 - 2
"""Rows are numbered in uint32 columns (``row/<kind>``); the last value marks a dropped row."""


@dataclass
class KindSpool:
    """The rows that carry one fixed-width kind: their input index and their digests.

    ``index`` stays None while every row so far carries the kind (a plain list): the
    index is then the row number and is not written out.
    """

    index: Spool | None
    digests: Spool

    def add(
        self, start: int, mask: npt.NDArray[np.bool_], digests: npt.NDArray[np.uint8], chunk: int
    ) -> None:
        """Append the digests of the batch's rows in ``mask`` (the batch starts at ``start``)."""
        every = bool(mask.all())
        if self.index is None and not (every and start == self.digests.rows):
            self.index = Spool(
                self.digests.path.with_name("index." + self.digests.path.name),
                np.int64,
                allowance=self.digests.allowance,
            )
            for first in range(0, self.digests.rows, chunk):
                self.index.append(np.arange(first, min(first + chunk, self.digests.rows)))
        if self.index is not None:
            self.index.append(start + np.nonzero(mask)[0])
        self.digests.append(digests if every else take(digests, mask))

    def chunks(self, chunk: int) -> Iterator[tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]]:
        """(input rows, digests) chunk by chunk."""
        for start, digests in self.digests.chunks(chunk):
            if self.index is None:
                rows = np.arange(start, start + digests.shape[0], dtype=np.int64)
            else:
                rows = self.index.read(start, start + digests.shape[0])
            yield rows, digests


@dataclass
class Spooled:
    """A list spooled to scratch files, in list order ("input rows")."""

    folder: Path
    chunk: int
    allowance: Allowance
    rows: int = 0
    records: Spool = field(init=False)
    identity: Spool = field(init=False)
    codes: Spool | None = None
    schemes: Spool | None = None
    numbers: Spool | None = None
    scheme_names: list[str] = field(default_factory=list)
    kinds: dict[str, KindSpool] = field(default_factory=dict)
    strings: dict[str, VarSpool] = field(default_factory=dict)
    """``name``, ``extra`` and ``text/<kind>`` columns, made when a first value comes."""
    plain_batches: list[tuple[str, int, int, int]] = field(default_factory=list)
    """(kind, first digest in its spool, rows, first input row) of batches not yet hashed."""
    batches: int = 0

    def __post_init__(self) -> None:
        self.records = Spool(self.folder / "records", np.int64, allowance=self.allowance)
        self.identity = Spool(self.folder / "identity", np.uint8, WIDTH)

    def plain_kind(self) -> str | None:
        """The kind of a plain list: every batch plain, all of one kind."""
        kinds = {kind for kind, _, _, _ in self.plain_batches}
        if len(self.kinds) == 1 and kinds == set(self.kinds) and not self.strings_of("text/"):
            hashed = self.rows - sum(rows for _, _, rows, _ in self.plain_batches)
            if hashed == 0 and self.codes is None:
                return next(iter(kinds))
        return None

    def strings_of(self, prefix: str) -> list[str]:
        return [name for name in self.strings if name.startswith(prefix)]

    def add(self, batch: EntryBatch) -> None:
        _check(batch, self.batches)
        self.batches += 1
        n = len(batch)
        given = batch.numbers is not None
        if self.batches == 1:
            if given:
                self.numbers = Spool(self.folder / "numbers", np.int64)
        elif given != (self.numbers is not None):
            raise UsageError("entry numbers are given for some batches of the list but not all")
        if n == 0:
            return
        if self.rows + n > MAX_ROWS:
            raise UsageError(f"a list may hold at most {MAX_ROWS:,} entries in one version")
        start = self.rows
        self.records.append(batch.records)
        if self.numbers is not None and batch.numbers is not None:
            self.numbers.append(batch.numbers)
        codes, schemes = self._categories(batch)
        present_kinds = [k for k in batch.digests if np.any(batch.present[k])]
        first = 0
        for kind in present_kinds:
            mask = batch.present[kind]
            spool = self.kinds.get(kind)
            if spool is None:
                width = batch.digests[kind].shape[1]
                digests = Spool(self.folder / f"digests.{kind}", np.uint8, width, self.allowance)
                spool = KindSpool(None, digests)
                self.kinds[kind] = spool
            first = spool.digests.rows
            spool.add(start, mask, batch.digests[kind], self.chunk)
        texts = {k: v for k, v in batch.texts.items() if any(t is not None for t in v)}
        for kind, values in texts.items():
            self._strings(f"text/{kind}", start).append(values)
        if batch.names is not None and any(batch.names):
            self._strings("name", start).append(batch.names)
        if batch.extras is not None and any(batch.extras):
            self._strings("extra", start).append([_json(extra) for extra in batch.extras])
        self.rows += n
        for strings in self.strings.values():
            if strings.rows < self.rows:
                strings.lengths.fill(self.rows - strings.rows, 0, self.chunk)
        plain = len(present_kinds) == 1 and bool(np.all(batch.present[present_kinds[0]]))
        if plain and not texts and not np.any(codes >= 0):
            self.plain_batches.append((present_kinds[0], first, n, start))
            return
        fixed = {k: batch.digests[k] for k in present_kinds}
        present = {k: batch.present[k] for k in present_kinds}
        keys = identity_keys(fixed, present, texts, codes, schemes, self.scheme_names)
        self.identity.write_at(start, keys)

    def _categories(self, batch: EntryBatch) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        n = len(batch)
        codes = np.full(n, -1, dtype=np.int32)
        schemes = np.zeros(n, dtype=np.uint8)
        for row, category in enumerate(batch.categories or ()):
            if category is None:
                continue
            if category.scheme not in self.scheme_names:
                if len(self.scheme_names) == MAX_SCHEMES:
                    raise UsageError(f"a list may use at most {MAX_SCHEMES} category schemes")
                self.scheme_names.append(category.scheme)
            codes[row] = category.code
            schemes[row] = self.scheme_names.index(category.scheme)
        if self.codes is None and np.any(codes >= 0):
            self.codes = Spool(self.folder / "codes", np.int32, allowance=self.allowance)
            self.schemes = Spool(self.folder / "schemes", np.uint8, allowance=self.allowance)
            self.codes.fill(self.rows, -1, self.chunk)
            self.schemes.fill(self.rows, 0, self.chunk)
        if self.codes is not None and self.schemes is not None:
            self.codes.append(codes)
            self.schemes.append(schemes)
        return codes, schemes

    def _strings(self, name: str, start: int) -> VarSpool:
        spool = self.strings.get(name)
        if spool is None:
            spool = VarSpool(self.folder, name.replace("/", "."), self.allowance)
            self.strings[name] = spool
            spool.lengths.fill(start, 0, self.chunk)
        return spool

    def finish(self) -> None:
        """Hash the plain batches' rows too when the list as a whole is not plain."""
        if self.plain_kind() is None:
            for kind, first, rows, start in self.plain_batches:
                digests = self.kinds[kind].digests
                for offset in range(0, rows, self.chunk):
                    count = min(self.chunk, rows - offset)
                    values = digests.read(first + offset, first + offset + count)
                    self.identity.write_at(start + offset, plain_identity(kind, values))
            self.plain_batches = []
        if self.plain_kind() is None:
            self.identity.rows = self.rows


def plain_identity(kind: str, digests: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Hashed identities of rows that carry ``kind`` and nothing else."""
    count = digests.shape[0]
    return identity_keys(
        {kind: digests},
        {kind: np.ones(count, dtype=np.bool_)},
        {},
        np.full(count, -1, dtype=np.int32),
        np.zeros(count, dtype=np.uint8),
        [],
    )


def spool_batches(
    batches: Iterable[EntryBatch], folder: Path, chunk: int, allowance: Allowance
) -> Spooled:
    """Pass 1: every batch checked and spooled (in memory while ``allowance`` lasts)."""
    spooled = Spooled(folder=folder, chunk=chunk, allowance=allowance)
    for batch in batches:
        spooled.add(batch)
    spooled.finish()
    return spooled


def _json(extra: dict[str, Any]) -> str | None:
    if not extra:
        return None
    return json.dumps(extra, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _check(batch: EntryBatch, index: int) -> None:
    """Refuse a batch whose columns disagree in length, dtype or width (a reader's bug)."""
    n = len(batch)

    def fail(message: str) -> ValueError:
        return ValueError(f"batch {index}: {message}")

    if batch.records.ndim != 1 or batch.records.dtype != np.int64:
        raise fail("records must be a 1-D int64 array")
    for kind, values in batch.digests.items():
        width = fixed_width(kind)
        if width is None:
            raise fail(f"{kind} has no fixed width; it belongs in texts")
        mask = batch.present.get(kind)
        if values.dtype != np.uint8 or values.shape != (n, width):
            raise fail(f"{kind} digests must be ({n}, {width}) uint8, not {values.shape}")
        if mask is None or mask.dtype != np.bool_ or mask.shape != (n,):
            raise fail(f"{kind} needs a ({n},) bool mask of the rows that carry it")
    for kind, column in batch.texts.items():
        if fixed_width(kind) is not None or kind in batch.digests:
            raise fail(f"{kind} is a fixed-width kind; it belongs in digests")
        if len(column) != n:
            raise fail(f"{kind} texts have {len(column)} rows, not {n}")
    for name in ("categories", "names", "extras"):
        values = getattr(batch, name)
        if values is not None and len(values) != n:
            raise fail(f"{name} have {len(values)} rows, not {n}")
    for category in batch.categories or ():
        if category is not None and not -1 < category.code < 2**31:
            raise fail(f"category code {category.code} does not fit the set file")
    if batch.numbers is not None and (
        batch.numbers.dtype != np.int64 or batch.numbers.shape != (n,)
    ):
        raise fail(f"numbers must be ({n},) int64")
