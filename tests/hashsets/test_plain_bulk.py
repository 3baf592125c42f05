"""PlainReader.batches(): the bulk read gives what entries() gives, line for line."""

from __future__ import annotations

import codecs
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phunt.errors import CorruptInput
from phunt.hashsets.base import HashEntry
from phunt.hashsets.columns import batches_from_entries
from phunt.hashsets.plain import PlainReader


def outcome(reader: PlainReader, bulk: bool) -> tuple[Any, Any]:
    """The entries (or the error) and the kind directives of one way of reading."""
    batches = reader.batches() if bulk else batches_from_entries(reader.entries())
    try:
        result: Any = [entry for batch in batches for entry in batch.entries()]
    except CorruptInput as error:
        result = ("error", str(error))
    directives = reader.metadata().pop("kind_directives", None)
    return result, directives


def same(path: Path, kind: str | None = None, chunk: int = 1 << 24) -> list[HashEntry]:
    """Read ``path`` both ways (bulk in ``chunk``-byte pieces); they must agree."""
    reader = PlainReader(path, kind=kind)
    reader.chunk_size = chunk
    bulk = outcome(reader, bulk=True)
    assert bulk == outcome(reader, bulk=False)
    return bulk[0]  # type: ignore[no-any-return]


def hexes(n: int, digits: int) -> list[str]:
    rng = np.random.default_rng(n + digits)
    return [bytes(row).hex() for row in rng.integers(0, 256, (n, digits // 2), dtype=np.uint8)]


def test_uniform_list_is_one_batch_per_chunk(tmp_path: Path) -> None:
    path = tmp_path / "md5.txt"
    values = hexes(1000, 32)
    path.write_text("".join(v.upper() + "\r\n" for v in values))
    reader = PlainReader(path)
    reader.chunk_size = 34 * 300
    batches = list(reader.batches())
    assert [len(b) for b in batches] == [300, 300, 300, 100]
    assert batches[0].names is None and batches[0].categories is None
    records = np.concatenate([b.records for b in batches])
    assert records.tolist() == list(range(1, 1001))
    assert [bytes(d).hex() for b in batches for d in b.digests["md5"]] == values


def test_mixed_list_with_comments_names_and_directives(tmp_path: Path) -> None:
    md5, sha1, wide = hexes(3, 32), hexes(3, 40), hexes(3, 64)
    lines = [
        "# exported list", md5[0], sha1[0].upper(), "", wide[0], "# kind: pdq", wide[1],
        md5[1] + "  report.pdf", "# kind: auto", wide[2], sha1[1], "   ", md5[2], sha1[2],
    ]  # fmt: skip
    path = tmp_path / "mixed.txt"
    path.write_bytes(("\ufeff" + "\n".join(lines)).encode())  # BOM, no final newline
    for chunk in (1, 7, 64, 1 << 20):
        entries = same(path, chunk=chunk)
        assert [(list(e.hashes), e.record, e.name) for e in entries] == [
            (["md5"], 2, None), (["sha1"], 3, None), (["sha256"], 5, None),
            (["pdq"], 7, None), (["md5"], 8, "report.pdf"), (["sha256"], 10, None),
            (["sha1"], 11, None), (["md5"], 13, None), (["sha1"], 14, None),
        ]  # fmt: skip
    assert [list(e.hashes) for e in same(path, kind="pdq")][2:4] == [["pdq"], ["pdq"]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a" * 32 + "\n" + "g" * 32 + "\n", "line 2: md5 is not hexadecimal"),
        ("a" * 32 + "\n" + "b" * 31 + "\n", r"line 2: not an MD5, SHA-1, SHA-256 or PDQ"),
        ("a" * 32 + "\r" + "b" * 32 + "\r", "line 1: a carriage return inside the line"),
        ("a" * 32 + "\n\n" + "b" * 31 + "\xe9\n", r"line 3: not utf-8 text \(byte 32 "),
    ],
)
def test_bad_lines_give_the_line_by_line_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="latin-1")
    for chunk in (5, 1 << 20):
        reader = PlainReader(path)
        reader.chunk_size = chunk
        with pytest.raises(CorruptInput, match=message):
            list(reader.batches())
    same(path)


def test_kind_option_that_refuses_a_width(tmp_path: Path) -> None:
    """MD5 shares its width with no kind: --hash-kind md5 refuses 64 digits (PDQ would not)."""
    path = tmp_path / "list.txt"
    path.write_text("a" * 32 + "\n" + "b" * 64 + "\n")
    with pytest.raises(CorruptInput, match="line 2: md5 must be 32 hex digits, got 64"):
        list(PlainReader(path, kind="md5").batches())
    assert same(path, kind="md5")[0] == "error"
    assert [list(e.hashes) for e in same(path, kind="pdq")] == [["md5"], ["pdq"]]


def test_utf16_list_is_read_in_bulk(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    values = hexes(50, 40)
    path.write_bytes(codecs.BOM_UTF16_LE + "\r\n".join(values).encode("utf-16-le"))
    assert [e.hashes["sha1"] for e in same(path, chunk=100)] == values


_LINE = st.one_of(
    st.sampled_from([32, 40, 64]).flatmap(
        lambda n: st.text("0123456789abcdefABCDEF", min_size=n, max_size=n)
    ),
    st.text("0123456789abcdef", max_size=70),
    st.sampled_from(["", " ", "\t", "# note", "# kind: pdq", "# kind: auto", "# kind: sha1",
                     "# kind: vpdq", "\ufeff" + "a" * 32, "a" * 32 + " \t*name",
                     "a" * 32 + "\x0b", "a" * 32 + " \u3000*x\u3000", "a" * 32 + " na\rme"]),
    st.text(max_size=20),
    st.tuples(
        st.sampled_from([32, 40, 64, 31]).map(lambda n: "c" * n),
        st.sampled_from([" ", "\t", " *", " \t *", "\u3000", "\x0b"]),
        st.text(max_size=12),
    ).map("".join),
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(_LINE, max_size=30),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    mixed_endings=st.booleans(),
    last_newline=st.booleans(),
    bom=st.sampled_from(["", "\ufeff", "utf-16"]),
    kind=st.sampled_from([None, "pdq", "md5", "sha256", "vpdq", "toy_name"]),
    chunk=st.integers(1, 200),
    junk=st.booleans(),
)
def test_bulk_read_equals_line_by_line(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[str],
    ending: str,
    mixed_endings: bool,
    last_newline: bool,
    bom: str,
    kind: str | None,
    chunk: int,
    junk: bool,
) -> None:
    ends = [("\r\n" if i % 2 else "\n") if mixed_endings else ending for i in range(len(lines))]
    text = "".join(line + end for line, end in zip(lines, ends, strict=True))
    if not last_newline and text:
        text = text[: -len(ends[-1])]
    if bom == "utf-16":
        raw = codecs.BOM_UTF16_LE + text.encode("utf-16-le", errors="surrogatepass")
    else:
        raw = (bom + text).encode("utf-8", errors="surrogatepass")
    if junk and raw:
        raw = raw[: len(raw) // 2] + b"\xff" + raw[len(raw) // 2 :]
    path = tmp_path_factory.mktemp("plain") / "list.txt"
    path.write_bytes(raw)
    same(path, kind=kind, chunk=chunk)


def test_bulk_memory_is_bounded_by_the_chunk(tmp_path: Path) -> None:
    """Peak memory follows the chunk size, not the list: 200,000 lines in 256 KiB pieces."""
    path = tmp_path / "big.txt"
    path.write_text("".join(v + "\n" for v in hexes(200_000, 32)))
    reader = PlainReader(path)
    reader.chunk_size = 256 * 1024
    tracemalloc.start()
    try:
        count = sum(len(batch) for batch in reader.batches())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert peak < 12 * reader.chunk_size, f"peak {peak} bytes"
