"""Locators: JSON round trip, and every member of every container reopened from its own."""

from __future__ import annotations

import gzip
import io
import os
import pickle
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import py7zr
import pytest
from hypothesis import given
from hypothesis import strategies as st

from phunt.sources import locator as locator_module
from phunt.sources.base import Entry
from phunt.sources.expand import open_evidence
from phunt.sources.locator import (
    ContainerCache,
    Hop,
    Locator,
    close_caches,
    close_thread_cache,
    open_locator,
    open_read_only,
)
from test_lib import make_ext2_image

MEMBERS = {
    "DCIM/IMG_0001.jpg": b"\xff\xd8\xff" + bytes(range(256)) * 40,
    "notes/todo.txt": b"Buy bread.\n",
    "empty.bin": b"",
}

_names = st.text(st.characters(blacklist_categories=()), max_size=30)


@given(path=_names, hops=st.lists(st.tuples(_names, _names), max_size=4))
def test_json_round_trip_is_exact(path: str, hops: list[tuple[str, str]]) -> None:
    """Any path (lone surrogates from undecodable names included) and any keys survive."""
    where = Locator(path, tuple(Hop(source, key) for source, key in hops))
    assert Locator.from_json(where.to_json()) == where
    assert pickle.loads(pickle.dumps(where)) == where


def test_str_reads_as_the_chain_of_hops() -> None:
    where = Locator("/ev/phone.zip").child("zip", "3:DCIM/a.zip").child("zip", "0:b.jpg")
    assert str(where) == "/ev/phone.zip -> zip:3:DCIM/a.zip -> zip:0:b.jpg"
    assert where.parent == Locator("/ev/phone.zip", (Hop("zip", "3:DCIM/a.zip"),))
    with pytest.raises(ValueError, match="no container"):
        _ = Locator("/ev/a.jpg").parent


@pytest.mark.parametrize(
    "text",
    ["", "[]", '{"path": 3, "hops": []}', '{"hops": []}', "[" * 100_000 + "]" * 100_000],
    ids=["empty", "list", "path-not-text", "no-path", "100000-deep"],
)
def test_from_json_refuses_what_is_not_a_locator(text: str) -> None:
    with pytest.raises(ValueError, match="not a locator"):
        Locator.from_json(text)


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar(members: dict[str, bytes], mode: str = "w") -> bytes:
    infos = [tarfile.TarInfo(name) for name in members]
    for info, data in zip(infos, members.values(), strict=True):
        info.size = len(data)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for info, data in zip(infos, members.values(), strict=True):
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _seven_zip(path: Path, members: dict[str, bytes]) -> None:
    with py7zr.SevenZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(data, name)


def _zip_in_zip(path: Path) -> dict[str, bytes]:
    inner = _zip(MEMBERS)
    path.write_bytes(_zip({"backup/inner.zip": inner, "top.txt": b"top\n"}))
    nested = {f"backup/inner.zip!/{k}": v for k, v in MEMBERS.items()}
    return {"backup/inner.zip": inner, "top.txt": b"top\n", **nested}


def _zip_in_tar(path: Path) -> dict[str, bytes]:
    inner = _zip(MEMBERS)
    path.write_bytes(_tar({"inner.zip": inner, "readme.txt": b"read me\n"}))
    nested = {f"inner.zip!/{k}": v for k, v in MEMBERS.items()}
    return {"inner.zip": inner, "readme.txt": b"read me\n", **nested}


def _repeated_names(path: Path) -> dict[str, bytes]:
    """A zip holding one name twice: the index in the key tells the two apart."""
    with zipfile.ZipFile(path, "w") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("same.txt", b"first\n")
        archive.writestr("same.txt", b"second\n")
    return {}


def _repeated_names_7z(path: Path) -> dict[str, bytes]:
    """A 7z holding one name twice around an empty member: keys tell the three apart."""
    with py7zr.SevenZipFile(path, "w") as archive:
        archive.writestr(b"first\n", "same.txt")
        archive.writestr(b"", "empty.txt")
        archive.writestr(b"second\n", "same.txt")
    return {}


def _raw_image(path: Path) -> dict[str, bytes]:
    make_ext2_image(path, MEMBERS)
    return dict(MEMBERS)


def _image_in_zip(path: Path) -> dict[str, bytes]:
    image = make_ext2_image(path.parent / "disk.raw", MEMBERS)
    # Stored: a mostly empty image deflates past the archive-bomb ratio.
    path.write_bytes(_zip({"images/disk.raw": image.read_bytes()}, zipfile.ZIP_STORED))
    nested = {f"images/disk.raw!/{k}": v for k, v in MEMBERS.items()}
    return {"images/disk.raw": image.read_bytes(), **nested}


FIXTURES: dict[str, tuple[str, Callable[[Path], dict[str, bytes]]]] = {
    "zip": ("phone.zip", lambda p: p.write_bytes(_zip(MEMBERS)) and dict(MEMBERS)),
    "tar": ("phone.tar", lambda p: p.write_bytes(_tar(MEMBERS)) and dict(MEMBERS)),
    "tar.gz": ("phone.tar.gz", lambda p: p.write_bytes(_tar(MEMBERS, "w:gz")) and dict(MEMBERS)),
    "7z": ("phone.7z", lambda p: _seven_zip(p, MEMBERS) or dict(MEMBERS)),
    "gz": (
        "note.txt.gz",
        lambda p: p.write_bytes(gzip.compress(b"n" * 999)) and {"note.txt": b"n" * 999},
    ),
    "zip in zip": ("outer.zip", _zip_in_zip),
    "zip in tar": ("outer.tar", _zip_in_tar),
    "repeated names": ("twice.zip", _repeated_names),
    "repeated names 7z": ("twice.7z", _repeated_names_7z),
    "raw disk image": ("disk.raw", _raw_image),
    "disk image in zip": ("images.zip", _image_in_zip),
}


def _read(entry: Entry) -> bytes:
    with entry.open() as stream:
        return stream.read()


@pytest.mark.parametrize("kind", FIXTURES)
def test_every_member_reopens_from_its_locator(tmp_path: Path, kind: str) -> None:
    """Bytes read from the locator alone, with every container closed and the locator
    rebuilt from its JSON, equal the bytes read during the walk and the bytes put in."""
    name, make = FIXTURES[kind]
    evidence = tmp_path / name
    expected = make(evidence)
    during: list[tuple[str, bytes]] = []
    locators: list[str] = []
    for entry in open_evidence(str(evidence)):
        assert entry.error is None, (entry.path, entry.error)
        assert entry.locator is not None and entry.locator.path == str(evidence)
        during.append((entry.path, _read(entry)))
        locators.append(entry.locator.to_json())
    close_caches()
    after = []
    for text in locators:
        with open_locator(Locator.from_json(text)) as stream:
            after.append(stream.read())
    assert after == [data for _path, data in during]
    prefix = f"{evidence}!/"
    if kind == "repeated names":
        assert during == [(f"{prefix}same.txt", b"first\n"), (f"{prefix}same.txt", b"second\n")]
        assert len(set(locators)) == 2
    elif kind == "repeated names 7z":
        assert during == [
            (f"{prefix}same.txt", b"first\n"),
            (f"{prefix}empty.txt", b""),
            (f"{prefix}same.txt", b"second\n"),
        ]
        assert len(set(locators)) == 3
    else:
        assert {path.removeprefix(prefix): data for path, data in during} == expected


def test_a_local_file_is_a_locator_without_hops(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"plain")
    (entry,) = open_evidence(str(tmp_path))
    assert entry.locator == Locator(str(path)) and entry.local_path == str(path)
    assert _read(entry) == b"plain"


def test_an_entry_pickles_and_reopens_in_the_other_process_shape(tmp_path: Path) -> None:
    (tmp_path / "phone.zip").write_bytes(_zip(MEMBERS))
    entries = list(open_evidence(str(tmp_path / "phone.zip")))
    copies = pickle.loads(pickle.dumps(entries))
    assert copies == entries
    close_caches()
    assert [_read(copy) for copy in copies] == list(MEMBERS.values())
    assert all(copy.local_path is None for copy in copies)


def test_an_entry_with_no_locator_cannot_be_opened() -> None:
    with pytest.raises(OSError, match="encrypted"):
        Entry(path="a.zip!/x", error="encrypted member: not read").open()


def test_members_of_one_zip_open_it_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from phunt.sources import expand

    many = {f"m{i:04d}.txt": f"{i}\n".encode() for i in range(300)}
    (tmp_path / "many.zip").write_bytes(_zip(many))
    entries = list(open_evidence(str(tmp_path / "many.zip")))
    close_caches()
    made: list[str] = []
    make_source = expand.make_source

    def counting(name: str, *args: object, **kwargs: object) -> object:
        made.append(name)
        return make_source(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(expand, "make_source", counting)
    assert [_read(entry) for entry in entries] == list(many.values())
    assert made == ["zip"]


def test_evicted_and_closed_caches_remove_their_spools(tmp_path: Path) -> None:
    (tmp_path / "a.zip").write_bytes(_zip({"in.zip": _zip({"x.txt": b"x"})}))
    (tmp_path / "b.zip").write_bytes(_zip({"in.zip": _zip({"y.txt": b"y"})}))
    cache = ContainerCache(size=1)
    first = Locator(str(tmp_path / "a.zip")).child("zip", "0:in.zip")
    second = Locator(str(tmp_path / "b.zip")).child("zip", "0:in.zip")
    with cache.container(first, "zip").open_member("0:x.txt") as stream:
        assert stream.read() == b"x"
    assert len(os.listdir(cache.scratch)) == 1
    with cache.container(second, "zip").open_member("0:y.txt") as stream:
        assert stream.read() == b"y"
    assert len(os.listdir(cache.scratch)) == 1  # the first spool went with its container
    cache.close()
    assert not os.path.exists(cache.scratch)


def test_a_threads_cache_closes_after_a_run_and_a_closed_cache_is_replaced(
    tmp_path: Path,
) -> None:
    import threading

    (tmp_path / "a.zip").write_bytes(_zip({"in.zip": _zip({"x.txt": b"x"})}))
    nested = Locator(str(tmp_path / "a.zip")).child("zip", "0:in.zip").child("zip", "0:x.txt")
    with open_locator(nested) as stream:
        assert stream.read() == b"x"
    scratch = locator_module._cache().scratch
    assert os.listdir(scratch)  # the nested zip's copy
    close_thread_cache()
    assert not os.path.exists(scratch)
    with open_locator(nested) as stream:  # a new cache for this thread
        assert stream.read() == b"x"
    # Caches closed from another thread are replaced, not reused with their folder gone.
    closer = threading.Thread(target=close_caches)
    closer.start()
    closer.join()
    with open_locator(nested) as stream:
        assert stream.read() == b"x"
    close_thread_cache()


def test_a_wrong_key_is_an_oserror(tmp_path: Path) -> None:
    (tmp_path / "a.zip").write_bytes(_zip(MEMBERS))
    where = Locator(str(tmp_path / "a.zip"))
    for key in ("0:not-this-name", "99:x", "nonsense"):
        with pytest.raises(OSError, match=r"no member|cannot open|invalid"):
            open_locator(where.child("zip", key))


_FRESH = """
import sys
from phunt.sources.locator import Locator, open_locator
where = Locator(sys.argv[1])
loaded = "phunt.sources.expand" in sys.modules
with open_locator(where.child("zip", "1:notes/todo.txt")) as stream:
    print(loaded, stream.read() == b"Buy bread.\\n", "phunt.sources.expand" in sys.modules)
try:
    open_locator(where.child("nope", "x"))
except OSError as exc:
    print(exc)
"""


def test_a_process_that_never_walked_loads_the_container_sources_at_its_first_open(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.zip").write_bytes(_zip(MEMBERS))
    child = [sys.executable, "-c", _FRESH, str(tmp_path / "a.zip")]
    done = subprocess.run(child, capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.splitlines() == [
        "False True True",
        f"{tmp_path / 'a.zip'}: no container source 'nope' (is phunt.sources.expand imported?)",
    ]


def test_a_forked_child_gets_its_own_cache() -> None:
    """A pool worker forked from the coordinator opens and removes only its own
    containers and scratch, never the coordinator's."""
    parent = locator_module._cache()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        child = locator_module._cache()
        own = child is not parent and child.scratch != parent.scratch
        close_caches()
        os.write(write, b"1" if own and not os.path.exists(child.scratch) else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert os.path.isdir(parent.scratch)


def _past(path: Path) -> float:
    st = path.stat()
    os.utime(path, (st.st_mtime - 10 * 86400, st.st_mtime))
    return path.stat().st_atime


@pytest.mark.skipif(not hasattr(os, "O_NOATIME"), reason="no O_NOATIME on this system")
def test_evidence_is_read_without_moving_its_access_time(tmp_path: Path) -> None:
    path = tmp_path / "owned.bin"
    path.write_bytes(b"evidence" * 1000)
    before = _past(path)
    with open(path, "rb") as fh:
        fh.read()
    if path.stat().st_atime == before:
        pytest.skip("this file system does not update access times")
    before = _past(path)
    with open_read_only(str(path)) as fh:
        assert fh.read() == b"evidence" * 1000
    with open_locator(Locator(str(path))) as fh:
        fh.read()
    assert path.stat().st_atime == before


def test_a_refused_o_noatime_falls_back_to_a_plain_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """O_NOATIME needs the owner or CAP_FOWNER: EPERM means open normally; EACCES (not
    readable at all) is the caller's error."""
    import errno

    path = tmp_path / "theirs.bin"
    path.write_bytes(b"x")
    real_open = os.open
    flags_seen: list[int] = []
    refusal = errno.EPERM

    def fake_open(name: str, flags: int, *args: int) -> int:
        flags_seen.append(flags)
        if flags & 0o1000000:
            raise PermissionError(refusal, os.strerror(refusal), name)
        return real_open(name, flags, *args)

    monkeypatch.setattr(locator_module, "_NOATIME", 0o1000000)
    monkeypatch.setattr(os, "open", fake_open)
    with open_read_only(str(path)) as fh:
        assert fh.read() == b"x"
    assert [bool(f & 0o1000000) for f in flags_seen] == [True, False]
    refusal = errno.EACCES
    with pytest.raises(PermissionError):
        open_read_only(str(path))
