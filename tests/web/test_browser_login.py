"""Logging in and out in a real browser (Debian's chromium through Playwright), with the
page's scripts under the Content-Security-Policy: no script may be refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .conftest import World

if TYPE_CHECKING:
    from playwright.sync_api import Page


def _blocked(page: Page) -> list[str]:
    """Collects the console's complaints (a CSP refusal shows there)."""
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
    return messages


def test_login_then_logout(browser: Page, login: Callable[[Page, str], None]) -> None:
    errors = _blocked(browser)
    login(browser, "supervisor")
    assert browser.locator("header .who").inner_text() == "supervisor (supervisor)"
    assert browser.locator("nav a", has_text="Audit").count() == 1
    assert browser.evaluate("typeof window.htmx") == "object"  # the vendored file loaded
    cookie = next(c for c in browser.context.cookies() if c["name"] == "phunt_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    browser.click("text=Log out")
    browser.wait_for_url("**/login")
    assert not [c for c in browser.context.cookies() if c["name"] == "phunt_session"]
    browser.goto("/no/such/page")
    assert browser.locator("header .who").count() == 0  # the session is gone
    assert not [e for e in errors if "Content Security Policy" in e]


def test_a_wrong_password_stays_on_the_login_page(browser: Page, web_world: World) -> None:
    browser.goto("/login")
    browser.fill("#name", "analyst")
    browser.fill("#password", "not-" + web_world.passwords["analyst"])
    browser.click("button[type=submit]")
    assert browser.locator("[role=alert]").inner_text().startswith("Wrong name or password")
    assert browser.locator("#name").input_value() == "analyst"
    assert browser.locator("#password").input_value() == ""
    assert not [c for c in browser.context.cookies() if c["name"] == "phunt_session"]


def test_an_analyst_sees_no_audit_link(browser: Page, login: Callable[[Page, str], None]) -> None:
    login(browser, "analyst")
    assert browser.locator("header .who").inner_text() == "analyst (analyst)"
    assert browser.locator("nav a", has_text="Audit").count() == 0
