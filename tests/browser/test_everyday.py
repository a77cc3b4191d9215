"""An everyday tool (issue 17): the header fits from 1,366 px down to a phone, the history speaks
in words, planning reads as steps, and the main flow works from the keyboard alone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.navigation import nav_link
from tests.browser.test_browser_ui import assert_accessible, hrefs, log_in, visit

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# Every main page for the administrator (who sees every kind of page), an orderer and a supplier
# contact; the start page and its menu for the other personas, to keep the test fast.
FULL_WALK = {"admin", "bestallare", "leverantor"}
PERSONAS = ["admin", "inkopare", "bestallare", "miljo", "lasare", "leverantor"]


def assert_no_sideways_scroll(page: Page, width: int) -> None:
    scroll = page.evaluate("document.scrollingElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert scroll <= inner, f"{page.url} scrolls sideways at {width} px: {scroll} > {inner}"


def main_pages(page: Page, username: str) -> list[str]:
    """The persona's navigation, plus one procurement and one contract when they have them."""
    if username not in FULL_WALK:
        return ["/"]
    pages = [h for h in hrefs(page, "header nav a") if h]
    for listing, selector in (("/upphandlingar/", "#results tbody a"), ("/avtal/", "#results tbody a")):
        if listing in pages:
            visit(page, listing)
            found = hrefs(page, selector)
            if found:
                pages.append(found[0])
    return list(dict.fromkeys(pages))


@pytest.mark.parametrize("username", PERSONAS)
def test_header_fits_at_1366_and_390_px(new_page: Callable[[], Page], username: str) -> None:
    page = new_page()
    page.set_viewport_size(WIDE)
    log_in(page, username)
    for url in main_pages(page, username):
        visit(page, url)
        page.set_viewport_size(WIDE)
        assert_no_sideways_scroll(page, WIDE["width"])
        # At desktop width the navigation is one row beside the name: the header stays low.
        header = page.locator("header.site-header").bounding_box()
        assert header is not None and header["height"] < 120, f"header at 1366 px on {url}: {header}"
        page.set_viewport_size(PHONE)
        assert_no_sideways_scroll(page, PHONE["width"])
        page.set_viewport_size(WIDE)


def test_navigation_groups_open_from_the_keyboard(new_page: Callable[[], Page]) -> None:
    page = new_page()
    page.set_viewport_size(WIDE)
    log_in(page, "admin")
    plan = page.locator("header nav .nav-group-toggle", has_text="Planera")
    procurements = page.locator('header nav a[href="/upphandlingar/"]')
    expect(procurements).to_be_hidden()
    # Tab to the group's button: the skip link, the brand, Start, then Planera.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Planera":
            break
    expect(plan).to_be_focused()
    page.keyboard.press("Enter")
    expect(plan).to_have_attribute("aria-expanded", "true")
    expect(procurements).to_be_visible()
    page.keyboard.press("Tab")
    expect(procurements).to_be_focused()
    page.keyboard.press("Escape")
    expect(plan).to_have_attribute("aria-expanded", "false")
    expect(plan).to_be_focused()
    expect(procurements).to_be_hidden()
    assert_accessible(page)

    # On a phone the whole navigation sits behind "Meny".
    page.set_viewport_size(PHONE)
    menu = page.locator("header nav .nav-toggle")
    expect(menu).to_be_visible()
    expect(plan).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    expect(plan).to_be_visible()
    link = nav_link(page, "/organisationer/")
    expect(link).to_be_visible()
    assert_accessible(page)
    with page.expect_navigation():
        link.press("Enter")
    assert re.search(r"/organisationer/$", page.url)


# --- history in words -----------------------------------------------------------------

# What a history cell must never show: a Python literal or a snake_case code.
RAW = re.compile(r"[\[\]{}]|\bTrue\b|\bFalse\b|\bNone\b|\b[a-z]+_[a-z_]+\b")
NOT_CODES = re.compile(r"\S+@\S+|https?://\S+|\S+\.(?:xml|pdf|csv|xlsx|docx)\b")


def _codes() -> tuple[re.Pattern[str], set[str]]:
    """The history's action codes, and every stored choice code whose label differs from it."""
    from django.apps import apps

    from kravspar.audit.labels import ACTION_LABELS

    actions = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in ACTION_LABELS) + r")\b")
    values: set[str] = set()
    for model in apps.get_models():
        if model.__module__.startswith("kravspar."):
            for field in model._meta.concrete_fields:
                for code, label in field.flatchoices:
                    # Lowercase word codes ("major", "done"); numbers and country codes read as themselves.
                    if isinstance(code, str) and re.fullmatch(r"[a-z][a-z_]*", code) and code != str(label):
                        values.add(code)
    return actions, values


def assert_history_in_words(page: Page, cells: str) -> int:
    actions, values = _codes()
    texts = page.locator(cells).all_inner_texts()
    values_shown = page.locator(f"{cells} del, {cells} ins").all_inner_texts()
    for text in texts:
        plain = NOT_CODES.sub("", text)
        assert not RAW.search(plain), f"a history cell on {page.url} shows a code or literal: {text!r}"
        assert not actions.search(plain), f"a history cell on {page.url} shows an action code: {text!r}"
    for value in values_shown:
        assert value.strip() not in values, f"a history value on {page.url} is a stored code: {value!r}"
    return len(texts)


def first_result(page: Page, listing: str, query: str) -> str:
    visit(page, f"{listing}?q={query}")
    found = hrefs(page, "#results tbody a")
    assert found, f"no {query} in {listing}"
    return found[0]


def test_history_tables_speak_in_words(new_page: Callable[[], Page]) -> None:
    admin = new_page()
    log_in(admin, "admin")
    visit(admin, "/historik/")
    seen = assert_history_in_words(admin, "main table tbody td")
    for listing, query in (("/upphandlingar/", "RV-2025-0107"), ("/avtal/", "RV-2025-0107"), ("/avvikelser/", "")):
        visit(admin, first_result(admin, listing, query))
        seen += assert_history_in_words(admin, ".history table tbody td")
    assert seen > 50, "the pages showed too little history to check"

    orderer = new_page()
    log_in(orderer, "bestallare")
    visit(orderer, first_result(orderer, "/avtal/", "RV-2025-0107"))
    assert assert_history_in_words(orderer, ".history table tbody td") > 0

    supplier = new_page()
    log_in(supplier, "leverantor")
    visit(supplier, "/leverantor/")
    assert assert_history_in_words(supplier, ".history table tbody td") > 0


# --- planning as steps ----------------------------------------------------------------


def test_procurement_page_is_a_stepper(new_page: Callable[[], Page]) -> None:
    page = new_page()
    log_in(page, "inkopare")
    visit(page, first_result(page, "/upphandlingar/", "RV-2026-0058"))
    steps = page.locator("nav.stepper li")
    expect(steps).to_have_count(5)
    expect(steps.locator(".step-name")).to_have_text(
        ["Syften", "Miljömål", "Krav", "Uppföljningsstrategi", "Godkännande"]
    )
    for state in steps.locator(".step-state").all_inner_texts():
        assert state.strip(), "every step names its state"
    expect(page.locator('nav.stepper a[aria-current="step"]')).to_have_count(1)

    # The gate's first missing item leads to the step that fixes it.
    gate = page.locator("section[aria-labelledby=gate-heading] ul.missing a").first
    anchor = (gate.get_attribute("href") or "").lstrip("#")
    assert anchor in {"aims", "goals", "requirements", "strategy", "approval"}
    gate.click()
    page.wait_for_url(f"**#{anchor}")
    expect(page.locator(f"#{anchor}")).to_be_in_viewport()

    # The history is folded away until asked for.
    history = page.locator("details.history-fold")
    expect(history.locator("table")).to_be_hidden()
    history.locator("summary").click()
    expect(history.locator("table")).to_be_visible()
    assert_accessible(page)

    # The strategy form shows only the chosen timing's field.
    page.locator("#strategy table a[href*='/strategi/krav/']").first.click()
    page.wait_for_url("**/strategi/krav/**")
    recurring, at_months = page.locator("[data-timing=recurring]"), page.locator("[data-timing=at_months]")
    page.locator("input[name=timing][value=recurring]").check()
    expect(recurring).to_be_visible()
    expect(at_months).to_be_hidden()
    page.locator("input[name=timing][value=at_months]").check()
    expect(at_months).to_be_visible()
    expect(recurring).to_be_hidden()
    page.locator("input[name=timing][value=at_start]").check()
    expect(recurring).to_be_hidden()
    expect(at_months).to_be_hidden()
    assert_accessible(page)


# --- the keyboard alone, and the accessibility statement ------------------------------


def tab_to(page: Page, selector: str, limit: int = 200) -> None:
    """Press Tab until the focused element matches ``selector`` (no mouse anywhere)."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def test_main_flow_with_the_keyboard_only(new_page: Callable[[], Page]) -> None:
    page = new_page()
    page.set_viewport_size(WIDE)
    visit(page, "/logga-in/")
    tab_to(page, "input[name=username]")
    page.keyboard.type("inkopare")
    page.keyboard.press("Tab")
    page.keyboard.type("kravspar-demo-2026")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main h1")).to_contain_text("Ingrid")

    # The navigation: open "Planera" and follow "Upphandlingar".
    tab_to(page, "header nav .nav-group-toggle#nav-plan-name")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/upphandlingar/")

    # Search, then open the procurement from the results.
    tab_to(page, "main form[role=search] input[type=search]")
    page.keyboard.type("RV-2026-0058")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    tab_to(page, "#results tbody a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("nav.stepper")).to_be_visible()

    # Step 3 from the stepper, then the folded history.
    tab_to(page, 'nav.stepper a[href="#requirements"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**#requirements")
    tab_to(page, "details.history-fold > summary")
    page.keyboard.press("Enter")
    expect(page.locator("details.history-fold table")).to_be_visible()

    # The footer's accessibility statement.
    tab_to(page, 'footer a[href="/tillganglighet/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main h1")).to_have_text("Tillgänglighet för Kravspår")


def test_accessibility_statement_in_both_languages(new_page: Callable[[], Page]) -> None:
    page = new_page()
    visit(page, "/tillganglighet/")
    assert page.locator("html").get_attribute("lang") == "sv"
    expect(page.get_by_role("heading", name="Tillsyn")).to_be_visible()
    expect(page.locator('a[href="https://www.digg.se/tdosanmalan"]')).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("link", name="In English").click()
    page.wait_for_url("**/tillganglighet/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", name="Enforcement procedure")).to_be_visible()
    assert_accessible(page)
