"""Reports in a real browser: a Läsare of Region Västmanland opens the dashboard and sees
only what Västmanland's organisations call off; follows a figure to the records behind it;
and downloads the contract list as Excel, which holds only contracts a Västmanland
organisation may call off from. Every page passes axe with nothing serious or critical.

The demo's `lasare` sits in the joint Inköp unit and so sees both regions (a reader sees
what their unit serves); `lasare.vastmanland` (seeded by the reports app's demo) is
management in Region Västmanland itself."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.test_browser_ui import assert_accessible, check_swedish_page, log_in, visit

pytestmark = pytest.mark.browser

DASHBOARD = "/rapporter/"
CONTRACTS = "/avtal/"
READER = "lasare.vastmanland"


def logged_in(new_page: Callable[[], Page], username: str) -> Page:
    page = new_page()
    log_in(page, username)
    page.wait_for_url(lambda url: not url.endswith("/logga-in/"))
    return page


def due_total(page: Page) -> int:
    """The number of follow-ups due, from the summary table under "Uppföljningar"."""
    cell = page.locator("table", has=page.locator("caption", has_text="Uppföljningar som förfaller")).locator(
        "tbody td a"
    )
    return int(cell.first.inner_text())


def test_a_vastmanland_reader_sees_only_vastmanland(new_page: Callable[[], Page]) -> None:
    page = logged_in(new_page, READER)
    visit(page, DASHBOARD)
    check_swedish_page(page)
    expect(page.locator("main h1")).to_have_text("Rapporter")
    # The scope selector offers Västmanland and nothing of Sörmland.
    options = page.locator("select[name=scope] option").all_inner_texts()
    assert any("Region Västmanland" in o for o in options), options
    assert not any("Sörmland" in o for o in options), options
    # Charts are images with a name, and their numbers are in a table beside them.
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 1
    first = charts.first
    assert first.get_attribute("aria-labelledby")
    mine = due_total(page)

    # The joint Inköp's reader sees both regions, so at least as much.
    inkop = logged_in(new_page, "lasare")
    visit(inkop, DASHBOARD)
    assert due_total(inkop) >= mine
    sormland = [o for o in inkop.locator("select[name=scope] option").all_inner_texts() if "Sörmland" in o]
    assert sormland, "the joint Inköp's reader may choose Sörmland"
    # Choosing Sörmland by hand in the URL does not give the Västmanland reader its figures.
    value = inkop.locator("select[name=scope] option", has_text="Region Sörmland").first.get_attribute("value")
    visit(page, f"{DASHBOARD}?scope={value}")
    assert due_total(page) == mine
    expect(page.locator(".error-summary")).to_be_visible()


def test_a_figure_leads_to_its_records(new_page: Callable[[], Page]) -> None:
    page = logged_in(new_page, READER)
    visit(page, DASHBOARD)
    link = page.locator("main a[href^='/rapporter/poster/']").filter(has_text=re.compile(r"^\d+$")).first
    number = int(link.inner_text())
    with page.expect_navigation():
        link.click()
    assert "/rapporter/poster/" in page.url
    check_swedish_page(page)
    expect(page.locator("p.count")).to_contain_text(str(number))
    if number:
        expect(page.locator("main table tbody tr")).not_to_have_count(0)
    else:
        expect(page.locator("p.empty")).to_be_visible()


def test_the_contract_list_downloads_as_excel_with_only_what_the_reader_sees(new_page: Callable[[], Page]) -> None:
    page = logged_in(new_page, READER)
    visit(page, CONTRACTS)
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Exportera till Excel").click()
    download = info.value
    assert download.suggested_filename.startswith("avtal-") and download.suggested_filename.endswith(".xlsx")
    path = download.path()
    assert path is not None
    with open(path, "rb") as handle:
        content = handle.read()
    assert content.startswith(b"PK")
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[0] == "Avtalsnummer"
    buyers = header.index("Organisationer som får avropa")
    assert body, "the demo has contracts in Region Västmanland"
    for row in body:
        assert "Västmanland" in str(row[buyers]), row


def test_the_export_links_follow_the_list_filters(new_page: Callable[[], Page]) -> None:
    page = logged_in(new_page, READER)
    visit(page, CONTRACTS)
    page.locator("input[name=q]").fill("RV-2025")
    excel = page.get_by_role("link", name="Exportera till Excel")
    expect(excel).to_have_attribute("href", re.compile(r"\?.*q=RV-2025"))
    expect(page.get_by_role("link", name="Exportera till CSV")).to_have_attribute("href", re.compile(r"q=RV-2025"))


def test_each_figure_says_how_it_is_counted(new_page: Callable[[], Page]) -> None:
    """Issue 11: under each figure a disclosure, opened from the keyboard, says what is
    counted, out of what, and by which dates; the page stays accessible with them open."""
    page = logged_in(new_page, READER)
    visit(page, DASHBOARD)
    disclosures = page.locator("details.how")
    assert disclosures.count() >= 15
    gate = disclosures.first
    gate.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(gate).to_have_attribute("open", "")
    expect(gate.locator("p")).to_contain_text("annonserades under perioden")
    for details in disclosures.all():
        details.evaluate("element => { element.open = true; }")
    assert_accessible(page)
