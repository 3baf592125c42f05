"""Writing a report as the CLI does, and reading the PDF as a person would: its text,
and page 1 as a picture."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from phunt.reports.manifest import Built
from phunt.reports.render import write_report
from phunt.reports.verify import builder
from phunt.schema.db import Database


def write(db: Database, kind: str, options: Mapping[str, Any], out: Path) -> Built:
    """Build the ``kind`` report of ``options`` and write it to ``out`` with its manifest."""
    with db.session() as s:
        built = builder(kind)(s, options)
        write_report(
            built.html, out, inputs=built.inputs, kind=kind, session=s,
            options=built.options, labels=built.labels,
        )  # fmt: skip
    return built


def pdf_text(path: Path) -> str:
    """The PDF's text (poppler's ``pdftotext``), its whitespace runs made single spaces."""
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return re.sub(r"\s+", " ", out.stdout)


def ink_share(path: Path, tmp: Path) -> float:
    """The share of page 1's pixels that are not white (``pdftoppm`` at 40 dpi)."""
    from PIL import Image

    prefix = tmp / "page"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(path),
            str(prefix),
        ],
        check=True,
    )
    with Image.open(prefix.with_suffix(".png")) as img:
        grey = img.convert("L")
        dark = sum(grey.histogram()[:200])
        return dark / (grey.width * grey.height)


def image_count(path: Path) -> int:
    """How many images the PDF holds (``pdfimages -list``): a report never holds one."""
    out = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True
    )
    return len(out.stdout.splitlines()[2:])
