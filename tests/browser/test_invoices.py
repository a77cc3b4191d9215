"""E-invoices in a real browser: Inköp's officer finds the demo invoices, opens one with
its lines, reads the demo import's report (a duplicate and a refused file) and uploads a
file that is refused with the reason; the beställare in Region Sörmland sees Sörmland's
invoice only and gets 404 for Västmanland's. Every page passes axe.

The upload is a file the import refuses, so that the shared demo database the other
browser tests read is left as it was."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import FilePayload, Page, expect

from kravspar.invoices.generate import REGION_SORMLAND, InvoiceSpec, Line, Party, org_number, render
from tests.browser.test_browser_ui import check_swedish_page, log_in, submit, visit

pytestmark = pytest.mark.browser

INVOICES = "/fakturor/"
IMPORTS = "/fakturor/importer/"
UPLOAD = "/fakturor/ladda-upp/"


BASE = "556000000"
WRONG = BASE + str((int(org_number(BASE)[-1]) + 1) % 10)  # the check digit is off by one


def _refused_invoice() -> bytes:
    """An invoice whose seller's organisation number has a wrong check digit."""
    return render(
        InvoiceSpec(
            number="TEST-1",
            issue_date=datetime.date(2026, 1, 15),
            seller=Party("Felaktiga Nummer AB", WRONG),
            buyer=REGION_SORMLAND,
            lines=[Line("A-1", "Pennor", Decimal(10), "EA", Decimal("5.00"))],
        )
    )


def test_officer_reads_invoices_and_the_import_report_and_uploads(new_page: Callable[[], Page]) -> None:
    page = new_page()
    log_in(page, "inkopare")
    visit(page, INVOICES)
    expect(page.locator("main h1")).to_have_text("E-fakturor")
    # The newest first: this month's invoices of the demo's contracts (spend.demo_invoices).
    expect(page.locator("#results tbody tr").first).to_be_visible()
    check_swedish_page(page)
    visit(page, f"{INVOICES}?q=ML-")
    expect(page.locator("#results tbody")).to_contain_text("ML-")

    visit(page, f"{INVOICES}?q=KGN")
    expect(page.locator("#results tbody tr")).to_have_count(1)

    visit(page, f"{INVOICES}?kind=credit_note")
    page.locator("#results tbody a", has_text="MLK-").first.click()
    page.wait_for_url("**/fakturor/*/")
    expect(page.locator("main h1")).to_contain_text("Kreditnota")
    expect(page.locator("main")).to_contain_text("Krediterar faktura")
    expect(page.locator("main")).to_contain_text("ART-0003")
    expect(page.locator("main a", has_text="Ladda ner original-XML")).to_be_visible()
    check_swedish_page(page)

    visit(page, IMPORTS)
    # The demo's story import is the oldest (the year's invoices and uploads came after it).
    page.locator("main tbody a").last.click()
    page.wait_for_url("**/fakturor/importer/*/")
    main = page.locator("main")
    expect(main).to_contain_text("VSF-0012.xml")
    expect(main).to_contain_text("invalid_org_number")
    expect(main).to_contain_text("kopia.xml")
    check_swedish_page(page)

    visit(page, UPLOAD)
    check_swedish_page(page)
    page.set_input_files(
        "input[name=invoice_files]",
        files=[FilePayload(name="felaktig.xml", mimeType="application/xml", buffer=_refused_invoice())],
    )
    submit(page, page.locator("main form button[type=submit]"))
    page.wait_for_url("**/fakturor/importer/*/")
    expect(page.locator("main")).to_contain_text("felaktig.xml")
    expect(page.locator("main")).to_contain_text(f"kontrollsiffran i {WRONG} stämmer inte")
    check_swedish_page(page)


def test_sormland_orderer_sees_only_sormlands_invoices(new_page: Callable[[], Page]) -> None:
    officer = new_page()
    log_in(officer, "inkopare")
    visit(officer, f"{INVOICES}?q=ML-")
    vastmanland_invoice = officer.locator("#results tbody a", has_text="ML-").first.get_attribute("href")
    assert vastmanland_invoice

    page = new_page()
    log_in(page, "bestallare.sormland")
    visit(page, f"{INVOICES}?q=KGN-44871")
    expect(page.locator("#results tbody")).to_contain_text("KGN-44871")
    check_swedish_page(page)
    visit(page, f"{INVOICES}?q=ML-")
    expect(page.locator("#results tbody tr")).to_have_count(0)
    visit(page, vastmanland_invoice, status=404)
    # Seeing invoices is not importing them.
    visit(page, UPLOAD, status=403)
