"""The per-file stages: which run under each profile, and matching inside the worker.

The hits a worker computes must be exactly what the coordinator computed before the
stages existed: the file hashed, then ``engine.screen`` with the picture's variants when
its PDQ quality was good enough.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from pathlib import Path

import pytest
from PIL import Image

from phunt.hashing.pdq import hash_image_file
from phunt.hashsets.base import HashEntry
from phunt.ingest.hasher import hash_entry
from phunt.ingest.pipeline import Runner
from phunt.ingest.stages import Profile, process_batch, process_entry
from phunt.matching.engine import Hit, MatchEngine
from phunt.matching.spec import EngineSpec, ListFile, load_list_file
from phunt.sources.base import Entry
from phunt.sources.folder import FolderSource
from phunt.sources.locator import Locator
from test_lib import StreamEntry


def _names(profile: Profile) -> list[str]:
    return [stage.name for stage in profile.stages()]


def test_profiles_choose_their_stages() -> None:
    spec = EngineSpec()
    assert _names(Profile.triage(None)) == ["read", "type"]
    assert _names(Profile.triage("default")) == ["read", "type", "pdq", "vpdq"]
    assert _names(Profile.triage("fast", spec)) == ["read", "type", "pdq", "vpdq", "match"]
    assert _names(Profile.ingest("default", spec)) == [
        "read",
        "type",
        "pdq",
        "vpdq",
        "exif",
        "match",
        "chat-source",
    ]
    assert _names(Profile.ingest(None)) == ["read", "type", "chat-source"]


def test_a_profile_with_its_engine_spec_travels_to_workers(tmp_path: Path) -> None:
    listed = tmp_path / "list.txt"
    listed.write_text("a" * 40 + "\n")
    profile = Profile.ingest("fast", EngineSpec((ListFile.of(str(listed)),)))
    assert pickle.loads(pickle.dumps(profile)) == profile


def _evidence(root: Path) -> tuple[Path, Path]:
    """A folder of files, two of them on the list below: one by SHA-1, one by PDQ."""
    root.mkdir()
    img = Image.linear_gradient("L").convert("RGB").resize((300, 200))
    for x in range(0, 300, 40):
        for y in range(0, 200, 2):
            img.putpixel((x, y), (250, 20, 20))
    img.save(root / "listed.png")
    img.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(root / "mirrored.png")
    Image.new("RGB", (64, 48), (128, 128, 128)).save(root / "flat.png")  # too flat for PDQ
    (root / "known.bin").write_bytes(b"known bytes")
    for i in range(12):
        (root / f"note{i}.txt").write_text(f"note {i}\n")
    lst = root.parent / "list.txt"
    lst.write_text(
        hashlib.sha1(b"known bytes").hexdigest()
        + "\n"
        + hash_image_file(str(root / "listed.png")).hash.hex
        + "\n"
    )
    pdq_list = root.parent / "pdq.txt"
    pdq_list.write_text("# kind: pdq\n" + hash_image_file(str(root / "listed.png")).hash.hex + "\n")
    return lst, pdq_list


def _coordinator_hits(entry: Entry, engine: MatchEngine) -> tuple[bool, list[Hit]]:
    """What ``job._store`` computed in the coordinator before matching moved to the worker."""
    r = hash_entry(entry, pdq_mode="default")
    quality_ok = r.pdq is not None and (r.pdq.hash.quality or 0) >= engine.pdq_quality_min
    frames = r.video.frames if r.video is not None else ()
    return engine.screen(r.hashes(), r.pdq_variants() if quality_ok else [], frames)


def _key(hits: list[Hit]) -> list[tuple[object, ...]]:
    return [
        (h.listed.list_name, h.listed.entry, h.kind, h.hash, h.distance, h.variant) for h in hits
    ]


def test_hits_in_the_worker_equal_the_coordinators(tmp_path: Path) -> None:
    lst, pdq_list = _evidence(tmp_path / "ev")
    spec = EngineSpec((ListFile.of(str(lst)), ListFile.of(str(pdq_list))))
    entries = list(FolderSource(str(tmp_path / "ev")).entries())
    profile = Profile.ingest("default", spec)
    done = process_batch(list(enumerate(entries)), profile)
    engine = spec.build()
    matched = set()
    for item, entry in zip(done, entries, strict=True):
        good, hits = _coordinator_hits(entry, engine)
        assert (item.known_good, _key(item.hits)) == (good, _key(hits)), entry.path
        if hits:
            matched.add(Path(entry.path).name)
    assert matched == {"known.bin", "listed.png", "mirrored.png"}
    flat = next(p for p in done if p.result.path.endswith("flat.png"))
    assert flat.pdq_low_quality and not flat.hits
    with Runner(2) as pool:
        pooled = list(pool.run(enumerate(entries), process_batch, profile))
    assert [_key(p.hits) for p in pooled] == [_key(p.hits) for p in done]
    assert {h.threshold for p in pooled for h in p.hits if h.kind == "pdq"} == {31}


def test_a_known_good_file_is_not_reported(tmp_path: Path) -> None:
    (tmp_path / "os.dll").write_bytes(b"vendor file")
    good = tmp_path / "nsrl.txt"
    good.write_text(hashlib.md5(b"vendor file").hexdigest() + "\n")
    bad = tmp_path / "bad.txt"
    bad.write_text(hashlib.sha256(b"vendor file").hexdigest() + "\n")
    engine = MatchEngine()
    load_list_file(engine, str(bad))
    engine.add("nsrl", "known-good", [(1, HashEntry({"md5": good.read_text().strip()}))])
    profile = Profile.ingest(None, engine)
    item = process_entry(
        0, Entry(path="os.dll", locator=Locator(str(tmp_path / "os.dll"))), profile
    )
    assert item.known_good and item.hits == []


def test_crypto_only_profile_matches_digests_only(tmp_path: Path) -> None:
    lst, pdq_list = _evidence(tmp_path / "ev")
    spec = EngineSpec((ListFile.of(str(lst)), ListFile.of(str(pdq_list))))
    entries = list(FolderSource(str(tmp_path / "ev")).entries())
    done = process_batch(list(enumerate(entries)), Profile.triage(None, spec))
    assert {Path(p.result.path).name for p in done if p.hits} == {"known.bin"}
    assert all(p.result.pdq is None and p.exif == {} for p in done)


def test_the_chat_source_stage_flags_by_name_inside_containers() -> None:
    entry = StreamEntry(
        path="phone.zip!/WhatsApp/Databases/msgstore.db", size=3, stream=lambda: io.BytesIO(b"abc")
    )
    item = process_entry(7, entry, Profile.ingest(None))
    assert item.seq == 7 and item.chat_candidate is not None
    assert item.chat_candidate.root == entry.path and item.chat_candidate.form == "msgstore"
    assert process_entry(0, entry, Profile.triage(None)).chat_candidate is None
    unreadable = Entry(path="x/msgstore.db", error="skipped: a socket, not a regular file")
    assert process_entry(0, unreadable, Profile.ingest(None)).chat_candidate is None


def test_the_engine_is_built_once_per_process_for_many_files_and_chat_exports(
    database: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phunt.cases.devices import add_device
    from phunt.chats import store as chat_store
    from phunt.hashset_spec import engine_spec
    from phunt.hashsets.store import import_hash_list
    from phunt.matching import spec as engines
    from phunt.schema.db import Database
    from test_lib import TEST_DATA

    assert isinstance(database, Database)
    builds: list[EngineSpec] = []
    real_build = EngineSpec.build

    def counting(self: EngineSpec, session: object = None) -> MatchEngine:
        builds.append(self)
        return real_build(self, session)  # type: ignore[arg-type]

    monkeypatch.setattr(EngineSpec, "build", counting)
    monkeypatch.setattr(engines, "_CACHE", {})
    picture = TEST_DATA / "chats_devices" / "phone_a" / "Media" / "WhatsApp Images"
    known = tmp_path / "known.txt"
    known.write_text(
        "\n".join(hashlib.sha256(p.read_bytes()).hexdigest() for p in picture.iterdir()) + "\n"
    )
    for i in range(40):
        (tmp_path / f"f{i}.txt").write_text(f"file {i}\n")
    with database.session() as s:
        import_hash_list(s, str(known), name="unit-list")
        add_device(s, "PH-A", "mobile phone")
        spec = engine_spec(s)
    entries = list(FolderSource(str(tmp_path)).entries())
    for start in range(0, len(entries), 8):
        batch = list(enumerate(entries))[start : start + 8]
        process_batch(batch, Profile.ingest(None, spec))
    chats = TEST_DATA / "chats"
    exports = [
        TEST_DATA / "chats_devices" / "phone_a" / "msgstore.db",
        chats / "whatsapp" / "WhatsApp Chat - Market Traders.zip",
        chats / "telegram" / "full_export",
    ]
    with database.session() as s:
        summaries = [chat_store.import_export(s, export, "PH-A") for export in exports]
    assert summaries[0].matched_attachments > 0
    assert builds == [spec]
