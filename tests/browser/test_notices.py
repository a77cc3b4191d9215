"""From the tender system in: an Inköp officer uploads the contract award notice of the
demo procurement RV-2025-0107 (awarded, strategy approved by a second officer) and lands
on the new contract with its follow-up plan. Upload page and contract page pass axe.

The notice is made at test time from the eForms SDK's minimal award example with the
demo's identifiers (``notices.generate``). Its contract number and supplier are new and
do not contain the demo contract's number, which other browser tests search for."""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import FilePayload, Page, expect
from stdnum import luhn

from kravspar.notices.generate import award_notice
from tests.browser.test_browser_ui import check_swedish_page, log_in, submit, visit

pytestmark = pytest.mark.browser

PROCUREMENT = "RV-2025-0107"
REGION_VASTMANLAND = "2321000172"


def test_officer_uploads_an_award_notice_and_lands_on_the_contract_with_its_plan(
    new_page: Callable[[], Page],
) -> None:
    number = f"EF-{uuid.uuid4().hex[:8]}"
    base = f"5599{random.randrange(10**5):05d}"
    notice = award_notice(
        registry_number=PROCUREMENT,
        buyer_org_number=REGION_VASTMANLAND,
        contract_number=number,
        supplier_name=f"Annonsstäd {number} AB",
        supplier_org_number=base + luhn.calc_check_digit(base),
        value=Decimal(4_800_000),
        signed_on=datetime.date.today() - datetime.timedelta(days=7),
        months=24,
        title="Städtjänster, tilldelat i upphandlingssystemet",
    )
    page = new_page()
    log_in(page, "inkopare")
    page.wait_for_url(lambda url: not url.endswith("/logga-in/"))
    visit(page, "/kungorelser/ladda-upp/")
    expect(page.locator("main h1")).to_have_text("Ladda upp annonser")
    check_swedish_page(page)
    page.set_input_files(
        "input[name=notice_files]", files=[FilePayload(name="can.xml", mimeType="application/xml", buffer=notice)]
    )
    submit(page, page.locator("main form button[type=submit]"))

    page.wait_for_url("**/avtal/*/")
    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator("h1")).not_to_contain_text("Strategi saknas")
    plan = page.locator("section[aria-labelledby=followup-heading] table")
    expect(plan).to_be_visible()
    expect(plan.locator("tbody tr").first).to_be_visible()
    check_swedish_page(page)
