"""The rows of a list being built, gathered from its batches, and their set-file columns.

Batches are checked where they enter (a reader's bug must not become a damaged set file),
then joined column by column. This module knows the layout of each column; the builder
decides which rows go in and with which numbers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from phunt.errors import UsageError
from phunt.hashsets.columns import EntryBatch, fixed_width
from phunt.hashsets.setfile import SetFile
from phunt.hashsets.setident import identity_keys
from phunt.hashsets.setwrite import Written, write_set_file

Array = np.ndarray[Any, Any]


@dataclass
class Rows:
    """Every row read, in list order, column by column (absent digests are zeros)."""

    records: npt.NDArray[np.int64]
    digests: dict[str, npt.NDArray[np.uint8]]
    present: dict[str, npt.NDArray[np.bool_]]
    texts: dict[str, list[str | None]]
    codes: npt.NDArray[np.int32]
    schemes: npt.NDArray[np.uint8]
    scheme_names: list[str]
    names: list[str | None] | None
    extras: list[dict[str, Any]] | None
    numbers: npt.NDArray[np.int64] | None

    def __len__(self) -> int:
        return int(self.records.shape[0])

    def plain_kind(self) -> str | None:
        """The kind of a plain list (one fixed-width kind on every row, nothing else)."""
        if len(self.digests) != 1 or self.texts or np.any(self.codes >= 0):
            return None
        kind = next(iter(self.digests))
        return kind if bool(np.all(self.present[kind])) else None

    def identity(self, *, hashed: bool = False) -> npt.NDArray[np.uint8]:
        """Each row's identity: the digest of a plain list, else its 16-byte hash."""
        kind = self.plain_kind()
        if kind is not None and not hashed:
            return self.digests[kind]
        return identity_keys(
            self.digests, self.present, self.texts, self.codes, self.schemes, self.scheme_names
        )


def collect(batches: Iterable[EntryBatch]) -> Rows:
    """All rows of ``batches``, each batch checked first."""
    checked = [_check(batch, index) for index, batch in enumerate(batches)]
    sizes = [len(batch) for batch in checked]
    total = sum(sizes)
    starts = np.cumsum([0, *sizes])
    digests: dict[str, npt.NDArray[np.uint8]] = {}
    present: dict[str, npt.NDArray[np.bool_]] = {}
    texts: dict[str, list[str | None]] = {}
    for batch, start in zip(checked, starts.tolist(), strict=False):
        for kind, values in batch.digests.items():
            if kind not in digests:
                digests[kind] = np.zeros((total, values.shape[1]), dtype=np.uint8)
                present[kind] = np.zeros(total, dtype=np.bool_)
            digests[kind][start : start + len(batch)] = values
            present[kind][start : start + len(batch)] = batch.present[kind]
            digests[kind][start : start + len(batch)][~batch.present[kind]] = 0
        for kind, column in batch.texts.items():
            texts.setdefault(kind, [None] * total)[start : start + len(batch)] = column
    scheme_names: list[str] = []
    codes = np.full(total, -1, dtype=np.int32)
    schemes = np.zeros(total, dtype=np.uint8)
    for batch, start in zip(checked, starts.tolist(), strict=False):
        for offset, category in enumerate(batch.categories or ()):
            if category is None:
                continue
            if category.scheme not in scheme_names:
                scheme_names.append(category.scheme)
            codes[start + offset] = category.code
            schemes[start + offset] = scheme_names.index(category.scheme)
    if len(scheme_names) > 255:
        raise UsageError("a list may use at most 255 category schemes")
    given = [batch.numbers is not None for batch in checked]
    if any(given) and not all(given):
        raise UsageError("entry numbers are given for some batches of the list but not all")
    return Rows(
        records=_joined([batch.records for batch in checked], np.int64),
        digests=digests,
        present=present,
        texts=texts,
        codes=codes,
        schemes=schemes,
        scheme_names=scheme_names,
        names=_listed([batch.names for batch in checked], sizes, None),
        extras=_listed([batch.extras for batch in checked], sizes, {}),
        numbers=_joined([b.numbers for b in checked if b.numbers is not None], np.int64)
        if checked and all(given)
        else None,
    )


def _check(batch: EntryBatch, index: int) -> EntryBatch:
    """Refuse a batch whose columns disagree in length, dtype or width (a reader's bug)."""
    n = len(batch)
    where = f"batch {index}"

    def fail(message: str) -> ValueError:
        return ValueError(f"{where}: {message}")

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
    return batch


def _joined(parts: list[Array], dtype: Any) -> Array:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def _listed(parts: list[list[Any] | None], sizes: list[int], empty: Any) -> list[Any] | None:
    if all(part is None for part in parts):
        return None
    joined: list[Any] = []
    for part, size in zip(parts, sizes, strict=True):
        joined.extend([empty] * size if part is None else part)
    return joined


def previous_keys(
    previous: SetFile, plain_kind: str | None
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64], bool]:
    """The previous version's identities, sorted, with their entry numbers.

    The last item says whether they are hashed identities (else digests of a plain list
    of ``plain_kind``), so the caller compares like with like.
    """
    numbers = np.asarray(previous.entry_numbers)
    identity = previous.column("identity")
    if identity is None and plain_kind is not None and previous.kinds == (plain_kind,):
        digests, rows = previous.digests(plain_kind)
        return np.asarray(digests), numbers[rows], False
    if identity is None:
        kinds = previous.kinds
        if len(kinds) != 1:
            return np.zeros((0, 16), dtype=np.uint8), numbers[:0], True
        digests, rows = previous.digests(kinds[0])
        none = np.full(digests.shape[0], -1, dtype=np.int32)
        identity = identity_keys(
            {kinds[0]: np.asarray(digests)},
            {kinds[0]: np.ones(digests.shape[0], dtype=np.bool_)},
            {},
            none,
            np.zeros(digests.shape[0], dtype=np.uint8),
            [],
        )
        numbers = numbers[rows]
    order = sorted_key_order(np.asarray(identity))
    return np.asarray(identity)[order], numbers[order], True


def sorted_key_order(keys: npt.NDArray[np.uint8]) -> npt.NDArray[np.intp]:
    """Stable order of (n, w) byte rows by their bytes."""
    view = np.ascontiguousarray(keys).view(f"S{keys.shape[1]}").reshape(-1)
    return np.argsort(view, kind="stable")


def write_rows(
    rows: Rows,
    order: npt.NDArray[np.int64],
    numbers: npt.NDArray[np.int64],
    keys: npt.NDArray[np.uint8],
    out_dir: Path,
    meta: Mapping[str, Any],
) -> Written:
    """Write rows ``order`` of ``rows`` (already in entry-number order) as a set file."""
    columns: dict[str, Array] = {"entry": numbers.astype(np.int64)}
    records = rows.records[order]
    small = records.shape[0] == 0 or (records.min() >= 0 and records.max() < 2**32)
    columns["record"] = records.astype(np.uint32 if small else np.int64)
    kinds: list[str] = []
    for kind in sorted(rows.digests):
        carried = rows.present[kind][order]
        values = rows.digests[kind][order][carried]
        if values.shape[0] == 0:
            continue
        at = np.nonzero(carried)[0]
        by_digest = sorted_key_order(values)
        columns[f"digest/{kind}"] = values[by_digest]
        columns[f"row/{kind}"] = at[by_digest].astype(np.uint32)
        kinds.append(kind)
    for kind in sorted(rows.texts):
        column = [rows.texts[kind][i] for i in order.tolist()]
        if _strings_into(columns, f"text/{kind}", column):
            kinds.append(kind)
    codes = rows.codes[order]
    if np.any(codes >= 0):
        columns["category/code"] = codes
        columns["category/scheme"] = np.where(codes >= 0, rows.schemes[order], 0).astype(np.uint8)
    if rows.names is not None:
        _strings_into(columns, "name", [rows.names[i] for i in order.tolist()])
    if rows.extras is not None:
        extras = [rows.extras[i] for i in order.tolist()]
        _strings_into(columns, "extra", [_json(extra) if extra else None for extra in extras])
    if rows.plain_kind() is None:
        columns["identity"] = keys[order]
    return write_set_file(
        out_dir, columns, kinds=sorted(kinds), schemes=rows.scheme_names, meta=meta
    )


def _json(extra: dict[str, Any]) -> str:
    return json.dumps(extra, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _strings_into(columns: dict[str, Array], name: str, values: list[str | None]) -> bool:
    """Add ``name/offsets`` and ``name/bytes`` unless every value is empty."""
    encoded = [b"" if value is None else value.encode("utf-8") for value in values]
    if not any(encoded):
        return False
    lengths = np.fromiter((len(raw) for raw in encoded), dtype=np.int64, count=len(encoded))
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    columns[f"{name}/offsets"] = offsets
    columns[f"{name}/bytes"] = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    return True
