"""A registered contract shows its plan without any extra click: an Inköp officer registers
a second contract from the demo procurement RV-2025-0107 (awarded, strategy approved by a
second officer) in a real browser, and the contract's page shows its follow-up plan at
once, each follow-up with its responsible unit. The page passes axe.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser_ui import assert_accessible, check_swedish_page, log_in, submit, visit

pytestmark = pytest.mark.browser

PROCUREMENT = "RV-2025-0107"
ORDERING_UNIT = "Västmanlands sjukhus, ortopedkliniken"


def test_a_registered_contract_shows_its_plan_without_any_extra_click(new_page: Callable[[], Page]) -> None:
    page = new_page()
    log_in(page, "inkopare")
    page.wait_for_url(lambda url: not url.endswith("/logga-in/"))

    # The awarded procurement offers to register its signed contract.
    visit(page, f"/upphandlingar/?q={PROCUREMENT}")
    with page.expect_navigation():
        page.locator("#results table a").filter(has_text=PROCUREMENT).first.click()
    expect(page.locator("h1")).to_contain_text(PROCUREMENT)
    register = page.locator('main a[href*="?upphandling="]')
    expect(register).to_have_text("Registrera det tecknade avtalet")
    with page.expect_navigation():
        register.click()
    check_swedish_page(page)

    # A number that does not contain the demo contract's own: other browser tests find
    # RV-2025-0107 by searching for it and take the first hit.
    number = f"RV-B-{uuid.uuid4().hex[:6]}"
    today = datetime.date.today()
    form = page.locator("main form.form")
    form.locator("input[name=contract_number]").fill(number)
    form.locator("input[name=signed_on]").fill(f"{today - datetime.timedelta(days=10):%Y-%m-%d}")
    form.locator("input[name=starts_on]").fill(f"{today:%Y-%m-%d}")
    form.locator("input[name=ends_on]").fill(
        f"{today.replace(year=today.year + 2) - datetime.timedelta(days=1):%Y-%m-%d}"
    )
    suppliers = form.locator("select[name=suppliers]")
    if not suppliers.evaluate("s => [...s.selectedOptions].length"):
        suppliers.select_option(index=0)
    submit(page, form.locator("button[type=submit]"))

    # Straight onto the contract's page: the plan is there, no button to press first.
    expect(page.locator("h1")).to_contain_text(number)
    plan = page.locator("section[aria-labelledby=followup-heading] table")
    expect(plan).to_be_visible()
    rows = plan.locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 3
    expect(plan.locator("thead")).to_contain_text("Ansvarig enhet")
    expect(plan.locator("thead")).to_contain_text("Ansvarig person")
    expect(rows.filter(has_text=f"Beställaren – {ORDERING_UNIT}").first).to_be_visible()
    expect(rows.filter(has=page.locator("td", has_text="Inköp")).first).to_be_visible()
    expect(page.get_by_text("Ingen uppföljningsplan ännu")).to_have_count(0)
    assert_accessible(page)
