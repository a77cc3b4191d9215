"""The search-as-you-type pickers in a real browser, with the keyboard only: typing lists
options, the arrow keys move through them, Enter chooses one and the list's filter applies,
Escape closes the options. axe checks the page with the options open.

Read-only: it changes nothing in the shared demo database, and it looks for demo records
that no other browser test creates or renames (the cleaning supplier of RV-2025-0107 and
the regions)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser_ui import assert_accessible, log_in, visit

pytestmark = pytest.mark.browser

INVOICES = "/fakturor/"
SUPPLIER = "Mälardalens Lokalvård AB"  # invoices.demo.CLEANING_SUPPLIER


def test_pickers_by_keyboard_filter_the_invoice_list(new_page: Callable[[], Page]) -> None:
    page = new_page()
    log_in(page, "inkopare")
    visit(page, INVOICES)
    # From the search field, Tab reaches the buyer's picker and then the supplier's.
    page.locator("#id_q").focus()
    page.keyboard.press("Tab")
    buyer = page.locator("#id_organisation")
    expect(buyer).to_be_focused()
    expect(buyer).to_have_attribute("role", "combobox")

    # Typing lists the options; Escape closes them and leaves what was typed.
    page.keyboard.type("Region", delay=20)
    expect(page.locator("#id_organisation-options [role=option]")).to_have_count(2)
    expect(buyer).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(page.locator("#id_organisation-options [role=option]")).to_have_count(0)
    expect(buyer).to_have_attribute("aria-expanded", "false")
    expect(buyer).to_have_value("Region")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")

    page.keyboard.press("Tab")
    supplier = page.locator("#id_supplier")
    expect(supplier).to_be_focused()
    page.keyboard.type("Mälardalens Lok", delay=20)
    options = page.locator("#id_supplier-options [role=option]")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text(SUPPLIER)
    assert_accessible(page)  # with the options open
    # Arrow keys move the active option; Enter chooses it and the list follows.
    page.keyboard.press("ArrowDown")
    expect(supplier).to_have_attribute("aria-activedescendant", re.compile(r"^option-"))
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowUp")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(supplier).to_have_value(re.compile(rf"^{SUPPLIER} \(\d{{6}}-\d{{4}}\)$"))
    expect(options).to_have_count(0)
    expect(page).to_have_url(re.compile(r"supplier=M%C3%A4lardalens"))
    rows = page.locator("#results tbody tr")
    expect(rows.first).to_contain_text(SUPPLIER)
    expect(page.locator("#results tbody")).not_to_contain_text("KGN-44871")  # the office supplier's
    for row in rows.all():
        expect(row).to_contain_text(SUPPLIER)
    expect(supplier).to_be_focused()
    assert_accessible(page)

    # Without the picker's help the same text, submitted, is the same filter (a shared link).
    visit(page, f"{INVOICES}?supplier=M%C3%A4lardalens+Lokalv%C3%A5rd")
    expect(page.locator("#results tbody tr").first).to_contain_text(SUPPLIER)
    expect(page.locator("#results tbody")).not_to_contain_text("KGN-44871")
