"""Economic follow-up in a real browser: an Inköp officer reads the figures, follows a
figure to the invoice lines behind it, opens the work queue and an invoice, and reads the
price list of the demo contract RV-2025-0107 from the contract page. A reader sees the
invoice but no assignment forms; the beställare in Region Sörmland does not see Region
Västmanland's invoices. Every page passes axe."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser_ui import check_swedish_page, log_in, visit

pytestmark = pytest.mark.browser

FIGURES = "/ekonomi/"
QUEUE = "/ekonomi/ko/"
OFF_CONTRACT = "/ekonomi/utanfor-avtal/"


def test_officer_follows_the_figures_to_the_lines_and_the_price_list(new_page: Callable[[], Page]) -> None:
    page = new_page()
    log_in(page, "inkopare")
    visit(page, FIGURES)
    expect(page.locator("main h1")).to_have_text("Ekonomisk uppföljning")
    expect(page.locator("main table").first).to_contain_text("Region Västmanland")
    check_swedish_page(page)

    # The price deviation of Region Västmanland leads to the over-priced lines.
    page.locator("main table").first.locator("tbody tr", has_text="Region Västmanland").locator(
        "a[href*='urval=over_price']"
    ).click()
    page.wait_for_url("**/ekonomi/rader/**")
    expect(page.locator("main tbody tr").first).to_contain_text("över avtalat pris")
    check_swedish_page(page)

    visit(page, QUEUE)
    rows = page.locator("#results tbody tr")
    expect(rows.first).to_be_visible()
    check_swedish_page(page)
    page.locator("#results tbody a", has_text="ML-").first.click()
    page.wait_for_url("**/ekonomi/fakturor/*/")
    expect(page.locator("main")).to_contain_text("Genom avtalsreferensen")
    expect(page.locator("main select[name=article]").first).to_be_visible()
    check_swedish_page(page)

    visit(page, OFF_CONTRACT)
    expect(page.locator("main tbody")).to_contain_text("Kontorsgrossisten Nyköping AB")
    check_swedish_page(page)

    # From the contract page to its price list.
    visit(page, "/avtal/?q=RV-2025-0107")
    page.locator("main a", has_text="RV-2025-0107").first.click()
    page.wait_for_url("**/avtal/*/")
    page.locator("main a", has_text="Visa prislistan").click()
    page.wait_for_url("**/prislista/")
    expect(page.locator("#results tbody tr")).to_have_count(6)
    check_swedish_page(page)


def test_reader_sees_but_cannot_assign_and_sormland_sees_no_vastmanland_invoice(new_page: Callable[[], Page]) -> None:
    page = new_page()
    log_in(page, "lasare")
    visit(page, QUEUE)
    page.locator("#results tbody a", has_text="ML-").first.click()
    page.wait_for_url("**/ekonomi/fakturor/*/")
    invoice_url = page.url
    expect(page.locator("main select[name=article]")).to_have_count(0)
    expect(page.locator("#assign-heading")).to_have_count(0)
    check_swedish_page(page)

    other = new_page()
    log_in(other, "bestallare.sormland")
    visit(other, invoice_url, status=404)
    visit(other, QUEUE)
    expect(other.locator("#results")).not_to_contain_text("ML-")
