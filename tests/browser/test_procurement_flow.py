"""An Inköp officer plans a procurement from scratch in a real browser: registers it,
assesses the six aims, adds requirements from the library and one of their own, writes
the follow-up strategy, is refused when advertising too early (with the list of what is
missing), sends the strategy for approval; a second person approves it, and the
procurement is advertised. Every page passes axe with nothing serious or critical.

The demo data has one procurement officer (``inkopare``); the administrator (``admin``)
holds every permission and is the second person who approves.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.browser.navigation import nav_go
from tests.browser.test_browser_ui import assert_accessible, check_swedish_page, log_in, visit

pytestmark = pytest.mark.browser

PROCUREMENTS = "/upphandlingar/"
CREATE = "/upphandlingar/ny/"
MY_WORK = "/upphandlingar/mina/"
LIBRARY = "/krav/"


def submit(page: Page, form_selector: str = "main form.form") -> None:
    page.locator(f"{form_selector} button[type=submit]").first.click()
    page.wait_for_load_state()


def transition(page: Page, target: str) -> None:
    page.locator(f'#status form:has(input[name=to][value="{target}"]) button').click()
    page.wait_for_load_state()


def missing_items(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("#refusal ul.missing li").all_inner_texts()]


def test_officer_plans_second_person_approves_then_advertised(new_page: Callable[[], Page]) -> None:
    officer = new_page()
    log_in(officer, "inkopare")

    # The list, reached from the main navigation.
    nav_go(officer, PROCUREMENTS)
    check_swedish_page(officer)
    expect(officer.locator(f'main a[href="{MY_WORK}"]')).to_have_count(1)

    # Register the procurement; the CPV code is picked from the autocomplete.
    officer.locator(f'main .page-head a[href="{CREATE}"]').click()
    officer.wait_for_url(f"**{CREATE}")
    check_swedish_page(officer)
    number = f"RS-2026-{uuid.uuid4().hex[:6].upper()}"
    officer.fill("#id_registry_number", number)
    officer.fill("#id_title", "Städtjänster för vårdlokaler")
    officer.locator("#id_buyers").get_by_label("Region Sörmland", exact=True).check()
    officer.locator("#id_buyers").get_by_label("Region Västmanland", exact=True).check()
    officer.locator("#id_ordering_units").get_by_label(re.compile("ortopedkliniken")).check()
    cpv = officer.locator("#id_cpv_main")
    cpv.press_sequentially("9091000", delay=30)
    option = officer.locator('#id_cpv_main-options [role=option][data-value="90910000"]')
    expect(option).to_be_visible()
    expect(cpv).to_have_attribute("aria-expanded", "true")
    assert_accessible(officer)  # with the options open
    cpv.press("ArrowDown")
    expect(cpv).to_have_attribute("aria-activedescendant", "cpv-option-90910000")
    cpv.press("Enter")
    expect(cpv).to_have_value("90910000")
    expect(officer.locator("#id_cpv_main-options [role=option]")).to_have_count(0)
    officer.locator('input[name=kind][value="services"]').check()
    officer.select_option("#id_procedure", "open")
    officer.fill("#id_estimated_value", "40000000")
    officer.fill("#id_duration_months", "48")
    officer.select_option("#id_criticality", "2")
    officer.select_option("#id_supply_risk", "3")
    submit(officer)
    officer.wait_for_url(re.compile(r"/upphandlingar/[0-9a-f-]{36}/$"))
    detail = officer.url
    detail_path = urlparse(detail).path
    check_swedish_page(officer)
    expect(officer.locator("main h1")).to_contain_text(number)

    # Advertising now is refused, and the refusal says everything that is missing.
    transition(officer, "advertised")
    expect(officer.locator("#refusal[role=alert]")).to_be_visible()
    first_refusal = missing_items(officer)
    assert len(first_refusal) >= 8, first_refusal  # six aims, no requirements, no strategy
    check_swedish_page(officer)

    # The six aims.
    visit(officer, f"{detail}syften/")
    check_swedish_page(officer)
    for aim in range(1, 7):
        relevant = "no" if aim == 5 else "yes"
        officer.locator(f'input[name="aim{aim}_yes"][value="{relevant}"]').check()
        officer.fill(f"#id_aim{aim}_how", f"Så här hanteras syfte {aim} i upphandlingen.")
    submit(officer)
    officer.wait_for_url(f"{detail}#aims")
    expect(officer.locator("#aims tbody tr")).to_have_count(6)

    # The buying regions' environmental goals, if the demo has any.
    goals_link = officer.locator(f'#goals a[href="{detail_path}miljomal/"]')
    if goals_link.count():
        goals_link.click()
        officer.wait_for_load_state()
        check_swedish_page(officer)
        for radio in officer.locator('main form input[type=radio][value="yes"]').all():
            radio.check()
        for text in officer.locator("main form textarea").all():
            text.fill("Beaktas genom miljökraven i upphandlingen.")
        submit(officer)

    # Requirements from the library (the demo library is seeded), and one written by hand.
    visit(officer, detail)
    library = officer.locator("#requirements select[name=template]")
    expect(library.locator("option")).not_to_have_count(1)
    for title in ("Uppförandekod för leverantörer", "Lön, semester och arbetstid enligt kollektivavtal"):
        value = library.locator("option", has_text=title).get_attribute("value")
        assert value, f"{title} is not in the demo library"
        library.select_option(value)
        officer.locator("#requirements form button[type=submit]").click()
        officer.wait_for_load_state()
        library = officer.locator("#requirements select[name=template]")
    officer.locator(f'#requirements a[href="{detail_path}krav/ny/"]').click()
    officer.wait_for_url(f"{detail}krav/ny/")
    check_swedish_page(officer)
    officer.fill("#id_title", "Städkvalitet enligt INSTA 800")
    officer.locator('input[name=type][value="quality"]').check()
    officer.fill("#id_text", "Städkvaliteten ska motsvara INSTA 800 kvalitetsnivå 3.")
    submit(officer)
    officer.wait_for_url(f"{detail}#requirements")
    expect(officer.locator("#requirements tbody tr")).to_have_count(3)
    check_swedish_page(officer)

    # The strategy: how, when and by whom each requirement is followed up.
    plan_links = officer.locator('#strategy a[href*="/strategi/krav/"]')
    expect(plan_links).to_have_count(3)
    for n, href in enumerate(plan_links.evaluate_all("els => els.map(e => e.getAttribute('href'))")):
        visit(officer, href)
        if n == 0:
            check_swedish_page(officer)
        # The responsible is pre-filled from the purchasing policy.
        expect(officer.locator("input[name=responsible]:checked")).to_have_count(1)
        officer.locator('input[name=methods][value="self_assessment"]').check()
        officer.locator('input[name=methods][value="desk_audit"]').check()
        officer.locator('input[name=timing][value="recurring"]').check()
        officer.fill("#id_interval_months", "12")
        # The risk tier proposed the methods; departing from the proposal needs a reason.
        officer.fill("#id_change_reason", "Stegvis uppföljning varje år passar avtalet.")
        submit(officer)
        officer.wait_for_url(f"{detail}#strategy")
    expect(officer.locator('#strategy a[href*="/strategi/krav/"]')).to_have_count(3)

    # Cleaning above the EU threshold: the labour-law needs assessment (LOU 17 kap., kravspar/labour).
    with officer.expect_navigation():
        officer.get_by_role("link", name="Arbetsrättsliga villkor: behövlighetsbedömning och villkor").click()
    officer.get_by_label("Villkor behövs inte", exact=True).check()
    officer.get_by_label("Skäl").fill("Villkoren ställs och följs upp i regionens samordnade städavtal.")
    with officer.expect_navigation():
        officer.get_by_role("button", name="Registrera behövlighetsbedömningen").click()
    officer.goto(detail)

    # Still refused: only the approval is missing now.
    transition(officer, "advertised")
    remaining = missing_items(officer)
    assert len(remaining) == 1 and "1" in remaining[0], remaining

    # Send for approval; the officer cannot approve their own strategy.
    officer.locator("#approval form[action$='/strategi/skicka/'] button").click()
    officer.wait_for_url(f"{detail}#approval")
    expect(officer.locator("#approval form[action$='/strategi/godkann/']")).to_have_count(0)
    check_swedish_page(officer)

    # The second person finds it under "my work" and approves it.
    approver = new_page()
    log_in(approver, "admin")
    visit(approver, MY_WORK)
    check_swedish_page(approver)
    approver.locator("#approval-heading ~ table").get_by_role("link", name=re.compile(number)).click()
    approver.wait_for_load_state()
    check_swedish_page(approver)
    approver.locator("#approval form[action$='/strategi/godkann/'] button").click()
    approver.wait_for_url(f"{detail}#approval")
    check_swedish_page(approver)

    # The gate is open: the officer advertises.
    visit(officer, detail)
    expect(officer.locator("#gate-heading ~ .notice")).to_be_visible()
    transition(officer, "advertised")
    expect(officer.locator("#refusal")).to_have_count(0)
    expect(officer.locator('#status input[name=to][value="evaluation"]')).to_have_count(1)
    check_swedish_page(officer)

    # The approved version stays readable and printable.
    visit(officer, f"{detail}strategi/1/")
    check_swedish_page(officer)
    expect(officer.locator("main tbody tr")).to_have_count(3)
    visit(officer, f"{detail}strategi/1/utskrift/")
    assert_accessible(officer)
    expect(officer.locator("body")).to_contain_text("232100-0032")
    expect(officer.locator("body")).to_contain_text("232100-0172")

    # The list finds it by registry number.
    visit(officer, f"{PROCUREMENTS}?q={number}")
    expect(officer.locator("#results tbody tr")).to_have_count(1)
    check_swedish_page(officer)


def test_library_and_cancel_pages_are_accessible(new_page: Callable[[], Page]) -> None:
    page = new_page()
    log_in(page, "inkopare")
    nav_go(page, LIBRARY)
    check_swedish_page(page)
    first = page.locator("#results tbody a").first.get_attribute("href")
    assert first
    for url in (first, f"{first}andra/", f"{LIBRARY}ny/", f"{LIBRARY}import/"):
        visit(page, url)
        check_swedish_page(page)
    # An empty form shows the error summary, and that page is accessible too.
    visit(page, f"{LIBRARY}ny/")
    submit(page)
    expect(page.locator(".error-summary[role=alert]")).to_be_visible()
    check_swedish_page(page)

    visit(page, PROCUREMENTS)
    detail = page.locator("#results tbody a").first.get_attribute("href")
    if detail:
        for url in (detail, f"{detail}andra/", f"{detail}avbryt/", f"{detail}strategi/"):
            visit(page, url)
            check_swedish_page(page)

    # An orderer reads the list but gets no button to register or change.
    orderer = new_page()
    log_in(orderer, "bestallare")
    visit(orderer, PROCUREMENTS)
    check_swedish_page(orderer)
    expect(orderer.locator(f'main a[href="{CREATE}"]')).to_have_count(0)
    expect(orderer.locator(f'header nav a[href="{LIBRARY}"]')).to_have_count(0)
    visit(orderer, CREATE, status=403)
