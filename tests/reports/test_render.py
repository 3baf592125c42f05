"""The shared base of every report: escaping, IST times, byte-identical PDFs, manifests,
refusal to overwrite and the audit record of each write."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from phunt.audit import store as audit
from phunt.errors import UsageError
from phunt.reports.facts import AsOf, as_of
from phunt.reports.manifest import digest, manifest_path, read_manifest
from phunt.reports.render import ist, render_html, write_report
from phunt.schema.db import Database

AT = datetime(2026, 12, 7, 9, 5, 30, tzinfo=UTC)
CONTEXT = {"title": "Report <b>EV-1</b>", "as_of": AsOf(5, "ab" * 32, AT)}


def test_ist_is_day_first_24_hour_india_time() -> None:
    assert ist(datetime(2026, 12, 7, 13, 45, tzinfo=UTC)) == "07/12/2026 19:15 IST"
    assert ist(datetime(2026, 1, 2, 3, 4)) == "02/01/2026 08:34 IST"
    assert ist(None) == ""


def test_render_escapes_and_states_the_audit_record() -> None:
    html = render_html("base.html", CONTEXT).decode()
    assert "Report &lt;b&gt;EV-1&lt;/b&gt;" in html
    assert "<b>EV-1" not in html
    assert "up to audit record 5 of 07/12/2026 14:35 IST" in html
    assert "ab" * 32 in html
    assert 'content="2026-12-07T09:05:30Z"' in html


def test_a_missing_fact_is_an_error() -> None:
    with pytest.raises(UndefinedError):
        render_html("base.html", {"title": "no as_of"})


@pytest.mark.parametrize("suffix", [".html", ".pdf"])
def test_written_twice_gives_the_same_bytes(
    database: Database, tmp_path: Path, suffix: str
) -> None:
    html = render_html("base.html", CONTEXT)
    inputs = {"device": digest({"id": 1}), "file:2": digest({"id": 2})}
    with database.session() as s:
        first = write_report(html, tmp_path / f"a{suffix}", inputs=inputs, kind="test", session=s)
        second = write_report(html, tmp_path / f"b{suffix}", inputs=inputs, kind="test", session=s)
    a, b = (tmp_path / f"a{suffix}").read_bytes(), (tmp_path / f"b{suffix}").read_bytes()
    assert a == b
    assert first.output_sha256 == second.output_sha256 == hashlib.sha256(a).hexdigest()
    assert a.startswith(b"%PDF-" if suffix == ".pdf" else b"<!DOCTYPE html>")
    stored = json.loads(manifest_path(tmp_path / f"a{suffix}").read_bytes())
    assert stored["inputs"] == inputs
    assert stored["output"] == f"a{suffix}"
    assert stored["media"] == suffix[1:]
    assert stored["tool"]["name"] == "phunt"
    assert read_manifest(tmp_path / f"a{suffix}") == first


def test_pdf_dates_and_identifier_come_from_the_inputs(database: Database, tmp_path: Path) -> None:
    html = render_html("base.html", CONTEXT)
    with database.session() as s:
        write_report(html, tmp_path / "a.pdf", inputs={"x": "1" * 64}, kind="test", session=s)
        write_report(html, tmp_path / "b.pdf", inputs={"x": "2" * 64}, kind="test", session=s)
    a, b = (tmp_path / "a.pdf").read_bytes(), (tmp_path / "b.pdf").read_bytes()
    info = subprocess.run(
        ["pdfinfo", "-isodates", str(tmp_path / "a.pdf")],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "CreationDate:    2026-12-07T09:05:30Z" in info
    assert "ModDate:         2026-12-07T09:05:30Z" in info
    assert a != b  # only the identifier differs: it is derived from the inputs


def test_refuses_to_overwrite_without_force(database: Database, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    with database.session() as s:
        write_report(b"<p>one</p>", out, inputs={}, kind="test", session=s)
    with database.session() as s, pytest.raises(UsageError, match="--force"):
        write_report(b"<p>two</p>", out, inputs={}, kind="test", session=s)
    assert out.read_bytes() == b"<p>one</p>"
    with database.session() as s:
        write_report(b"<p>two</p>", out, inputs={}, kind="test", session=s, force=True)
    assert out.read_bytes() == b"<p>two</p>"
    assert list(tmp_path.glob(".r.html.*")) == []
    with database.session() as s, pytest.raises(UsageError, match=r"\.html or \.pdf"):
        write_report(b"", tmp_path / "r.txt", inputs={}, kind="test", session=s)


def test_each_write_is_audited_and_leaves_the_facts_record(
    database: Database, tmp_path: Path
) -> None:
    with database.session() as s:
        fact = audit.append(s, "case.open", "case", 1, {})
        write_report(
            b"<p>x</p>", tmp_path / "r.html", inputs={"a": "b"}, kind="test", session=s,
            options={"subject": "EV-1"},
        )  # fmt: skip
    with database.session() as s:
        last = audit.list_records(s, limit=1)[0]
        assert (last.action, last.object_type, last.object_id) == (
            "report.write",
            "report",
            "test EV-1",
        )
        assert last.details["sha256"] == hashlib.sha256(b"<p>x</p>").hexdigest()
        assert last.details["path"] == str(tmp_path / "r.html")
        assert last.details["manifest_sha256"] == read_manifest(tmp_path / "r.html").sha256
        point = as_of(s)
        assert (point.seq, point.hash) == (fact.seq, fact.hash)
        assert audit.verify(s).ok


def test_verify_needs_a_manifest_and_a_known_kind(database: Database, tmp_path: Path) -> None:
    from phunt.errors import InputError
    from phunt.reports.verify import builder, verify_report

    out = tmp_path / "r.html"
    out.write_bytes(b"<p>x</p>")
    with database.session() as s, pytest.raises(InputError, match="no manifest beside the report"):
        verify_report(out, s)
    for kind in ("../evil", "render.x", "nosuch"):
        with pytest.raises(InputError, match=r"report kind|cannot rebuild"):
            builder(kind)
    with database.session() as s:
        write_report(b"<p>x</p>", out, inputs={}, kind="nosuch", session=s, force=True)
        result = verify_report(out, s)
    assert not result.ok
    assert result.file_ok
    assert result.problems == [
        "the report cannot be rebuilt from the database: "
        "this version of phunt cannot rebuild a 'nosuch' report"
    ]


def test_a_signed_checkpoint_is_stated_when_there_is_one() -> None:
    point = {"records": 4, "head": "cd" * 32, "at": AT, "key_id": "k1", "signature": "c2ln"}
    html = render_html("base.html", {**CONTEXT, "as_of": AsOf(5, "ab" * 32, AT, point)})
    text = " ".join(html.decode().split())
    assert f'the chain\'s first 4 records end in <code class="hash">{"cd" * 32}</code>' in text
    assert "signed 07/12/2026 14:35 IST with key k1; signature <code>c2ln</code>" in text
    assert "checkpoint" not in render_html("base.html", CONTEXT).decode()


def test_rendering_a_pdf_leaves_pillow_strict_about_truncated_pictures() -> None:
    """WeasyPrint's import turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process;
    a damaged JPEG must still be an error for the evidence decoders afterwards."""
    from PIL import ImageFile

    from phunt.reports.render import html_to_pdf

    html_to_pdf(b"<p>x</p>", {"a": "0" * 64})
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
