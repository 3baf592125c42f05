"""``phunt hash`` and ``phunt scan`` as an officer runs them."""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from test_lib import ewf_subset, run_phunt


def _jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _hostile_tree(root: Path) -> None:
    (root / "ok").mkdir(parents=True)
    (root / "ok" / "a.txt").write_bytes(b"alpha\n")
    (root / "secret.txt").write_bytes(b"cannot read me")
    (root / "secret.txt").chmod(0)
    (root / "locked").mkdir()
    (root / "locked" / "hidden.txt").write_bytes(b"x")
    (root / "locked").chmod(0)
    os.mkfifo(root / "pipe")
    os.symlink("nowhere", root / "dangling")
    (root / os.fsdecode(b"caf\xe9.txt")).write_bytes(b"latin-1 name")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    root = tmp_path / "evidence"
    _hostile_tree(root)
    yield root
    (root / "locked").chmod(0o755)


def test_hash_json_lines_and_errors(hostile: Path) -> None:
    result = run_phunt("hash", str(hostile), "--json", drop_privileges=True)
    assert result.returncode == 2  # some files could not be read
    records = {Path(r["path"]).name: r for r in _jsonl(result.stdout)}
    ok = records["a.txt"]
    assert ok == {
        "path": str(hostile / "ok" / "a.txt"),
        "size": 6,
        "md5": hashlib.md5(b"alpha\n").hexdigest(),
        "sha1": hashlib.sha1(b"alpha\n").hexdigest(),
        "sha256": hashlib.sha256(b"alpha\n").hexdigest(),
        "mime": "text/plain",
        "pdq": None,
        "pdq_quality": None,
        "error": None,
    }
    assert "Permission denied" in str(records["secret.txt"]["error"])
    assert records["secret.txt"]["md5"] is None
    assert "cannot list folder: Permission denied" in str(records["locked"]["error"])
    assert "FIFO" in str(records["pipe"]["error"])
    assert "broken symbolic link" in str(records["dangling"]["error"])
    bad_name = records["caf\\xe9.txt"]
    assert "not valid UTF-8" in str(bad_name["error"])
    assert bad_name["sha256"] == hashlib.sha256(b"latin-1 name").hexdigest()
    assert len(records) == 6


def test_hash_plain_output(tmp_path: Path) -> None:
    (tmp_path / "f.bin").write_bytes(b"\x00\x01")
    result = run_phunt("hash", str(tmp_path))
    assert result.returncode == 0
    assert result.stdout.startswith(hashlib.sha256(b"\x00\x01").hexdigest())


def test_hash_missing_path(tmp_path: Path) -> None:
    result = run_phunt("hash", str(tmp_path / "nope"), "--json")
    assert result.returncode == 2
    assert _jsonl(result.stdout)[0]["error"] == "no such file or folder"


def _peak_kib_of_hash(*args: str) -> tuple[list[str], int]:
    code = (
        "import sys\n"
        "sys.argv = ['phunt', 'hash', '--json', *sys.argv[1:]]\n"
        "from phunt.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    return lines[:-1], int(lines[-1])


@pytest.mark.slow
def test_hash_streams_large_files_in_bounded_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with open(big, "wb") as fh:  # 1 GiB of real data, not a sparse hole
        block = random.Random(7).randbytes(1 << 20)
        for _ in range(1024):
            fh.write(block)
    lines, peak_kib = _peak_kib_of_hash(str(big))
    assert json.loads(lines[0])["size"] == 1 << 30
    assert peak_kib < 100 * 1024, f"peak RSS {peak_kib} KiB"


@pytest.mark.slow
def test_crypto_only_hash_of_a_gigabyte_of_files_with_pictures(tmp_path: Path) -> None:
    from PIL import Image

    ev = tmp_path / "ev"
    ev.mkdir()
    block = random.Random(8).randbytes(1 << 20)
    for i in range(16):  # 16 x 64 MiB
        with open(ev / f"part{i:02d}.bin", "wb") as fh:
            for _ in range(64):
                fh.write(block)
    for i in range(10):
        Image.radial_gradient("L").resize((1600, 1200)).convert("RGB").save(ev / f"p{i}.jpg")
    lines, peak_kib = _peak_kib_of_hash("--no-pdq", str(ev))
    records = [json.loads(line) for line in lines]
    assert len(records) == 26 and all(r["pdq"] is None for r in records)
    assert sum(r["size"] for r in records) >= 1 << 30
    assert peak_kib < 100 * 1024, f"peak RSS {peak_kib} KiB"


def test_scan_json_and_exit_status(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "known.jpg").write_bytes(b"pretend picture")
    (ev / "other.txt").write_bytes(b"shopping list")
    hl = tmp_path / "list.txt"
    hl.write_text(hashlib.md5(b"pretend picture").hexdigest() + "\n")
    found = run_phunt("scan", str(ev), "--hashlist", str(hl), "--json")
    assert found.returncode == 1, found.stderr
    lines = _jsonl(found.stdout)
    assert lines[0] == {
        "type": "match",
        "path": str(ev / "known.jpg"),
        "sha256": hashlib.sha256(b"pretend picture").hexdigest(),
        "kind": "md5",
        "list": "list.txt",
        "category": None,
        "distance": 0,
        "entry": 1,
        "version": None,
    }
    summary = lines[-1]
    assert summary["type"] == "summary"
    assert (summary["files"], summary["matched_files"], summary["errors"]) == (2, 1, 0)
    assert summary["bytes"] == len(b"pretend picture") + len(b"shopping list")

    (ev / "known.jpg").unlink()
    clean = run_phunt("scan", str(ev), "--hashlist", str(hl), "--json")
    assert clean.returncode == 0
    os.mkfifo(ev / "pipe")
    with_error = run_phunt("scan", str(ev), "--hashlist", str(hl), "--json")
    assert with_error.returncode == 2
    assert {
        "type": "error",
        "path": str(ev / "pipe"),
        "error": "skipped: a FIFO (named pipe), not a regular file",
    } in _jsonl(with_error.stdout)


def test_scan_bad_list_is_one_clear_line(tmp_path: Path) -> None:
    hl = tmp_path / "list.txt"
    hl.write_text("d41d8cd98f00b204e9800998ecf8427e\nnot-a-hash-zz\n")
    result = run_phunt("scan", str(tmp_path), "--hashlist", str(hl))
    assert result.returncode == 2
    assert result.stderr.startswith("phunt: error:") and "line 2" in result.stderr
    missing = run_phunt("scan", str(tmp_path))
    assert missing.returncode == 2 and "--hashlist" in missing.stderr


def test_hash_opens_containers_unless_told_not_to(tmp_path: Path) -> None:
    import zipfile

    z = tmp_path / "phone.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("DCIM/a.txt", "inside the zip")
    expanded = _jsonl(run_phunt("hash", str(z), "--json").stdout)
    assert [r["path"] for r in expanded] == [str(z), f"{z}!/DCIM/a.txt"]
    assert expanded[1]["sha256"] == hashlib.sha256(b"inside the zip").hexdigest()
    whole = _jsonl(run_phunt("hash", str(z), "--no-expand", "--json").stdout)
    assert [r["path"] for r in whole] == [str(z)]
    assert whole[0]["sha256"] == hashlib.sha256(z.read_bytes()).hexdigest()


def test_hash_flags_deleted_files_of_a_disk_image() -> None:
    from test_lib import shared_folder

    image = shared_folder("reference/disk-images") / "ímynd.dd"
    result = run_phunt("hash", str(image), "--json")
    # Exit 2: the deleted names have no recoverable content, which `hash` counts as errors.
    assert result.returncode == 2, result.stderr
    records = _jsonl(result.stdout)
    assert all(r["path"].startswith(f"{image}!/") for r in records)
    # The deleted names `fls -r -p -d` lists (reference/disk-images/MANIFEST.md).
    deleted = [(str(r["path"]).split("!/")[1], r["md5"]) for r in records if r.get("deleted")]
    assert deleted == [("a_directory/.another_file.swp", None), ("a_directory/another_file~", None)]
    present = {str(r["path"]).split("!/")[1]: r["md5"] for r in records if not r.get("deleted")}
    assert present["passwords.txt"] == "39cb097008d17660abd0539891a672af"


def test_hash_and_scan_with_workers_print_what_one_process_prints(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    ev.mkdir()
    for i in range(30):
        (ev / f"f{i:02}.txt").write_text(f"line {i}\n")
    lst = tmp_path / "list.txt"
    lst.write_text(hashlib.sha1(b"line 7\n").hexdigest() + "\n")
    for command in (["hash"], ["scan", "--hashlist", str(lst)]):
        one = run_phunt(*command, str(ev), "--json")
        two = run_phunt(*command, str(ev), "--json", "--workers", "2")
        assert one.returncode == two.returncode == (0 if command == ["hash"] else 1)
        strip = [{k: v for k, v in r.items() if k != "elapsed_s"} for r in _jsonl(one.stdout)]
        assert strip == [
            {k: v for k, v in r.items() if k != "elapsed_s"} for r in _jsonl(two.stdout)
        ]
    assert any(r.get("type") == "match" for r in _jsonl(two.stdout))


@pytest.mark.parametrize(("kept", "missing"), [((1, 3), "notes.E02"), ((1, 2), "notes.E03")])
def test_e01_set_missing_a_segment_is_one_error_line(
    tmp_path: Path, kept: tuple[int, ...], missing: str
) -> None:
    first = ewf_subset(tmp_path / "ev", *kept)
    lst = tmp_path / "list.txt"
    lst.write_text("d41d8cd98f00b204e9800998ecf8427e\n")
    line = f"{first}!/: EWF set incomplete: segment {missing} is missing"
    for command in (["hash"], ["scan", "--hashlist", str(lst)]):
        result = run_phunt(*command, str(first))
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.splitlines()[0].startswith(line), result.stderr
    records = _jsonl(run_phunt("scan", str(first), "--hashlist", str(lst), "--json").stdout)
    assert [r for r in records if r["type"] == "error"] == [
        {
            "type": "error",
            "path": f"{first}!/",
            "error": f"EWF set incomplete: segment {missing} is missing "
            f"(found {', '.join(f'notes.E{n:02d}' for n in range(1, int(missing[-1])))})",
        }
    ]


def test_scan_reads_a_utf16_hash_list(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "a.txt").write_bytes(b"listed text")
    lst = tmp_path / "list.txt"  # as Windows Notepad saves "Unicode" text
    text = f"# saved as UTF-16\r\n{hashlib.md5(b'listed text').hexdigest()}\r\n"
    lst.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    result = run_phunt("scan", str(ev), "--hashlist", str(lst), "--json")
    assert result.returncode == 1, result.stderr
    assert [r["path"] for r in _jsonl(result.stdout) if r["type"] == "match"] == [str(ev / "a.txt")]


def test_a_file_starting_like_gzip_is_hashed_as_a_plain_file() -> None:
    sources = Path(__file__).resolve().parents[2] / "test_data" / "sources"
    for name in ("starts_1f8b.bin", "gzip_header_then_noise.gz"):
        path = sources / name
        result = run_phunt("hash", str(path), "--json", "--no-pdq")
        assert result.returncode == 0, result.stderr
        [record] = _jsonl(result.stdout)
        assert record["path"] == str(path) and record["error"] is None
        assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_fifo_named_as_the_root_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    for command in (["hash"], ["scan", "--hashlist", str(tmp_path / "l.txt")]):
        (tmp_path / "l.txt").write_text("d41d8cd98f00b204e9800998ecf8427e\n")
        result = subprocess.run(
            [sys.executable, "-m", "phunt", *command, str(tmp_path / "pipe")],
            capture_output=True,
            text=True,
            timeout=60,  # the old code blocked reading the FIFO for ever
        )
        assert result.returncode == 2
        assert "a FIFO (named pipe): not a file, folder or disk to read" in result.stderr


@pytest.mark.parametrize("workers", ["-3", "0", "5000"])
def test_workers_out_of_range_is_refused(tmp_path: Path, workers: str) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "l.txt").write_text("d41d8cd98f00b204e9800998ecf8427e\n")
    for command in (["hash"], ["scan", "--hashlist", str(tmp_path / "l.txt")]):
        result = run_phunt(*command, str(tmp_path / "a.txt"), "--workers", workers)
        assert result.returncode == 2
        assert result.stderr.startswith("phunt: error: --workers must be within 1..")
        assert f"not {workers}" in result.stderr and result.stdout == ""


def test_e01_segment_alone_in_a_zip_names_its_missing_partner(tmp_path: Path) -> None:
    import zipfile

    first = ewf_subset(tmp_path / "set", 1)
    archive = tmp_path / "seized.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(first, "disk/notes.E01")
    result = run_phunt("hash", str(archive), "--no-pdq")
    assert result.returncode == 2
    assert (
        f"{archive}!/disk/notes.E01!/: EWF set incomplete: segment notes.E02 is missing "
        "(found notes.E01)"
    ) in result.stderr


def test_hash_and_scan_give_a_108_mp_photo_its_pdq_within_the_memory_cap(
    big_pictures: Path, tmp_path: Path
) -> None:
    # A first run compiles numba's PDQ kernels into its cache (a fresh machine's first
    # run peaks higher while LLVM compiles); the run measured is the picture's decode.
    warm = tmp_path / "warm.jpg"
    Image.linear_gradient("L").convert("RGB").save(warm)
    _peak_kib_of_hash(str(warm))
    lines, peak_kib = _peak_kib_of_hash(str(big_pictures))
    records = {Path(r["path"]).name: r for r in map(json.loads, lines)}
    photo, bomb = records["IMG_20260504_101112.jpg"], records["bomb.png"]
    assert photo["error"] is None and photo["pdq"] and photo["pdq_quality"]
    data = (big_pictures / "bomb.png").read_bytes()
    assert bomb["sha256"] == hashlib.sha256(data).hexdigest() and bomb["pdq"] is None
    assert "no PDQ: refused as a decompression bomb" in str(bomb["error"])
    assert "30000 x 30000 (900.0 MP)" in str(bomb["error"])
    # Decoded whole, the photo's pixels alone would take 432 MB; at half scale, 108 MB.
    assert peak_kib < 400 * 1024, f"peak RSS {peak_kib} KiB"

    hl = tmp_path / "list.csv"
    hl.write_text(f"pdq\n{photo['pdq']}\n")
    found = run_phunt("scan", str(big_pictures), "--hashlist", str(hl), "--json")
    assert found.returncode == 1, found.stderr
    out = _jsonl(found.stdout)
    matches = [r for r in out if r["type"] == "match"]
    assert [(Path(str(m["path"])).name, m["kind"]) for m in matches] == [
        ("IMG_20260504_101112.jpg", "pdq")
    ]
    errors = [r for r in out if r["type"] == "error"]
    assert [Path(str(e["path"])).name for e in errors] == ["bomb.png"]
    assert (out[-1]["files"], out[-1]["matched_files"], out[-1]["errors"]) == (3, 1, 1)


def test_hash_and_scan_of_an_e01_with_a_bad_chunk_of_zeros_exit_2(tmp_path: Path) -> None:
    """The acquisition MD5 matches (the chunk held zeros); the chunk check still fails."""
    image = str(Path(__file__).resolve().parents[2] / "test_data" / "ewf" / "damaged-zeros.E01")
    result = run_phunt("hash", image)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{image}: E01 not verified: bad sector(s): 2048 - 2111")
    lst = tmp_path / "list.txt"
    lst.write_text("d41d8cd98f00b204e9800998ecf8427e\n")
    scan = run_phunt("scan", image, "--hashlist", str(lst), "--json")
    errors = [r for r in _jsonl(scan.stdout) if r["type"] == "error"]
    assert scan.returncode == 2 and [r["path"] for r in errors] == [image]


def test_tar_times_out_of_range_are_warnings_naming_the_raw_value() -> None:
    tar = Path(__file__).resolve().parents[2] / "test_data" / "sources" / "far_times.tar"
    result = run_phunt("hash", str(tar), "--no-pdq", "--json")
    assert result.returncode == 0, result.stdout
    records = {str(r["path"]).rsplit("!/", 1)[-1]: r for r in _jsonl(result.stdout)}
    assert records["future.txt"]["error"] is None and records["future.txt"]["md5"]
    assert records["future.txt"]["warning"] == (
        "tar member mtime out of range, not kept: '10000000000000'"
    )
    assert records["past.txt"]["warning"] == (
        "tar member mtime out of range, not kept: '-10000000000000'"
    )
    assert "warning" not in records["normal.txt"]
