"""The fuzz targets: every reader phunt has, called the way the pipeline calls it.

A target takes the bytes of one input and feeds them to phunt's public entry point for
its reader. What it may do with them: return a result, or raise one of ``allowed`` (phunt's
own errors, plus ``OSError`` where the pipeline's caller records it as the file's error).
Any other exception, a hang past the per-input limit, or memory past the per-input cap is a
finding (``fuzz/run.py`` enforces the last two). The same functions run the saved corrupt
corpus in the normal test suite (``tests/fuzz_corpus/test_corpus.py``).
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

from fuzz.mutate import json_variants, line_variants, mutated
from phunt.errors import PhuntError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "test_data"
SEEDS = DATA / "fuzz" / "seeds"
CORPUS = DATA / "fuzz"

Run = Callable[[bytes, Path], None]


def where(frames: Sequence[traceback.FrameSummary]) -> str:
    """The innermost phunt frame of a stack as ``package/module.py:line`` (else the
    innermost frame's file and line): what names one bug across runs and machines."""
    for frame in reversed(frames):
        _, found, inside = frame.filename.rpartition("/phunt/")
        if found:
            return f"{inside}:{frame.lineno}"
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"


#: Findings in readers this branch does not own (src/phunt/sources/), by target: the
#: finding's key (``<exception or hang>@<innermost phunt frame>``) and its corpus file.
#: ``make fuzz`` reports them as known and open instead of failing on them; the corpus
#: test skips their files, naming them, until the reader is fixed. None is open now.
KNOWN_OPEN: dict[str, dict[str, str]] = {}


def known_open(name: str, exc: BaseException, work: Path) -> bool:
    """Whether ``exc`` is a known open finding of target ``name``; if so it is noted once
    in ``WORK/known.txt`` for the parent, and fuzzing goes on past it."""
    key = f"{type(exc).__name__}@{where(traceback.extract_tb(exc.__traceback__))}"
    if key not in KNOWN_OPEN.get(name, {}):
        return False
    noted = work / "known.txt"
    if key not in (noted.read_text().splitlines() if noted.exists() else []):
        with noted.open("a") as out:
            out.write(key + "\n")
    return True


@dataclass(frozen=True)
class Target:
    """One reader under fuzzing.

    ``seeds`` are real fixture files; ``strategy`` builds inputs from their bytes;
    ``run(data, scratch)`` calls the reader (``scratch`` is a private folder for files a
    path-based reader needs); ``time_limit`` is the per-input limit in seconds.
    """

    name: str
    reader: str
    seeds: tuple[Path, ...]
    run: Run
    strategy: Callable[[Sequence[bytes]], st.SearchStrategy[bytes]] = mutated
    time_limit: float = 10.0
    notes: str = ""
    weight: float = 1.0
    companions: tuple[Path, ...] = field(default=())

    def seed_bytes(self) -> list[bytes]:
        return [path.read_bytes() for path in self.seeds]


# ------------------------------------------------------------------ hash lists


def _hashlist(fmt: str | None, suffix: str) -> Run:
    """Detection as ``hashset import`` does it, then the named reader forced on the bytes."""

    def run(data: bytes, scratch: Path) -> None:
        from phunt.hashsets.detect import open_hash_list

        for forced in (None, fmt):
            for scheme in (None, "vics-us-2.0"):
                try:
                    reader = open_hash_list(
                        io.BytesIO(data),
                        name=f"fuzz{suffix}",
                        format=forced,
                        category_scheme=scheme,
                    )
                    for _entry in reader.entries():
                        pass
                except PhuntError:
                    pass

    return run


def _either(
    *strategies: Callable[[Sequence[bytes]], st.SearchStrategy[bytes]],
) -> Callable[[Sequence[bytes]], st.SearchStrategy[bytes]]:
    return lambda seeds: st.one_of(*(make(seeds) for make in strategies))


HS = DATA / "hashsets"

# ------------------------------------------------------------------ chats


def _chat(parser_name: str, main: str) -> Run:
    """Content detection and parse as the chat import does (``detect_stream``, ``parse``),
    then the named parser forced; companions are the seed export's own files."""

    def run(data: bytes, scratch: Path) -> None:
        from phunt.chats import PARSERS, FolderChatSource, detect_stream

        (scratch / main).write_bytes(data)
        source = FolderChatSource(scratch)
        for forced in (False, True):
            try:
                with (scratch / main).open("rb") as stream:
                    cls = PARSERS.get(parser_name) if forced else detect_stream(stream, main)
                    cls().parse(stream, main, source=source, keep_messages=True)
            except PhuntError:
                pass

    return run


CH = DATA / "chats"

# ------------------------------------------------------------------ sources


def _source(suffix: str) -> Run:
    """The ingest walk (``open_evidence``), then every member read as the read stage does."""

    def run(data: bytes, scratch: Path) -> None:
        from phunt.sources.expand import open_evidence
        from phunt.sources.locator import close_caches

        path = scratch / f"evidence{suffix}"
        path.write_bytes(data)
        walk = scratch / "walk"
        walk.mkdir(exist_ok=True)
        try:
            for entry in open_evidence(str(path), scratch_dir=str(walk)):
                if entry.error is not None or entry.locator is None:
                    continue
                try:
                    with entry.open() as stream:
                        while stream.read(1 << 20):
                            pass
                except OSError:
                    pass  # the read stage records it as the file's error
        except PhuntError:
            pass
        finally:
            close_caches()

    return run


SRC = DATA / "sources"

# ------------------------------------------------------------------ pictures and video


def _exif(data: bytes, scratch: Path) -> None:
    """EXIF never raises: a damaged block yields what could be read."""
    from phunt.content.exif import read_exif

    read_exif(io.BytesIO(data))


def _picture(data: bytes, scratch: Path) -> None:
    """The PDQ stage's decode (both modes, EXIF from the same header) and hash."""
    from phunt.hashing.image_decode import decode
    from phunt.hashing.pdq import hash_decoded

    for fast in (False, True):
        with contextlib.suppress(PhuntError):
            hash_decoded(decode(io.BytesIO(data), fast=fast, exif=True))


def _video(data: bytes, scratch: Path) -> None:
    """The vPDQ stage's ``hash_video`` on one thread."""
    from phunt.hashing.vpdq import hash_video

    with contextlib.suppress(PhuntError):
        hash_video(io.BytesIO(data), threads=1)


IMG = DATA / "images"
VID = DATA / "video"

TARGETS: tuple[Target, ...] = (
    Target(
        "hashlist-plain",
        "hashsets/plain.py",
        (HS / "plain.txt", HS / "plain_pdq.txt", HS / "plain_utf16le.txt"),
        _hashlist("plain", ".txt"),
        _either(mutated, line_variants),
    ),
    Target(
        "hashlist-csv",
        "hashsets/csv_list.py",
        (
            HS / "list.csv",
            HS / "list_generic.csv",
            HS / "list_semicolon.csv",
            HS / "list_utf16le.csv",
        ),
        _hashlist("csv", ".csv"),
        _either(mutated, line_variants),
    ),
    Target(
        "hashlist-vics",
        "hashsets/vics.py",
        (HS / "vics13_hashset.json", HS / "vics2_case.json", HS / "vics2_hashset.json"),
        _hashlist("vics", ".json"),
        _either(mutated, json_variants),
    ),
    Target(
        "hashlist-icse",
        "hashsets/icse.py",
        (HS / "icse.csv",),
        _hashlist("icse", ".csv"),
        _either(mutated, line_variants),
    ),
    Target(
        "hashlist-nsrl-rds2",
        "hashsets/nsrl.py",
        (HS / "NSRLFile.txt",),
        _hashlist("nsrl-rds2", ".txt"),
        _either(mutated, line_variants),
    ),
    Target(
        "hashlist-nsrl-rds3",
        "hashsets/nsrl_v3.py",
        (HS / "RDS_2024.12.1_full.db",),
        _hashlist("nsrl-rds3", ".db"),
        lambda seeds: mutated(seeds, focus=20480),
    ),
    Target(
        "hashlist-threatexchange",
        "hashsets/threatexchange.py",
        (HS / "te_typed.txt", HS / "te_dataset.csv", HS / "te_hasher.txt"),
        _hashlist("threatexchange", ".txt"),
        _either(mutated, line_variants),
    ),
    Target(
        "hashlist-hashdeep",
        "hashsets/hashdeep.py",
        (HS / "hashdeep.txt",),
        _hashlist("hashdeep", ".txt"),
        _either(mutated, line_variants),
    ),
    Target(
        "hashlist-hashkeeper",
        "hashsets/hashkeeper.py",
        (HS / "hashkeeper.hsh",),
        _hashlist("hashkeeper", ".hsh"),
        _either(mutated, line_variants),
    ),
    Target(
        "hashlist-bsd-tag",
        "hashsets/bsd_tag.py",
        (HS / "bsd_tag.txt",),
        _hashlist("bsd-tag", ".txt"),
        _either(mutated, line_variants),
    ),
    Target(
        "hashlist-md5deep-z",
        "hashsets/md5deep_size.py",
        (HS / "md5deep_z.txt",),
        _hashlist("md5deep-z", ".txt"),
        _either(mutated, line_variants),
    ),
    Target(
        "hashlist-tsk-idx",
        "hashsets/tsk_idx.py",
        (HS / "notable.txt-md5.idx", HS / "NSRLFile.txt-md5.idx"),
        _hashlist("tsk-idx", ".idx"),
        _either(mutated, line_variants),
    ),
    Target(
        "hashlist-vpdq-file",
        "hashsets/vpdq_file.py",
        (HS / "vpdq_video.txt",),
        _hashlist("vpdq-file", ".txt"),
        _either(mutated, line_variants),
    ),
    Target(
        "hashlist-nsrl-zip",
        "hashsets/nsrl.py",
        (HS / "RDS_sample.zip",),
        _hashlist("nsrl-rds2", ".zip"),
    ),
    Target(
        "chat-whatsapp-txt",
        "chats/whatsapp_txt.py",
        (
            CH / "whatsapp/android_group/WhatsApp Chat with Ward 7 Residents.txt",
            CH / "whatsapp/ios_group/_chat.txt",
            CH / "whatsapp/android_private/WhatsApp Chat with Meera Nair.txt",
        ),
        _chat("whatsapp-txt", "WhatsApp Chat with Fuzz.txt"),
        _either(mutated, line_variants),
    ),
    Target(
        "chat-telegram-json",
        "chats/telegram_json.py",
        (
            CH / "telegram/single_chat/result.json",
            CH / "telegram/full_export/result.json",
            CH / "telegram/integer_from_id/result.json",
        ),
        _chat("telegram-json", "result.json"),
        _either(mutated, json_variants),
    ),
    Target(
        "chat-telegram-html",
        "chats/telegram_html.py",
        (CH / "telegram/html_export/messages.html",),
        _chat("telegram-html", "messages.html"),
        weight=0.5,
    ),
    Target(
        "chat-msgstore",
        "chats/whatsapp_msgstore.py",
        (CH / "msgstore/msgstore.db", CH / "msgstore/legacy/msgstore.db"),
        _chat("whatsapp-msgstore", "msgstore.db"),
        lambda seeds: mutated(seeds, focus=57344),
    ),
    Target(
        "archive-zip", "sources/zip.py", (SRC / "phone.zip", SRC / "zip64.zip"), _source(".zip")
    ),
    Target("archive-tar", "sources/tar.py", (SRC / "plain.tar",), _source(".tar"), weight=0.7),
    Target(
        "archive-compressed",
        "sources/gzip.py",
        (SRC / "note.txt.gz", SRC / "note.txt.bz2", SRC / "note.txt.xz", SRC / "logs.tar.bz2"),
        _source(".gz"),
    ),
    Target("archive-7z", "sources/sevenzip.py", (SRC / "plain.7z",), _source(".7z")),
    Target(
        "disk-raw",
        "sources/disk_image.py",
        (SEEDS / "tiny-ext2.raw", SEEDS / "tiny-mbr-ext2.raw"),
        _source(".raw"),
        lambda seeds: mutated(seeds, focus=16384),
        time_limit=10.0,
    ),
    Target(
        "disk-e01",
        "sources/disk_image.py",
        (SEEDS / "tiny-ext2.E01",),
        _source(".E01"),
        lambda seeds: mutated(seeds, focus=8192),
        time_limit=10.0,
    ),
    Target(
        "exif",
        "content/exif.py",
        (IMG / "scene-exif-rotate.jpg", SEEDS / "gps.jpg", SEEDS / "exif.png"),
        _exif,
    ),
    Target(
        "picture",
        "hashing/image_decode.py",
        (
            IMG / "scene-rgb.jpg",
            IMG / "scene-cmyk.jpg",
            IMG / "scene-p.png",
            IMG / "scene-la.png",
            IMG / "anim.gif",
            IMG / "anim.webp",
            IMG / "scene.heic",
            SEEDS / "tiny.bmp",
            SEEDS / "tiny.tiff",
        ),
        _picture,
        weight=1.5,
    ),
    Target(
        "video",
        "hashing/vpdq.py",
        (VID / "no-index.mp4", VID / "hevc.mkv", SEEDS / "tiny.webm"),
        _video,
        time_limit=30.0,
        weight=1.5,
    ),
)

BY_NAME = {target.name: target for target in TARGETS}


def scratch_dir() -> Path:
    """A private folder for one target's files (removed by the caller)."""
    return Path(tempfile.mkdtemp(prefix="phunt-fuzz-"))


def prepare(target: Target, scratch: Path) -> None:
    """Copy a chat seed's companion files (media) beside where the input is written."""
    if target.name.startswith("chat-"):
        for seed in target.seeds:
            for item in seed.parent.iterdir():
                if item.is_dir() and not (scratch / item.name).exists():
                    shutil.copytree(item, scratch / item.name)
