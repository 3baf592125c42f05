"""The rows the certificate, operation and takedown reports are tested on
(``tests/reports/test_certificate*.py``, ``test_operation*.py``, ``test_takedown*.py``).

One operation in two districts with a third device seized in a raid without a case;
ingest jobs, files, matches and review decisions, and Telegram and WhatsApp chats, are
written as rows so every figure a test expects is known. Names and texts are invented and
neutral; no picture exists anywhere.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from phunt.accounts.profile import set_profile
from phunt.accounts.store import add_user
from phunt.cases.case_files import add_suspect, arrest_suspect, open_case
from phunt.cases.devices import add_device
from phunt.cases.operations import add_raid, create_operation
from phunt.ingest import store
from phunt.schema.chats import (
    ChatImport,
    ChatMessage,
    ChatParticipant,
    ChatRecord,
    ChatRole,
)
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob
from phunt.schema.review import ReviewDecision

T0 = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # 06:30 IST
SOURCE_SHA256 = "5a" * 32
SEGMENT_SHA256 = "6b" * 32
STORED_MD5 = "7c" * 16
MANIFEST_SHA256 = "8d" * 32
TELEGRAM_LINK = "https://t.me/+AbCdEfGhIjKl12"
WHATSAPP_LINK = "https://chat.whatsapp.com/AbCdEfGhIjKlMnOp12"
PROFILE = {
    "full_name": "Dr. Meera Example",
    "relative": "K. Example",
    "designation": "Scientific Officer",
    "organisation": "Cyber Forensic Lab, Example Range",
    "address": "Lab Road, Kochi 682001",
    "phone": "+91 484 000 0000",
    "place": "Kochi",
}


@dataclass
class World:
    operation_id: int
    case_a: int
    case_b: int
    device_a: int
    device_b: int
    device_raid: int
    files: dict[str, int]


def _job(s: Any, device: str, source: str, files: int, matched: int, **facts: Any) -> int:
    job_id = store.start_job(
        s,
        source,
        device,
        kind=facts.get("kind", "file"),
        sha256=facts.get("sha256"),
        size=facts.get("size"),
        options={},
        segments=facts.get("segments"),
        verification=facts.get("verification", {}),
    )
    job = s.get(IngestJob, job_id)
    job.status, job.finished_at = "complete", T0 + timedelta(days=2, hours=3, minutes=15)
    job.manifest_sha256 = facts.get("manifest")
    job.files, job.matched_files = files, matched
    return int(job_id)


def _file(s: Any, job: int, device: int, seq: int, path: str) -> int:
    row = EvidenceFile(
        job_id=job,
        device_id=device,
        seq=seq,
        path=path,
        size=1000 + seq,
        sha256=f"{seq:02x}" * 32,
        md5=f"{seq:02x}" * 16,
        sha1=f"{seq:02x}" * 20,
    )
    s.add(row)
    s.flush()
    return int(row.id)


def _match(s: Any, file_id: int, job: int, code: int | None, entry: int = 1) -> None:
    scheme = "vics-us-2.0" if code is not None else None
    s.add(
        FileMatch(
            file_id=file_id,
            job_id=job,
            hash_set="unit",
            version=1,
            entry=entry,
            kind="sha256",
            distance=0,
            category_code=code,
            category_scheme=scheme,
        )
    )


def _chat(s: Any, device: int, platform: str, pid: str, title: str, kind: str, bad: bool) -> int:
    imp = ChatImport(
        device_id=device,
        source_path=f"/chats/{title}",
        platform=platform,
        format="test",
        imported_by="test",
    )
    s.add(imp)
    s.flush()
    chat = ChatRecord(
        import_id=imp.id,
        device_id=device,
        platform=platform,
        platform_id=pid,
        title=title,
        kind=kind,
        message_count=3,
        known_bad=bad,
        first_time=T0 - timedelta(days=30),
        last_time=T0 - timedelta(days=1),
    )
    s.add(chat)
    s.flush()
    return int(chat.id)


def _member(
    s: Any, chat: int, device: int, key: str, name: str, roles: tuple[str, ...] = (), **ids: Any
) -> None:
    p = ChatParticipant(chat_id=chat, device_id=device, key=key, names=[name], **ids)
    s.add(p)
    s.flush()
    for role in roles:
        s.add(ChatRole(participant_id=p.id, role=role, evidence="message 1"))


def _message(s: Any, chat: int, mid: str, text: str, bad: bool = False, days: int = 10) -> None:
    s.add(
        ChatMessage(
            chat_id=chat,
            platform_message_id=mid,
            sent_at=T0 - timedelta(days=days),
            sender_key="k1",
            text=text,
            location="",
            known_bad=bad,
        )
    )


def make_world(database: Database) -> World:
    """Record the operation, its devices' ingests, matches, reviews and chats."""
    with database.session() as s:
        op = create_operation(s, "P-Hunt (report tests)", "synthetic data only")
        r1 = add_raid(s, op.id, "Ernakulam", "Kakkanad, flat 4B", T0, "SI One")
        add_raid(s, op.id, "Ernakulam", "kakkanad,  FLAT 4B", T0 + timedelta(hours=1), "SI One")
        r3 = add_raid(s, op.id, "Ernakulam", "Edappally", T0 + timedelta(hours=2), "SI One")
        r4 = add_raid(s, op.id, "Kozhikode", "Mavoor Road", T0, "SI Two")
        statutes = ["IT Act s.67B", "POCSO s.15"]
        case_a = open_case(
            s,
            "CR 101/2026",
            "Cyber PS Ernakulam",
            "Ernakulam",
            statutes,
            operation=op.id,
            raid_id=r1.id,
        ).id
        case_b = open_case(
            s,
            "CR 202/2026",
            "Cyber PS Kozhikode",
            "Kozhikode",
            statutes,
            operation=op.id,
            raid_id=r4.id,
        ).id
        arrest_suspect(s, add_suspect(s, case_a, "Arun Example").id, T0 + timedelta(hours=3))
        add_suspect(s, case_a, "Varun Example")  # named, not arrested
        arrest_suspect(s, add_suspect(s, case_b, "Bindu Sample").id, T0 + timedelta(hours=4))
        dev_a = add_device(
            s,
            "EV-A/1",
            "mobile phone",
            make="Acme",
            model="X1",
            serial="SN-0042",
            imei="356938035643809",
            case_id=case_a,
            raid_id=r1.id,
        ).id
        add_device(s, "EV-A/2", "memory card", case_id=case_a, raid_id=r1.id)
        dev_b = add_device(s, "EV-B/1", "laptop", make="Examplebook", case_id=case_b).id
        dev_r = add_device(s, "EV-R/1", "modem", raid_id=r3.id).id
        ewf = {"ewf": {"ok": True, "stored_md5": STORED_MD5, "computed_md5": STORED_MD5}}
        job_a = _job(
            s,
            "EV-A/1",
            "/evidence/phone-a.E01",
            5,
            4,
            sha256=SOURCE_SHA256,
            segments={"phone-a.E02": SEGMENT_SHA256},
            verification=ewf,
            manifest=MANIFEST_SHA256,
        )
        job_b = _job(s, "EV-B/1", "/evidence/laptop-b", 3, 1, kind="folder", manifest="9e" * 32)
        files = {
            name: _file(s, job_a, dev_a, i + 1, f"/DCIM/{name}.jpg")
            for i, name in enumerate(("cat1", "cat2", "mixed", "reviewed", "plain"))
        }
        files["b1"] = _file(s, job_b, dev_b, 1, "/pictures/b1.png")
        _match(s, files["cat1"], job_a, 1)
        _match(s, files["cat2"], job_a, 2)
        _match(s, files["mixed"], job_a, 1)
        _match(s, files["mixed"], job_a, 2, entry=2)
        _match(s, files["reviewed"], job_a, 2)
        _match(s, files["b1"], job_b, None)
        s.add(
            ReviewDecision(
                file_id=files["reviewed"],
                category_code=1,
                category_scheme="vics-us-2.0",
                decided_by="examiner",
            )
        )

        tg = _chat(s, dev_a, "telegram", "1001234567", "Ward 9 Market", "supergroup", True)
        _member(
            s,
            tg,
            dev_a,
            "user11",
            "Asha Example",
            ("creator", "admin"),
            phone="+919800000011",
            platform_user_id="user11",
        )
        _member(s, tg, dev_a, "user12", "Binu Sample", username="binu_s", platform_user_id="user12")
        _member(s, tg, dev_a, "user77", "Shared Person", phone="+919800000077")
        _message(s, tg, "310", "see the attachment", bad=True, days=20)
        _message(s, tg, "305", "an earlier attachment", bad=True, days=25)
        _message(s, tg, "320", f"join us at {TELEGRAM_LINK} on Sunday")
        wa = _chat(s, dev_b, "whatsapp", "120363000000@g.us", "Harbour Traders", "group", True)
        _member(s, wa, dev_b, "c", "Chitra Test", ("admin",), phone="+919800000033")
        _member(s, wa, dev_b, "s", "Shared Person", phone="+919800000077")
        _message(s, wa, "ABCD01", "forwarded file", bad=True)
        _message(s, wa, "ABCD02", f"invite: {WHATSAPP_LINK}")
        calm = _chat(s, dev_a, "whatsapp", "title:Family", "Family", "group", False)
        _member(s, calm, dev_a, "f", "Relative One", phone="+919800000099")
        _chat(s, dev_b, "whatsapp", "919800000033@s.whatsapp.net", "Chitra Test", "private", True)

        add_user(s, "examiner", "analyst", "correct horse battery staple")
        set_profile(s, "examiner", PROFILE)
    return World(op.id, case_a, case_b, dev_a, dev_b, dev_r, files)


def pdf_text(path: Path) -> str:
    """The PDF's text as ``pdftotext -layout`` reads it (poppler-utils)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode()


def page_one_ink(path: Path, tmp: Path) -> int:
    """Pixels of page 1 darker than light grey, rendered by ``pdftoppm`` at 40 dpi."""
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    prefix = tmp / "page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(prefix)], check=True
    )
    (png,) = tmp.glob("page*.png")
    with Image.open(png) as img:
        grey = img.convert("L")
        return sum(grey.histogram()[:200])
