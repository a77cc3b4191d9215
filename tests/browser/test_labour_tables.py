"""The administrator keeps the labour-law tables in a real browser: the central collective
agreements (list, add with a refused empty form, change) and the EU thresholds (list, a
row's form, the empty new-row form refused). Every page passes axe. The agreement added has
a name of its own, so no other test sees it; no threshold is changed."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser_ui import assert_accessible, check_swedish_page, log_in, submit, visit

pytestmark = pytest.mark.browser

AGREEMENTS = "/arbetsrattsliga-villkor/kollektivavtal/"
THRESHOLDS = "/arbetsrattsliga-villkor/troskelvarden/"


def test_the_administrator_keeps_the_agreements_and_the_thresholds(new_page: Callable[[], Page]) -> None:
    page = new_page()
    log_in(page, "admin")
    page.wait_for_url(lambda url: "/logga-in" not in url)

    visit(page, AGREEMENTS)
    check_swedish_page(page)
    expect(page.locator("main h1")).to_have_text("Centrala kollektivavtal")
    expect(page.locator("main table")).to_contain_text("Serviceentreprenadavtalet")

    with page.expect_navigation():
        page.get_by_role("link", name="Lägg till ett avtal").click()
    form = page.locator("main form[method=post]")
    submit(page, form.get_by_role("button", name="Spara"))
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)  # the refused form, with its error summary

    name = f"Provavtal {uuid.uuid4().hex[:8]}"
    form.locator("#id_name").fill(name)
    form.locator("#id_parties").fill("Arbetsgivarföreningen – Provförbundet")
    form.locator("#id_sector").fill("Provbransch")
    form.locator("#id_valid_from").fill("2025-04-01")
    submit(page, form.get_by_role("button", name="Spara"))
    expect(page.locator(".messages")).to_contain_text(f"Avtalet {name} lades till")
    with page.expect_navigation():
        page.locator("main table a").filter(has_text=name).click()
    expect(page.locator("main h1")).to_have_text(name)
    assert_accessible(page)
    page.locator("main form[method=post] #id_sector").fill("Provbransch, ändrad")
    submit(page, page.locator("main form[method=post]").get_by_role("button", name="Spara"))
    expect(page.locator(".messages")).to_contain_text("Dina ändringar har sparats")
    expect(page.locator("main table tr").filter(has_text=name)).to_contain_text("Provbransch, ändrad")

    visit(page, THRESHOLDS)
    expect(page.locator("main h1")).to_have_text("EU-tröskelvärden")
    expect(page.locator("main table tbody tr").first).not_to_contain_text("Inga tröskelvärden")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("main table tbody a").first.click()
    expect(page.locator("main h1")).to_contain_text("tröskelvärde: ")
    assert_accessible(page)  # a row's form, left unchanged
    visit(page, THRESHOLDS)
    with page.expect_navigation():
        page.get_by_role("link", name="Lägg till ett tröskelvärde").click()
    submit(page, page.locator("main form[method=post]").get_by_role("button", name="Spara"))
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
