"""No route gives out an evidence file's bytes: every page and API route of the app is
walked as the admin (who may see everything), with each stored picture's id in its file
parameter, changes included (a reveal at blur 0 in colour, the most revealing answer);
no answer, nor any picture embedded in one, holds the original or a piece of it."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from starlette.testclient import TestClient

from phunt.schema.ingest import EvidenceFile
from phunt.web.app import web_routes

from .conftest import World
from .test_review_pages import csrf
from .test_security import _value as world_value

SKIP = {("/logout", "POST"), ("/login", "POST")}
PIECE = 64


def _pieces(data: bytes) -> list[bytes]:
    """Pieces of a file's coded data (past its headers, which encoders share)."""
    body = data[1024:-16] if len(data) > 2048 else data
    return [body[i : i + PIECE] for i in range(0, max(1, len(body) - PIECE), 997)]


def _value(world: World, param: str, file_id: int) -> str:
    return str(file_id) if param == "file_id" else world_value(world, param)


def _url(path: str, world: World, file_id: int) -> str:
    return re.sub(r"{(\w+)(:\w+)?}", lambda m: _value(world, m.group(1), file_id), path)


def _embedded(body: bytes) -> list[bytes]:
    found = re.findall(rb"data:[\w/+.-]+;base64,([A-Za-z0-9+/=]+)", body)
    return [base64.b64decode(chunk) for chunk in found]


def test_no_route_returns_an_evidence_files_bytes(
    web_app: FastAPI,
    web_world: World,
    client_for: Callable[[str], TestClient],
    token_for: Callable[[str], str],
) -> None:
    admin = client_for("admin")
    headers = {"X-CSRF-Token": csrf(admin)}
    api = {"Authorization": f"Bearer {token_for('admin')}"}
    with web_world.database.session() as s:
        files = {
            f: Path(s.get_one(EvidenceFile, f).path)
            for f in (*web_world.file_ids_a, *web_world.file_ids_b)
        }
    originals = {f: p.read_bytes() for f, p in files.items() if p.suffix == ".jpg"}
    assert len(originals) == 8
    walked, thumbs, leaks = 0, 0, []
    for route in web_routes(web_app):
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            if (route.path, method) in SKIP:
                continue
            ids = originals if "{file_id}" in route.path else [web_world.matched_file_a]
            for file_id in ids:
                url = _url(route.path, web_world, file_id)
                extra = api if route.api else headers
                data = {"blur": "0", "colour": "true"} if method == "POST" else None
                response = admin.request(method, url, headers=extra, data=data)
                walked += 1
                body = response.content
                thumbs += response.headers.get("content-type", "").startswith("image/")
                for inner in (body, *_embedded(body)):
                    for f, original in originals.items():
                        if original in inner or any(p in inner for p in _pieces(original)):
                            leaks.append(f"{method} {url}: bytes of file {f}")
    assert leaks == []
    assert walked > 100 and thumbs == len(originals)  # every picture's thumbnail was looked at
