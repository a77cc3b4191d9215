"""An everyday tool (issue 17): the header fits from 1,366 px down to a phone, the history speaks
in words, planning reads as steps, and the main flow works from the keyboard alone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.navigation import nav_link
from tests.browser.test_browser_ui import assert_accessible, hrefs, log_in, visit

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# Every main page for the administrator (who sees every kind of page), an orderer and a supplier
# contact; the start page and its menu for the other personas, to keep the test fast.
FULL_WALK = {"admin", "bestallare", "leverantor"}
PERSONAS = ["admin", "inkopare", "bestallare", "miljo", "lasare", "leverantor"]


def assert_no_sideways_scroll(page: Page, width: int) -> None:
    scroll = page.evaluate("document.scrollingElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert scroll <= inner, f"{page.url} scrolls sideways at {width} px: {scroll} > {inner}"


def main_pages(page: Page, username: str) -> list[str]:
    """The persona's navigation, plus one procurement and one contract when they have them."""
    if username not in FULL_WALK:
        return ["/"]
    pages = [h for h in hrefs(page, "header nav a") if h]
    for listing, selector in (("/upphandlingar/", "#results tbody a"), ("/avtal/", "#results tbody a")):
        if listing in pages:
            visit(page, listing)
            found = hrefs(page, selector)
            if found:
                pages.append(found[0])
    return list(dict.fromkeys(pages))


@pytest.mark.parametrize("username", PERSONAS)
def test_header_fits_at_1366_and_390_px(new_page: Callable[[], Page], username: str) -> None:
    page = new_page()
    page.set_viewport_size(WIDE)
    log_in(page, username)
    for url in main_pages(page, username):
        visit(page, url)
        page.set_viewport_size(WIDE)
        assert_no_sideways_scroll(page, WIDE["width"])
        # At desktop width the navigation is one row beside the name: the header stays low.
        header = page.locator("header.site-header").bounding_box()
        assert header is not None and header["height"] < 120, f"header at 1366 px on {url}: {header}"
        page.set_viewport_size(PHONE)
        assert_no_sideways_scroll(page, PHONE["width"])
        page.set_viewport_size(WIDE)


def test_navigation_groups_open_from_the_keyboard(new_page: Callable[[], Page]) -> None:
    page = new_page()
    page.set_viewport_size(WIDE)
    log_in(page, "admin")
    plan = page.locator("header nav .nav-group-toggle", has_text="Planera")
    procurements = page.locator('header nav a[href="/upphandlingar/"]')
    expect(procurements).to_be_hidden()
    # Tab to the group's button: the skip link, the brand, Start, then Planera.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Planera":
            break
    expect(plan).to_be_focused()
    page.keyboard.press("Enter")
    expect(plan).to_have_attribute("aria-expanded", "true")
    expect(procurements).to_be_visible()
    page.keyboard.press("Tab")
    expect(procurements).to_be_focused()
    page.keyboard.press("Escape")
    expect(plan).to_have_attribute("aria-expanded", "false")
    expect(plan).to_be_focused()
    expect(procurements).to_be_hidden()
    assert_accessible(page)

    # On a phone the whole navigation sits behind "Meny".
    page.set_viewport_size(PHONE)
    menu = page.locator("header nav .nav-toggle")
    expect(menu).to_be_visible()
    expect(plan).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    expect(plan).to_be_visible()
    link = nav_link(page, "/organisationer/")
    expect(link).to_be_visible()
    assert_accessible(page)
    with page.expect_navigation():
        link.press("Enter")
    assert re.search(r"/organisationer/$", page.url)
