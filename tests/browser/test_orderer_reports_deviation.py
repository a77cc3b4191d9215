"""An orderer reports what a follow-up found, and Inköp takes it from there (issue 11).

On the demo contract RV-2025-0107 the beställare at Ortopedkliniken starts a quality
spot check, finds deviations, and cannot mark it done as "deviations found" until a
deviation is reported (or a reason given). They report it with a proposed severity.
Inköp gets an e-mail and finds it in its queue ("reported by orderers, awaiting
assessment"), decides the severity and agrees an action plan. Every page passes axe (each
page state once: check_swedish_page runs axe, so no second run follows it on an unchanged page).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser_ui import check_swedish_page, visit
from tests.browser.test_followup_flow import NUMBER, QUALITY, WORK_LIST, click_and_wait, contract_rows, logged_in

pytestmark = pytest.mark.browser

QUEUE = "/avvikelser/?awaiting_assessment=on"


def test_orderer_reports_a_deviation_and_inkop_agrees_an_action_plan(
    new_page: Callable[[], Page], mailbox: Callable[[], str]
) -> None:
    orderer = logged_in(new_page, "bestallare")

    # A planned quality spot check of the orderer's unit (the last one, so that other
    # browser tests that take the first keep theirs).
    visit(orderer, f"{WORK_LIST}?view=open&scope=mine&status=planned&q={NUMBER}")
    planned = contract_rows(orderer).filter(has_text=QUALITY)
    expect(planned.first).to_be_visible()
    click_and_wait(orderer, planned.last.get_by_role("link", name=QUALITY))
    activity_url = orderer.url
    click_and_wait(orderer, orderer.locator("form[action$='/start/'] button[type=submit]"))
    check_swedish_page(orderer)

    # "Deviations found" with nothing reported is refused, with what to do.
    complete = orderer.locator("form[action$='/complete/']")
    complete.locator("select[name=outcome]").select_option("deviations")
    complete.locator("textarea[name=note]").fill("Två av fem vårdrum underkända vid stickprovet.")
    click_and_wait(orderer, complete.locator("button[type=submit]"))
    check_swedish_page(orderer)
    expect(orderer.locator("form[action$='/complete/']")).to_contain_text("ingen avvikelse är rapporterad")

    # Report the deviation from the follow-up, proposing "major".
    visit(orderer, activity_url)
    report = orderer.locator("main .page-head a[href*='/avvikelser/ny/']")
    expect(report).to_contain_text("Rapportera en avvikelse")
    click_and_wait(orderer, report)
    check_swedish_page(orderer)
    expect(orderer.locator("main form.form")).to_contain_text("Föreslagen allvarlighetsgrad")
    title = f"Vårdrum ostädade vid stickprov {uuid.uuid4().hex[:6]}"
    form = orderer.locator("main form.form")
    form.locator("select[name=severity]").select_option("major")
    form.locator("input[name=title]").fill(title)
    form.locator("textarea[name=description]").fill("Rum 12 och 14 underkända enligt INSTA 800.")
    click_and_wait(orderer, form.locator("button[type=submit]"))
    check_swedish_page(orderer)
    expect(orderer.locator("main h1")).to_contain_text(title)
    expect(orderer.locator("main")).to_contain_text("väntar på Inköps bedömning")
    # The orderer gets no way to set the severity, the action plan or a sanction.
    expect(orderer.locator("main a[href$='/atgardsplan/']")).to_have_count(0)
    expect(orderer.locator("main a[href$='/bedomning/']")).to_have_count(0)
    deviation_url = orderer.url

    # Now the follow-up can be marked done as "deviations found", and lists the deviation.
    visit(orderer, activity_url)
    expect(orderer.locator("section[aria-labelledby=deviations-heading]")).to_contain_text(title)
    complete = orderer.locator("form[action$='/complete/']")
    complete.locator("select[name=outcome]").select_option("deviations")
    complete.locator("textarea[name=note]").fill("Två av fem vårdrum underkända vid stickprovet.")
    click_and_wait(orderer, complete.locator("button[type=submit]"))
    assert orderer.url == activity_url
    expect(orderer.locator("section[aria-labelledby=next-heading]")).to_have_count(0)
    expect(orderer.locator("main dl.facts")).to_contain_text("Avvikelser hittades")

    # Inköp was told by e-mail, with a link to the deviation.
    mail = mailbox()
    assert title in mail
    assert deviation_url.split("/avvikelser/")[1] in mail

    # Inköp finds it in its queue.
    officer = logged_in(new_page, "inkopare")
    visit(officer, "/avvikelser/")
    expect(officer.locator("main .notice a[href*='awaiting_assessment=on']")).to_be_visible()
    visit(officer, QUEUE)
    check_swedish_page(officer)
    row = officer.locator("#results table tbody tr").filter(has_text=title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Väntar på bedömning")
    click_and_wait(officer, row.locator(f"a:has-text('{title}')"))
    assert officer.url == deviation_url

    # Inköp decides the severity (minor, not the proposed major) ...
    click_and_wait(officer, officer.locator("main .page-head a[href$='/bedomning/']"))
    check_swedish_page(officer)
    form = officer.locator("main form.form")
    expect(form.locator("select[name=severity]")).to_have_value("major")  # the proposal
    form.locator("select[name=severity]").select_option("minor")
    click_and_wait(officer, form.locator("button[type=submit]"))
    assert officer.url == deviation_url
    expect(officer.locator("main dl.facts")).to_contain_text("beställaren föreslog")

    # ... and agrees the action plan.
    today = datetime.date.today()
    click_and_wait(officer, officer.locator("main .page-head a[href$='/atgardsplan/']"))
    form = officer.locator("main form.form")
    form.locator("input[name=agreed_on]").fill(today.isoformat())
    deadline = today + datetime.timedelta(days=21)
    form.locator("input[name=deadline]").fill(deadline.isoformat())
    form.locator("input[name=action_0]").fill("Städa om rummen och gå igenom rutinen med personalen")
    click_and_wait(officer, form.locator("button[type=submit]"))
    assert officer.url == deviation_url
    check_swedish_page(officer)
    expect(officer.locator("section[aria-labelledby=plan-heading] dl.facts")).to_contain_text(deadline.isoformat())

    # It has left the queue.
    visit(officer, QUEUE)
    expect(officer.locator("#results table tbody tr").filter(has_text=title)).to_have_count(0)
