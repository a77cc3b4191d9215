"""The supplier portal in a real browser: the demo supplier contact logs in, sees the
status and the action plans waiting, answers one; Inköp finds the portal's part on the
supplier page. Each page passes axe."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser_ui import assert_accessible, check_swedish_page, log_in, submit, visit

pytestmark = pytest.mark.browser

PORTAL = "/leverantor/"
OPEN_PLAN = "Städprotokoll saknar kvittens från avdelningen"  # portal/demo.py OPEN_DEVIATION
SUPPLIER = "Mälardalens Lokalvård AB"


def test_supplier_contact_sees_status_and_answers_an_action_plan(new_page: Callable[[], Page]) -> None:
    page = new_page()
    log_in(page, "leverantor")
    visit(page, PORTAL)
    check_swedish_page(page)
    expect(page.locator("main h1")).to_have_text(SUPPLIER)
    expect(page.locator("#status-heading + p .status-badge")).to_have_count(1)
    plans = page.locator("section[aria-labelledby=plans-heading] table")
    row = plans.locator("tr", has_text=OPEN_PLAN)
    expect(row).to_have_count(1)
    expect(page.locator("section[aria-labelledby=documents-heading]")).to_contain_text("Svanenlicens städtjänster")
    expect(page.locator("section[aria-labelledby=documents-heading]")).to_contain_text("Inaktuellt")

    with page.expect_navigation():
        row.locator("a[href$='/svar/']").click()
    check_swedish_page(page)
    answer = "Kvittensfält införs i den digitala städrapporten från och med nästa vecka."
    page.get_by_label("Ert svar").fill(answer)
    submit(page, page.get_by_role("button", name="Skicka svar"))
    expect(page.locator(".messages")).to_contain_text("Ert svar har skickats")
    expect(page.locator("main blockquote")).to_contain_text(answer)
    assert_accessible(page)

    visit(page, PORTAL)
    # What the supplier sent is listed in words, the event's code kept for tools.
    sent = page.locator("section[aria-labelledby=sent-heading]")
    expect(sent).to_contain_text("Leverantörens svar registrerat")
    expect(sent.locator('[data-action="deviation.supplier_response_recorded"]').first).to_be_attached()


def test_supplier_contact_pages_are_accessible_and_buyer_pages_closed(new_page: Callable[[], Page]) -> None:
    page = new_page()
    log_in(page, "leverantor")
    for url in (
        "/leverantor/avtal/",
        "/leverantor/avvikelser/",
        "/leverantor/dokument/",
        "/leverantor/underleverantorer/",
    ):
        visit(page, url)
        check_swedish_page(page)
    visit(page, "/avtal/", status=403)


def test_inkop_sees_the_portal_on_the_supplier_page(new_page: Callable[[], Page]) -> None:
    page = new_page()
    log_in(page, "inkopare")
    visit(page, "/leverantorer/?q=M%C3%A4lardalens+Lokalv%C3%A5rd")
    with page.expect_navigation():
        page.locator("main table a", has_text=SUPPLIER).first.click()
    panel = page.locator("section[aria-labelledby=portal-heading]")
    expect(panel).to_contain_text("Svanenlicens städtjänster")
    expect(panel).to_contain_text("Fönsterputs i Mälardalen AB")
    with page.expect_navigation():
        panel.get_by_role("link", name="Kontaktpersoner och inbjudningar").click()
    check_swedish_page(page)
    expect(page.get_by_role("button", name="Bjud in kontaktperson")).to_be_visible()
    expect(page.locator("main table")).to_contain_text("omar.haddad@lokalvard.example")
    visit(page, PORTAL, status=403)
