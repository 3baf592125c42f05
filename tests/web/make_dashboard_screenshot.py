"""Write docs/dashboard.png, the README's picture of the dashboard, from invented data.

Run from the repository: ``PYTHONPATH=src:tests .venv/bin/python
tests/web/make_dashboard_screenshot.py`` (Debian's chromium needed). It builds the web
tests' world (generated pictures, invented names, neutral chat text) in a temporary
SQLite database, adds a few more invented raids, cases and devices across districts so
the charts have a shape, serves the app on 127.0.0.1 and photographs the dashboard as
the supervisor sees it.
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from phunt.cases.case_files import add_suspect, arrest_suspect, open_case
from phunt.cases.devices import add_device
from phunt.cases.operations import add_raid
from phunt.schema.db import Database
from phunt.web.app import create_app
from web.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORDS, World, _settings, build_world

REPO = Path(__file__).resolve().parents[2]
#: Invented raids: district, place, devices seized, whether the suspect was arrested.
MORE = [
    ("Thiruvananthapuram", "Pattom, house 12", 3, True),
    ("Thiruvananthapuram", "Kowdiar, flat 2A", 1, False),
    ("Kollam", "Chinnakada, shop 7", 2, True),
    ("Thrissur", "Round South, house 5", 2, False),
    ("Thrissur", "Ollur, house 31", 1, True),
    ("Kannur", "Thavakkara, flat 9", 2, False),
    ("Malappuram", "Tirur, shop 4", 1, False),
    ("Palakkad", "Olavakkode, house 8", 2, True),
]


def add_more(database: Database, world: World) -> None:
    """The extra invented raids, each with a case, a suspect and seized devices."""
    t0 = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    with database.session() as s:
        for n, (district, place, devices, arrested) in enumerate(MORE):
            when = t0 + timedelta(minutes=15 * n)
            raid = add_raid(s, world.operation_id, district, place, when, f"SI Example {n}")
            case = open_case(
                s,
                f"CR {500 + n}/2026",
                f"Cyber PS {district}",
                district,
                ["IT Act s.67B"],
                operation=world.operation_id,
                raid_id=raid.id,
            )
            suspect = add_suspect(s, case.id, f"Person {chr(65 + n)} Example")
            if arrested:
                arrest_suspect(s, suspect.id, when + timedelta(hours=2))
            for d in range(devices):
                add_device(
                    s,
                    f"EV-X{n}/{d + 1}",
                    "mobile phone" if d == 0 else "memory card",
                    case_id=case.id,
                    raid_id=raid.id,
                    suspect_id=suspect.id,
                )


def photograph(base_url: str, operation_id: int, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = chromium.new_page(base_url=base_url, viewport={"width": 1280, "height": 900})
        page.goto("/login")
        page.fill("#name", "supervisor")
        page.fill("#password", PASSWORDS["supervisor"])
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"/dashboard?operation={operation_id}")
        for canvas in ("chart-seizures", "chart-matches", "chart-groups"):
            page.wait_for_selector(f"#{canvas}[data-drawn='1']")
        page.screenshot(path=str(out), full_page=True)
        chromium.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "dashboard.png")
    args = parser.parse_args()
    import uvicorn

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        url = f"sqlite:///{root / 'phunt.db'}"
        database = Database(url)
        world = build_world(database, root / "evidence", _settings(root, url))
        add_more(database, world)
        database.close()
        app = create_app(world.settings)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            photograph(f"http://127.0.0.1:{sock.getsockname()[1]}", world.operation_id, args.out)
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            app.state.database.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
