"""Every main page in a real browser (Debian's chromium through Playwright) at a phone's
420 px and a desktop's 1280 px: the page itself never scrolls sideways (a wide table
scrolls inside its own box), so an officer on a phone reads it without panning."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import quote

from .conftest import World

if TYPE_CHECKING:
    from playwright.sync_api import Page

Login = Callable[["Page", str], None]
WIDTHS = (420, 1280)
#: How far the page reaches to the right, and the widest element that pokes out (if any).
REACH = """() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
  return [document.documentElement.scrollWidth, out.slice(0, 3).join(' ')];
}"""


def _pages(world: World, person: str) -> dict[str, str]:
    """The workspace's main pages, by name, for the world's first case and device."""
    op, case, device = world.operation_id, world.case_a, world.device_a
    return {
        "dashboard": f"/dashboard?operation={op}",
        "operations": "/operations",
        "operation": f"/operations/{op}",
        "operation reports": f"/operations/{op}/reports",
        "raid": f"/raids/{world.raid_ids[0]}",
        "cases": "/cases",
        "case": f"/cases/{case}",
        "case reports": f"/cases/{case}/reports",
        "suspect": f"/suspects/{world.suspect_a}",
        "devices": "/devices",
        "device": f"/devices/{device}",
        "device files": f"/devices/{device}/files",
        "matched files": f"/devices/{device}/files?matched=1",
        "device reports": f"/devices/{device}/reports",
        "file": f"/files/{world.near_file_a}",
        "chats": "/chats",
        "chat": f"/chats/{world.chat_a}",
        "people": "/people",
        "person": person,
        "network": "/network",
        "review queue": f"/review/devices/{device}",
        "case review queue": f"/review/cases/{case}",
        "review file": f"/review/files/{world.near_file_a}",
        "review settings": "/review/settings",
        "hash sets": "/hashsets",
        "hash set": f"/hashsets/{quote(world.hash_set)}",
        "audit": "/audit",
        "leads": "/leads",
        "lead": f"/leads/{world.extra['lead_a']}",
        "targets": "/targets",
        "target": f"/targets/{world.extra['target_a']}",
        "case leads": f"/cases/{case}/leads",
    }


def _overflowing(page: Page, pages: dict[str, str]) -> list[str]:
    """Each page (at each width) wider than the window, with what pokes out."""
    found: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            response = page.goto(path)
            assert response is not None and response.status == 200, (name, path)
            reach, culprits = page.evaluate(REACH)
            if reach > width:
                found.append(f"{name} ({path}) at {width} px: {reach} px wide; {culprits}")
    return found


def test_no_page_scrolls_sideways(browser: Page, login: Login, web_world: World) -> None:
    login(browser, "supervisor")
    browser.goto("/people")
    person = browser.locator("main a[href^='/people/']").first.get_attribute("href")
    assert person
    assert _overflowing(browser, _pages(web_world, person)) == []


def test_the_admin_pages_do_not_scroll_sideways(
    browser: Page, login: Login, web_world: World
) -> None:
    login(browser, "admin")
    assert _overflowing(browser, {"users": "/users", "audit": "/audit"}) == []
