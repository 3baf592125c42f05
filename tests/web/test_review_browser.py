"""The review pages in a real browser (Debian's chromium through Playwright), under the
Content-Security-Policy: thumbnails arrive blurred and grey (the test measures the image
the browser received), a reveal is audited, the keyboard categorises a selection, and a
propagation to near copies on three devices moves the device and dashboard figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from phunt.schema.audit import AuditRecord

from .conftest import World
from .test_review_decisions import current_decisions, three_devices
from .test_review_pages import colourless, energy, file_path, sharp_energy

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

Login = Callable[["Page", str], None]
LOADED = "[...document.querySelectorAll('img.thumb')].every(i => i.complete && i.naturalWidth > 0)"


def _wait_until(page: Page, script: str) -> None:
    """Poll ``script`` (a page-side expression) until it is true: ``wait_for_function``
    evaluates a string, which the page's policy rightly refuses."""
    for _ in range(600):
        if page.evaluate(script):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {script}")


def _errors(page: Page) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
    return messages


def _items(page: Page) -> list[int]:
    """The shown file of each item of the queue page (read without running script)."""
    return [int(i.get_attribute("data-file") or 0) for i in page.locator("li.review-item").all()]


def test_thumbnails_arrive_blurred_and_grey(browser: Page, login: Login, web_world: World) -> None:
    errors = _errors(browser)
    arrived: dict[int, Any] = {}

    def keep(response: Any) -> None:
        if response.url.endswith("/thumb"):
            arrived[int(response.url.split("/")[-2])] = response

    browser.on("response", keep)
    login(browser, "analyst")
    browser.goto(f"/review/devices/{web_world.device_a}")
    _wait_until(browser, LOADED)
    shown = _items(browser)
    assert len(shown) == 4 and sorted(arrived) == sorted(shown)
    for file_id, response in arrived.items():
        data = response.body()
        assert response.status == 200 and response.headers["cache-control"] == "no-store"
        assert colourless(data), file_id
        assert energy(data) < 0.25 * sharp_energy(file_path(web_world, file_id)), file_id
    assert not [e for e in errors if "Content Security Policy" in e]


def test_a_reveal_is_audited(browser: Page, login: Login, web_world: World) -> None:
    login(browser, "analyst")
    picture = web_world.near_file_a
    browser.goto(f"/review/files/{picture}")
    browser.select_option("#reveal-blur", "0")
    before = datetime.now(UTC)
    browser.click("form.review-reveal button[type=submit]")
    _wait_until(browser, "document.getElementById('revealed')?.naturalWidth > 0")
    after = datetime.now(UTC)
    assert "recorded in the audit log" in browser.locator("[role=status]").inner_text()
    with web_world.database.session() as s:
        reveals = list(s.scalars(select(AuditRecord).where(AuditRecord.action == "review.reveal")))
    assert [(r.actor, r.object_id, r.details["blur"]) for r in reveals] == [
        ("analyst", str(picture), 0)
    ]
    at = reveals[0].at if reveals[0].at.tzinfo else reveals[0].at.replace(tzinfo=UTC)
    assert before <= at <= after


def test_the_keyboard_categorises_a_selection(
    browser: Page, login: Login, web_world: World
) -> None:
    errors = _errors(browser)
    login(browser, "investigator")
    queue = f"/review/devices/{web_world.device_a}"
    browser.goto(queue)
    first, second, third, fourth = _items(browser)
    browser.check(f'li[data-file="{first}"] input.review-pick')
    browser.check(f'li[data-file="{third}"] input.review-pick')
    with browser.expect_navigation():
        browser.keyboard.press("3")
    assert current_decisions(web_world) == {
        first: (3, None, "investigator", None),
        third: (3, None, "investigator", None),
    }
    assert _items(browser) == [second, fourth]  # back on the queue, without them
    browser.keyboard.press("j")  # the focus on the first item; no selection: that one
    browser.keyboard.press("j")
    with browser.expect_navigation():
        browser.keyboard.press("0")
    assert current_decisions(web_world)[fourth] == (0, None, "investigator", None)
    assert _items(browser) == [second]
    assert not [e for e in errors if "Content Security Policy" in e]


def _figures(page: Page, devices: list[int]) -> tuple[list[int], int]:
    per_device = []
    for device in devices:
        page.goto(f"/devices/{device}")
        per_device.append(int(page.locator("#triage-matched").inner_text()))
    page.goto("/dashboard")
    total = page.locator("td[data-figure=matched_files]").first.inner_text()
    return per_device, int(total)


def test_propagation_to_three_devices_updates_the_figures(
    browser: Page, login: Login, web_world: World
) -> None:
    picture, devices = three_devices(web_world)
    login(browser, "supervisor")
    before = _figures(browser, devices)
    browser.goto(f"/review/files/{picture}")
    with browser.expect_navigation():
        browser.keyboard.press("1")
    assert "current" in browser.locator("table.review-history tbody tr").first.inner_text()
    browser.click("text=Apply to near copies")
    summary = browser.locator("#propagate-summary").inner_text()
    assert summary.startswith("3 files on 2 devices in 2 cases")
    browser.click("#propagate-apply")
    browser.wait_for_url(f"**/review/files/{picture}?done=3")
    after = _figures(browser, devices)
    assert after[0] == [before[0][0] + 1, before[0][1] + 1, before[0][2] + 2]
    assert after[1] == before[1] + 4
    browser.goto(f"/review/files/{picture}/circulation")
    rows = browser.locator("table.review-circulation tbody tr")
    assert rows.count() == 3


def test_the_forms_work_without_script(
    _chromium: Browser, live_server: str, login: Login, web_world: World
) -> None:
    context = _chromium.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, "analyst")
        page.goto(f"/review/devices/{web_world.device_a}")
        first, second, *_rest = _items(page)
        page.check(f'li[data-file="{second}"] input.review-pick')
        page.click('button[data-key="0"]')
        page.wait_for_url(f"**/review/devices/{web_world.device_a}")
        assert current_decisions(web_world) == {second: (0, None, "analyst", None)}
        assert second not in _items(page) and first in _items(page)
    finally:
        context.close()
