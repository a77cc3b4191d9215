"""The privacy page in both languages from the footer, and the administrator's pages for the
retention schedule, the register of processing and a person's data: readable and accessible."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser_ui import assert_accessible, log_in, visit

pytestmark = pytest.mark.browser


def test_privacy_page_in_both_languages(new_page: Callable[[], Page]) -> None:
    page = new_page()
    visit(page, "/leverantorsinformation/")
    page.locator('footer a[href="/integritet/"]').click()
    page.wait_for_url("**/integritet/")
    assert page.locator("html").get_attribute("lang") == "sv"
    expect(page.get_by_role("heading", name="Vad vi lagrar")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Privacy in English").click()
    page.wait_for_url("**/integritet/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", name="What we store")).to_be_visible()
    assert_accessible(page)


def test_retention_schedule_register_and_person_data(new_page: Callable[[], Page]) -> None:
    page = new_page()
    log_in(page, "admin")
    page.wait_for_url(lambda url: "/logga-in" not in url)
    visit(page, "/arkiv/gallringsplan/")
    expect(page.locator("main table tbody tr")).to_have_count(6)  # the demo's three rules per region
    assert_accessible(page)
    visit(page, "/arkiv/behandlingar/")
    expect(page.locator("main h1")).to_have_text("Register över behandlingar")
    assert_accessible(page)
    visit(page, "/personer/")
    page.locator("main table a[href^='/personer/']").first.click()
    page.get_by_role("link", name="Personuppgifter: utdrag, rättelse, radering").click()
    expect(page.locator("main h2").first).to_have_text("Registerutdrag")
    assert_accessible(page)
