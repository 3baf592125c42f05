"""The registry of hash-list readers and format detection.

Detection tries the readers in registration order, most specific first, and takes the
first whose ``probe`` accepts the file's first :data:`~phunt.hashsets.base.HEAD_SIZE`
bytes: ``nsrl-rds3`` (SQLite), ``vics`` (JSON with an OData envelope), ``nsrl-rds2``
(``NSRLFile.txt`` by its columns, or NIST's zip of it), ``icse``
(``MD5;SHA1;PhotoDNA;...``), ``hashdeep`` (``%%%% HASHDEEP-1.0``), ``hashkeeper``
(``.hsh``), ``bsd-tag`` (``MD5 (name) = hash``), ``md5deep-z`` (``size  hash  path``),
``tsk-idx`` (The Sleuth Kit's index), ``vpdq-file`` (one video's frames),
``threatexchange`` (typed signal lines, dataset CSV, pdq-hasher output, HMA samples),
``csv`` (a header naming hash columns) and last ``plain`` (bare hashes), which would
otherwise claim single-column lists of the others. A head with a UTF-16/32 byte-order
mark is judged as UTF-8. :func:`reader_summaries` lists them for ``--format list``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from phunt.errors import NotFoundError, PhuntError, UsageError, WrongFormat
from phunt.hashsets.base import HEAD_SIZE, HashListReader
from phunt.hashsets.bsd_tag import BsdTagReader
from phunt.hashsets.csv_list import CsvReader
from phunt.hashsets.hashdeep import HashdeepReader
from phunt.hashsets.hashkeeper import HashKeeperReader
from phunt.hashsets.icse import IcseReader
from phunt.hashsets.md5deep_size import Md5deepSizeReader
from phunt.hashsets.nsrl import NsrlRds2Reader, NsrlRds3Reader
from phunt.hashsets.plain import PlainReader
from phunt.hashsets.threatexchange import ThreatExchangeReader
from phunt.hashsets.tsk_idx import TskIdxReader
from phunt.hashsets.unicode_text import bom_encoding, looks_like_bomless_utf16, utf8_head
from phunt.hashsets.vics import VicsReader
from phunt.hashsets.vpdq_file import VpdqFileReader
from phunt.registry import Registry

READERS: Registry[type[HashListReader]] = Registry("hash-list format")
for _reader in (
    NsrlRds3Reader,
    VicsReader,
    NsrlRds2Reader,
    IcseReader,
    HashdeepReader,
    HashKeeperReader,
    BsdTagReader,
    Md5deepSizeReader,
    TskIdxReader,
    VpdqFileReader,
    ThreatExchangeReader,
    CsvReader,
    PlainReader,
):
    READERS.register(_reader.name, _reader)


def reader_summaries() -> list[dict[str, str]]:
    """Each reader in detection order: name, the list kind its format implies, what it reads."""
    return [
        {
            "format": name,
            "list_kind": reader.kind_rule or reader.default_kind,
            "reads": (reader.__doc__ or "").strip().splitlines()[0].replace("``", ""),
        }
        for name, reader in READERS
    ]


def detect_head(head: bytes, name: str = "") -> type[HashListReader]:
    """The reader class whose probe accepts ``head``, the first bytes of the list ``name``."""
    if not head:
        raise WrongFormat("the file is empty", path=name)
    text = utf8_head(head, whole=len(head) < HEAD_SIZE)
    for _name, reader in READERS:
        if reader.probe(name, text):
            return reader
    hint = ""
    if bom_encoding(head) is None and looks_like_bomless_utf16(head):
        hint = (
            "; it looks like UTF-16 text without a byte-order mark: save it as UTF-8, "
            "or as UTF-16 with a byte-order mark"
        )
    raise WrongFormat(
        f"not a hash list phunt can read (tried {', '.join(READERS.names())}); "
        f"give --format if it is one of them{hint}{closest_reader(head)}",
        path=name,
    )


def closest_reader(head: bytes, *, records: int = 20) -> str:
    """Which reader came nearest to reading ``head``, and where it stopped, as a clause.

    Each reader reads the head as if it were the whole list; the one that read the most
    records before stopping (the first, on a tie) is named with its own reason, so a list
    that is almost a known shape says what is wrong with it.
    """
    if len(head) >= HEAD_SIZE and b"\n" in head:
        head = head[: head.rfind(b"\n") + 1]  # never judge a line cut at the buffer's edge
    best: tuple[int, str, str] | None = None
    for name, reader_class in READERS:
        read = 0
        reason = f"nothing, but its probe did not take the file (give --format {name})"
        try:
            for _entry in reader_class(io.BytesIO(head), name="head").entries():
                read += 1
                if read >= records:
                    break
        except PhuntError as error:
            reason = str(error).removeprefix("head:")
        except Exception:  # a reader that crashes on a foreign file gives no hint
            continue
        if read and (best is None or read > best[0]):
            best = (read, name, reason)
    if best is None:
        return ""
    read, name, reason = best
    return f"; closest: {name}, which read {read} record(s) and then stopped at {reason}"


def detect_format(path: str | Path) -> type[HashListReader]:
    """The reader class for ``path`` by content; ``WrongFormat`` if none recognises it."""
    file = Path(path)
    if not file.exists():
        raise NotFoundError(f"no such hash list: {file}")
    if not file.is_file():
        raise UsageError(f"not a file: {file}")
    with file.open("rb") as stream:
        return detect_head(stream.read(HEAD_SIZE), str(file))


def open_hash_list(
    source: str | Path | BinaryIO,
    *,
    name: str | None = None,
    format: str | None = None,
    category_scheme: str | None = None,
    kind: str | None = None,
) -> HashListReader:
    """A reader for ``source`` (a path, or a seekable binary stream named ``name``).

    ``format`` names the reader, else it is detected. ``category_scheme`` states how
    category codes are to be read (else the file's header must say, or the import stops at
    the first code); ``kind`` says what an ambiguous bare hash is (``pdq`` for 64-digit PDQ
    lists) for the plain and CSV formats.
    """
    if not isinstance(source, (str, Path)):
        source.seek(0)
        reader = READERS.get(format) if format else detect_head(source.read(HEAD_SIZE), name or "")
    elif format is None:
        reader = detect_format(source)
    else:
        reader = READERS.get(format)
        if not Path(source).is_file():
            raise NotFoundError(f"no such hash list: {source}")
    return reader(source, name=name, category_scheme=category_scheme, kind=kind)
