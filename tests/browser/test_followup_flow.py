"""Follow-up of contract RV-2025-0107 (the demo contract in Region Västmanland) in a real
browser: a beställare records a quality follow-up with evidence; an officer raises a major
deviation, agrees an action plan whose deadline has passed, is asked for a sanction
decision and records it; and an orderer in Region Sörmland sees none of it (404s, and
nothing in the lists). Every page passes axe with nothing serious or critical.

The deviation is recorded as found five days ago and the action plan agreed three days ago
with a deadline of yesterday: the forms accept past dates (never a plan agreed before the
deviation was found), so "the deadline passes" is simulated through the UI alone.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.navigation import nav_go
from tests.browser.test_browser_ui import assert_accessible, check_swedish_page, log_in, visit

pytestmark = pytest.mark.browser

NUMBER = "RV-2025-0107"
QUALITY = "Städkvalitet INSTA 800"
CONTRACTS = "/avtal/"
WORK_LIST = "/uppfoljning/"
DEVIATIONS = "/avvikelser/"
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def click_and_wait(page: Page, button: Locator) -> None:
    """Click a submit button or link and wait for the page it leads to."""
    with page.expect_navigation():
        button.click()


def logged_in(new_page: Callable[[], Page], username: str) -> Page:
    page = new_page()
    log_in(page, username)
    page.wait_for_url(lambda url: not url.endswith("/logga-in/"))
    return page


def contract_rows(page: Page) -> Locator:
    return page.locator("#results table tbody tr").filter(has_text=NUMBER)


def write_pdf(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(PDF_BYTES)
    return path


def upload_evidence(page: Page, pdf: Path) -> None:
    form = page.locator("section[aria-labelledby=evidence-heading] form")
    form.locator("input[type=file][name=file]").set_input_files(str(pdf))
    click_and_wait(page, form.locator("button[type=submit]"))


def evidence_links(page: Page, name: str) -> Locator:
    return page.locator("section[aria-labelledby=evidence-heading] table tbody a[download]").filter(has_text=name)


# --- 1. a beställare records a quality follow-up with evidence ------------------------


def test_orderer_records_quality_follow_up_with_evidence(new_page: Callable[[], Page], tmp_path: Path) -> None:
    page = logged_in(new_page, "bestallare")

    # My follow-ups (the simulated year fills the first page); the quality activities of
    # RV-2025-0107 are the ortopedkliniken unit's.
    nav_go(page, WORK_LIST)
    check_swedish_page(page)
    expect(page.locator("#results table tbody tr").first).to_be_visible()
    visit(page, f"{WORK_LIST}?q={NUMBER}")
    expect(contract_rows(page).filter(has_text=QUALITY).first).to_be_visible()

    # Only the planned ones (the filter as a URL: Swedish labels may not be compiled).
    visit(page, f"{WORK_LIST}?view=open&scope=mine&status=planned&q={NUMBER}")
    check_swedish_page(page)
    planned = contract_rows(page).filter(has_text=QUALITY)
    expect(planned.first).to_be_visible()
    click_and_wait(page, planned.first.get_by_role("link", name=QUALITY))
    activity_url = page.url
    check_swedish_page(page)
    expect(page.locator("main dl.facts")).to_contain_text(NUMBER)
    expect(page.locator("main dl.facts")).to_contain_text("ortopedkliniken")

    # Start it.
    start = page.locator("form[action$='/start/'] button[type=submit]")
    expect(start).to_have_count(1)
    click_and_wait(page, start)
    assert page.url == activity_url
    check_swedish_page(page)
    expect(page.locator("form[action$='/start/']")).to_have_count(0)
    expect(page.locator("form[action$='/complete/']")).to_have_count(1)

    # Upload a small PDF as evidence.
    name = f"stadkontroll-{uuid.uuid4().hex[:8]}.pdf"
    upload_evidence(page, write_pdf(tmp_path, name))
    assert page.url == activity_url
    check_swedish_page(page)
    expect(evidence_links(page, name)).to_have_count(1)

    # Complete it as compliant.
    complete = page.locator("form[action$='/complete/']")
    complete.locator("select[name=outcome]").select_option("compliant")
    complete.locator("textarea[name=note]").fill("Stickprov i tre vårdrum, INSTA 800 nivå 3 uppfylld.")
    click_and_wait(page, complete.locator("button[type=submit]"))
    assert page.url == activity_url
    check_swedish_page(page)

    # Done: no next step, the outcome shown, the evidence still listed and downloadable.
    expect(page.locator("section[aria-labelledby=next-heading]")).to_have_count(0)
    expect(page.locator("main dl.facts")).to_contain_text(datetime.date.today().isoformat())
    expect(evidence_links(page, name)).to_have_count(1)
    href = evidence_links(page, name).get_attribute("href")
    assert href
    download = page.request.get(href)
    assert download.status == 200
    assert download.body() == PDF_BYTES

    # And it is listed as done.
    visit(page, f"{WORK_LIST}?view=all&scope=mine&status=done&q={NUMBER}")
    check_swedish_page(page)
    done_links = hrefs_in(page, "#results table tbody a")
    assert any(activity_url.endswith(h) for h in done_links), (activity_url, done_links)


def hrefs_in(page: Page, selector: str) -> list[str]:
    return list(page.locator(selector).evaluate_all("els => els.map(e => e.getAttribute('href'))"))


# --- 2. a major deviation, an action plan, a missed deadline, a sanction decision -----


def test_officer_raises_major_deviation_and_decides_sanction_after_deadline(new_page: Callable[[], Page]) -> None:
    page = logged_in(new_page, "inkopare")
    today = datetime.date.today()
    yesterday = today - datetime.timedelta(days=1)

    # The demo's two major deviations had their deadlines pass and were decided: one fine,
    # one waived. Neither asks for a decision any more.
    visit(page, f"{DEVIATIONS}?contract={NUMBER}&severity=major")
    check_swedish_page(page)
    demo_links = hrefs_in(page, "#results table tbody a[href^='/avvikelser/']")
    assert len(demo_links) >= 2
    expect(page.locator("#results table tbody strong.tag")).to_have_count(0)
    decisions = []
    for href in demo_links[:2]:
        visit(page, href)
        expect(page.locator("main .error-summary")).to_have_count(0)
        rows = page.locator("section[aria-labelledby=sanctions-heading] table tbody tr")
        expect(rows).to_have_count(1)
        decisions.append(rows.first.inner_text())
    assert any("Åtgärdsplanen hölls inte." in d for d in decisions), decisions
    assert any("Underlagen kom två dagar efter tidsfristen" in d for d in decisions), decisions
    assert_accessible(page)

    # An activity of RV-2025-0107 that is done.
    visit(page, f"{WORK_LIST}?view=all&scope=all&status=done&q={NUMBER}")
    check_swedish_page(page)
    click_and_wait(page, contract_rows(page).first.locator("a").first)
    check_swedish_page(page)
    expect(page.locator("main dl.facts")).to_contain_text(NUMBER)

    # Raise a major deviation.
    raise_link = page.locator("main .page-head a[href*='/avvikelser/ny/']")
    expect(raise_link).to_have_count(1)
    click_and_wait(page, raise_link)
    check_swedish_page(page)
    title = f"Städning utförd utan INSTA 800-kontroll {uuid.uuid4().hex[:6]}"
    form = page.locator("main form.form")
    form.locator("select[name=severity]").select_option("major")
    form.locator("input[name=title]").fill(title)
    # Found five days ago: the plan below is agreed after that, and its deadline has passed.
    form.locator("input[name=raised_on]").fill((datetime.date.today() - datetime.timedelta(days=5)).isoformat())
    form.locator("textarea[name=description]").fill("Tre av fem rum underkända vid stickprov.")
    click_and_wait(page, form.locator("button[type=submit]"))
    expect(page.locator("main h1")).to_contain_text(title)
    deviation_url = page.url
    check_swedish_page(page)
    expect(page.locator("main .error-summary")).to_have_count(0)

    # Agree an action plan whose deadline has already passed (yesterday).
    click_and_wait(page, page.locator("main .page-head a[href$='/atgardsplan/']"))
    check_swedish_page(page)
    form = page.locator("main form.form")
    form.locator("input[name=agreed_on]").fill((today - datetime.timedelta(days=3)).isoformat())
    form.locator("input[name=deadline]").fill(yesterday.isoformat())
    form.locator("input[name=action_0]").fill("Åtgärda städrutinerna och genomför ny egenkontroll")
    click_and_wait(page, form.locator("button[type=submit]"))
    assert page.url == deviation_url, "the past deadline was refused"
    check_swedish_page(page)
    expect(page.locator("section[aria-labelledby=plan-heading] dl.facts")).to_contain_text(yesterday.isoformat())

    # The deadline has passed without a verified correction: a decision is demanded.
    demand = page.locator("main .error-summary[role=alert]")
    expect(demand).to_be_visible()
    expect(demand).to_contain_text(yesterday.isoformat())
    sanction_link = demand.locator("a[href$='/sanktion/']")
    expect(sanction_link).to_have_count(1)

    # ... and the list, filtered on "decision needed", has it, marked.
    visit(page, f"{DEVIATIONS}?decision_needed=on")
    check_swedish_page(page)
    row = page.locator("#results table tbody tr").filter(has_text=title)
    expect(row).to_have_count(1)
    expect(row.locator("strong.tag")).to_have_count(1)

    # Record the decision: waive, with a reason.
    visit(page, deviation_url)
    click_and_wait(page, page.locator("main .error-summary a[href$='/sanktion/']"))
    check_swedish_page(page)
    form = page.locator("main form.form")
    form.locator("input[name=decision][value=waive]").check()
    reason = "Leverantören rättade dagen efter tidsfristen; ingen skada uppstod."
    form.locator("textarea[name=reason]").fill(reason)
    click_and_wait(page, form.locator("button[type=submit]"))
    assert page.url == deviation_url
    check_swedish_page(page)

    # The demand is gone; the decision is listed.
    expect(page.locator("main .error-summary")).to_have_count(0)
    decided = page.locator("section[aria-labelledby=sanctions-heading] table tbody tr")
    expect(decided).to_have_count(1)
    expect(decided).to_contain_text(reason)
    visit(page, f"{DEVIATIONS}?decision_needed=on")
    expect(page.locator("#results table tbody tr").filter(has_text=title)).to_have_count(0)
    visit(page, f"{DEVIATIONS}?contract={NUMBER}")
    row = page.locator("#results table tbody tr").filter(has_text=title)
    expect(row).to_have_count(1)
    expect(row.locator("strong.tag")).to_have_count(0)


# --- 3. another region sees nothing ---------------------------------------------------


def test_other_region_cannot_see_the_contract_or_its_follow_up(new_page: Callable[[], Page], tmp_path: Path) -> None:
    officer = logged_in(new_page, "inkopare")

    # The contract page.
    visit(officer, f"{CONTRACTS}?q={NUMBER}")
    contract_url = contract_rows(officer).first.get_by_role("link", name=NUMBER).get_attribute("href")
    assert contract_url
    visit(officer, contract_url)
    expect(officer.locator("main h1")).to_contain_text(NUMBER)

    # An activity page, with evidence uploaded so that there is a download URL.
    visit(officer, f"{WORK_LIST}?view=all&scope=all&q={NUMBER}")
    activity_url = contract_rows(officer).first.locator("a").first.get_attribute("href")
    assert activity_url
    visit(officer, activity_url)
    name = f"avtalsuppfoljning-{uuid.uuid4().hex[:8]}.pdf"
    upload_evidence(officer, write_pdf(tmp_path, name))
    evidence_url = evidence_links(officer, name).get_attribute("href")
    assert evidence_url
    assert officer.request.get(evidence_url).status == 200

    # A deviation page.
    visit(officer, f"{DEVIATIONS}?contract={NUMBER}")
    deviation_url = contract_rows(officer).first.locator("a[href^='/avvikelser/']").first.get_attribute("href")
    assert deviation_url
    visit(officer, deviation_url)

    # The orderer in Region Sörmland: not found, every one of them.
    outsider = logged_in(new_page, "bestallare.sormland")
    for url in (contract_url, activity_url, deviation_url):
        visit(outsider, url, status=404)
        check_swedish_page(outsider)
        expect(outsider.locator("header nav")).to_be_visible()  # still logged in, just not found
        expect(outsider.locator("main")).not_to_contain_text(NUMBER)
    download = outsider.request.get(evidence_url)
    assert download.status == 404, f"GET {evidence_url} answered {download.status}"
    assert download.body() != PDF_BYTES

    # The lists do not mention it, not even when searched for.
    for url in (
        CONTRACTS,
        f"{CONTRACTS}?q={NUMBER}",
        WORK_LIST,
        f"{WORK_LIST}?view=all&scope=all",
        f"{WORK_LIST}?view=all&scope=all&q={NUMBER}",
        DEVIATIONS,
        f"{DEVIATIONS}?contract={NUMBER}",
    ):
        visit(outsider, url)
        check_swedish_page(outsider)
        expect(outsider.locator("main")).not_to_contain_text(NUMBER)
