"""After a known-bad decision the web publishes the unit's local set: "nothing new" stays
silent, any other failure reaches the page (never stale figures without a word), and a
version file is never overwritten (on both databases)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from phunt.audit.store import acting_as
from phunt.review.local_set import choose_local_set

from .conftest import World
from .test_review_pages import csrf, item_values, queue_items


def test_a_failed_publish_is_an_error_and_nothing_new_is_silent(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    with web_world.database.session() as s, acting_as("admin"):
        choose_local_set(s, "unit-local")
    folder = web_world.settings.home / "local-sets"
    folder.mkdir(parents=True, exist_ok=True)
    taken = folder / "unit-local-v1.json"
    taken.write_text("another reviewer's version\n")  # written meanwhile by someone else
    analyst = client_for("analyst")
    base = f"/review/devices/{web_world.device_a}"
    page = analyst.get(base).text
    first = queue_items(page)[0]
    form = {"item": [item_values(page)[first]], "choice": "1", "back": base,
            "csrf_token": csrf(analyst)}  # fmt: skip
    failed = analyst.post("/review/decide", data=form, follow_redirects=False)
    assert failed.status_code == 400
    assert "unit-local-v1.json exists" in failed.text
    assert taken.read_text() == "another reviewer's version\n"

    taken.unlink()
    done = analyst.post("/review/decide", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == base
    assert taken.read_text().startswith("{")
    again = analyst.post("/review/decide", data=form, follow_redirects=False)
    assert again.status_code == 303  # the set already holds the file: silent
    assert sorted(p.name for p in folder.iterdir()) == ["unit-local-v1.json"]
