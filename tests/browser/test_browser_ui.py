"""Kravspår in a real browser: each demo persona logs in, walks the pages its navigation
offers, and every page passes axe with no serious or critical violation.

The Swedish catalogue may not be compiled, so Swedish pages are checked by structure
(lang attribute, roles, ids, URLs, demo data); English words are asserted only after
switching to English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, Response, expect

from tests.browser.navigation import nav_go, nav_link

if TYPE_CHECKING:
    from playwright._impl._api_structures import SetCookieParam

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "kravspar-demo-2026"  # seed_demo.DEMO_PASSWORD
AXE = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}

LOGIN = "/logga-in/"
ORGANISATIONS = "/organisationer/"
ORGANISATION_CREATE = "/organisationer/ny/"
PEOPLE = "/personer/"
PERSON_CREATE = "/personer/ny/"
HISTORY = "/historik/"
ACCOUNT = "/konto/"


@dataclass(frozen=True)
class Persona:
    username: str
    full_name: str
    organisation: str
    administrator: bool = False


PERSONAS = [
    Persona("admin", "Anna Administratör", "Region Sörmland", administrator=True),
    Persona("inkopare", "Ingrid Inköpare", "Region Sörmland"),
    Persona("bestallare", "Björn Beställare", "Region Västmanland"),
    Persona("bestallare.sormland", "Sara Beställare", "Region Sörmland"),
    Persona("miljo", "Mikael Miljöspecialist", "Region Västmanland"),
    Persona("lasare", "Lena Läsare", "Region Sörmland"),
]


# --- helpers --------------------------------------------------------------------------


# axe-core gives every result of a rule with an impact of its own that impact (Rule metadata,
# axe-core 4.x), so a rule of minor or moderate impact can never fail assert_accessible: it is not
# run. The rules are read from axe itself, so an upgrade that changes an impact is followed. Fewer
# rules, the same verdict; on the longer lists axe takes about a fifth less time.
AXE_RUN = """async (blocking) => {
    const rules = {};
    for (const rule of axe._audit.rules) {
        if (rule.impact && !blocking.includes(rule.impact)) rules[rule.id] = {enabled: false};
    }
    return await axe.run(document, {resultTypes: ["violations"], rules});
}"""


def assert_accessible(page: Page) -> None:
    """axe finds nothing serious or critical on the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):  # axe once per document, not per check
        page.evaluate(AXE.axe_script)
    violations = page.evaluate(AXE_RUN, sorted(BLOCKING_IMPACTS))["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(
            f"    {node['target']}: " + node.get("failureSummary", "").replace("\n", "\n      ") for node in v["nodes"]
        )
        for v in blocking
    )
    assert len(blocking) == 0, f"axe found serious/critical violations on {page.url}:\n{report}"


def assert_lang(page: Page, lang: str) -> None:
    assert page.locator("html").get_attribute("lang") == lang, f"<html lang> on {page.url}"


def visit(page: Page, url: str, *, status: int = 200) -> Response:
    response = page.goto(url)
    assert response is not None, url
    assert response.status == status, f"GET {url} answered {response.status}, expected {status}"
    return response


def check_swedish_page(page: Page) -> None:
    assert_lang(page, "sv")
    expect(page.locator("main#main h1")).to_have_count(1)
    assert_accessible(page)


def submit(page: Page, button: Locator) -> None:
    """Click a submit button and wait for the page it leads to (even the same URL)."""
    with page.expect_navigation():
        button.click()


# The session cookie of each demo persona's first login with the demo password in this run, by
# username: later log_in calls start from a copy of it instead of the form. A password check is an
# Argon2 hash (about 0.25 s of the app server's CPU) and a login three page loads (the form, the
# POST, the start page); the browser tests logged in 64 times. Tests about logging in pass form=True.
_SESSIONS: dict[str, list[SetCookieParam]] = {}
SESSION_COOKIE = "sessionid"  # Django's SESSION_COOKIE_NAME


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD, *, form: bool = False) -> None:
    """Log in and land on the start page: through the login form, or (a demo persona with the demo
    password, unless ``form``) with the session of that persona's earlier login in this run."""
    reuse = password == DEMO_PASSWORD and not form
    if reuse and username in _SESSIONS:
        page.context.add_cookies(_SESSIONS[username])
        visit(page, "/")
        if urlsplit(page.url).path == "/":
            return
        del _SESSIONS[username]  # that session ended (or is another host's): log in with the form
    if not page.url.endswith(LOGIN):
        visit(page, LOGIN)
    login_form = page.locator("main form[method=post]")
    login_form.locator("input[name=username]").fill(username)
    login_form.locator("input[name=password]").fill(password)
    submit(page, login_form.locator("button[type=submit]"))
    if password == DEMO_PASSWORD and urlsplit(page.url).path == "/":
        _SESSIONS[username] = [
            {"name": c["name"], "value": c["value"], "domain": c["domain"], "path": c["path"]}
            for c in page.context.cookies(page.url)
            if c["name"] == SESSION_COOKIE
        ]


def log_in_ok(page: Page, persona: Persona, *, form: bool = True) -> None:
    log_in(page, persona.username, form=form)
    page.wait_for_url(lambda url: url.endswith("/") and not url.endswith(LOGIN))
    # The start page greets the person by name.
    expect(page.locator("main h1")).to_contain_text(persona.full_name)


def hrefs(page: Page, selector: str) -> list[str]:
    return list(page.locator(selector).evaluate_all("els => els.map(e => e.getAttribute('href'))"))


def first_href(page: Page, selector: str) -> str:
    found = hrefs(page, selector)
    assert found, f"no link matches {selector!r} on {page.url}"
    return found[0]


# --- the personas' walk through the app -----------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS, ids=[p.username for p in PERSONAS])
def test_persona_pages_are_accessible(new_page: Callable[[], Page], persona: Persona) -> None:
    page = new_page()
    log_in_ok(page, persona)  # the login page itself is checked in the tests further down
    check_swedish_page(page)

    nav = hrefs(page, "header nav a")
    assert {"/", ORGANISATIONS, PEOPLE} <= set(nav), f"main navigation of {persona.username}: {nav}"
    assert (HISTORY in nav) == persona.administrator, f"only administrators search all history: {nav}"

    # Organisations: the list, one organisation, one of its units.
    nav_go(page, ORGANISATIONS)
    check_swedish_page(page)
    expect(page.locator(f'header nav a[href="{ORGANISATIONS}"]')).to_have_attribute("aria-current", "page")
    org_links = page.locator("#results table tbody a")
    expect(org_links.filter(has_text=persona.organisation)).to_have_count(1)
    manage_links = page.locator(f'main a[href="{ORGANISATION_CREATE}"]')
    expect(manage_links).to_have_count(1 if persona.administrator else 0)

    org_url = first_href(page, "#results table tbody a")
    visit(page, org_url)
    check_swedish_page(page)
    unit_url = first_href(page, "section[aria-labelledby=units-heading] tbody a")
    org_edit_links = page.locator(f'main a[href="{org_url}andra/"]')
    expect(org_edit_links).to_have_count(1 if persona.administrator else 0)

    visit(page, unit_url)
    check_swedish_page(page)

    # People: the list and one person.
    nav_go(page, PEOPLE)
    check_swedish_page(page)
    person_url = first_href(page, "#results table tbody a")
    visit(page, person_url)
    check_swedish_page(page)

    # Their own account page, linked from the header.
    page.locator(f'header a[href="{ACCOUNT}"]').click()
    page.wait_for_url(f"**{ACCOUNT}")
    check_swedish_page(page)
    expect(page.locator("main")).to_contain_text(persona.username)

    # Whatever else the navigation offers (newer sections) opens for them and is accessible.
    for href in nav:
        if href not in {"/", ORGANISATIONS, PEOPLE, HISTORY}:
            visit(page, href)
            check_swedish_page(page)

    if not persona.administrator:
        visit(page, HISTORY, status=403)  # the 403 page itself is checked in the outsider test
        return

    # The administrator's extra pages: history and every create/edit form.
    nav_go(page, HISTORY)
    check_swedish_page(page)
    for url in (
        ORGANISATION_CREATE,
        f"{org_url}andra/",
        f"{org_url}enheter/ny/",
        f"{unit_url}andra/",
        f"{org_url}aktivering/",
        PERSON_CREATE,
        f"{person_url}andra/",
    ):
        visit(page, url)
        check_swedish_page(page)

    # A form sent empty shows the error summary, and that page is accessible too.
    visit(page, ORGANISATION_CREATE)
    submit(page, page.locator("main form.form button[type=submit]"))
    expect(page.locator(".error-summary[role=alert]")).to_be_visible()
    check_swedish_page(page)

    # Saving a form (unchanged) leads back with a status message.
    visit(page, f"{unit_url}andra/")
    submit(page, page.locator("main form.form button[type=submit]"))
    assert page.url.endswith(unit_url)
    expect(page.locator(".messages[role=status] .message")).to_have_count(1)
    check_swedish_page(page)

    # Filtering swaps the results in place (htmx) as you type and keeps the URL in step.
    visit(page, PEOPLE)
    page.locator("main form[role=search] #id_q").fill("Björn")
    expect(page.locator("#results table tbody a")).to_have_text(["Björn Beställare"])
    page.wait_for_url("**q=Bj*")
    check_swedish_page(page)
    visit(page, ORGANISATIONS)
    page.locator("main form[role=search] #id_q").fill("Västman")
    expect(page.locator("#results table tbody a")).to_have_text(["Region Västmanland"])
    page.wait_for_url("**q=V*")
    check_swedish_page(page)


# --- language -------------------------------------------------------------------------


def switch_language(page: Page, button: str, lang: str) -> None:
    page.locator("header").get_by_role("button", name=button, exact=True).click()
    page.wait_for_function("lang => document.documentElement.lang === lang", arg=lang)
    page.wait_for_load_state()
    assert_lang(page, lang)


def test_language_switch_on_login_page_and_after_login(new_page: Callable[[], Page]) -> None:
    page = new_page()
    visit(page, LOGIN)
    check_swedish_page(page)
    expect(page.locator("label[for=id_username]")).to_have_count(1)
    expect(page.locator("label[for=id_password]")).to_have_count(1)

    switch_language(page, "English", "en")
    assert page.url.endswith(LOGIN)
    expect(page.locator("main h1")).to_have_text("Log in to Kravspår")
    expect(page.get_by_label("Username or e-mail")).to_be_visible()
    expect(page.locator("header").get_by_role("button", name="Svenska", exact=True)).to_be_visible()
    assert_accessible(page)

    switch_language(page, "Svenska", "sv")
    assert page.url.endswith(LOGIN)
    expect(page.locator("header").get_by_role("button", name="English", exact=True)).to_be_visible()

    log_in_ok(page, PERSONAS[-1])
    assert_lang(page, "sv")
    switch_language(page, "English", "en")
    expect(page.locator("main h1")).to_have_text("Welcome, Lena Läsare")
    expect(nav_link(page, ORGANISATIONS)).to_have_text("Organisations")
    expect(page.locator("header").get_by_role("button", name="Log out", exact=True)).to_be_visible()
    assert_accessible(page)

    # The choice sticks while moving around.
    nav_go(page, PEOPLE)
    assert_lang(page, "en")
    expect(page.locator("main h1")).to_have_text("People")

    switch_language(page, "Svenska", "sv")
    assert page.url.endswith(PEOPLE)
    check_swedish_page(page)


# --- who sees what --------------------------------------------------------------------


def test_orderer_cannot_reach_the_other_region(new_page: Callable[[], Page]) -> None:
    admin = new_page()
    log_in_ok(admin, PERSONAS[0], form=False)
    visit(admin, ORGANISATIONS)
    expect(admin.locator(f'main a[href="{ORGANISATION_CREATE}"]')).to_have_count(1)
    switch_language(admin, "English", "en")  # so that the button can be found by its name
    expect(admin.get_by_role("link", name="Register organisation", exact=True)).to_be_visible()
    sormland_url = (
        admin.locator("#results").get_by_role("link", name="Region Sörmland", exact=True).get_attribute("href")
    )
    assert sormland_url
    visit(admin, sormland_url)
    sormland_unit_url = (
        admin.locator("section[aria-labelledby=units-heading]")
        .get_by_role("link", name="Mälarsjukhuset, kirurgkliniken", exact=True)
        .get_attribute("href")
    )
    sormland_person_url = (
        admin.locator("section[aria-labelledby=people-heading]")
        .get_by_role("link", name="Sara Beställare")
        .get_attribute("href")
    )
    assert sormland_unit_url
    assert sormland_person_url

    page = new_page()
    log_in_ok(page, PERSONAS[2], form=False)  # bestallare, Region Västmanland

    # Region Sörmland's unit, the region itself and its people do not exist for them.
    visit(page, sormland_unit_url, status=404)
    check_swedish_page(page)
    expect(page.locator("header nav")).to_be_visible()  # still logged in, just not found
    visit(page, sormland_url, status=404)
    visit(page, sormland_person_url, status=404)

    # The organisation list shows only their own region, and no register button.
    visit(page, ORGANISATIONS)
    expect(page.locator("#results table tbody a")).to_have_text(["Region Västmanland"])
    expect(page.locator(f'a[href="{ORGANISATION_CREATE}"]')).to_have_count(0)
    visit(page, ORGANISATION_CREATE, status=403)
    check_swedish_page(page)

    # The same, by name, in English.
    switch_language(page, "English", "en")
    visit(page, ORGANISATIONS)
    expect(page.locator("main h1")).to_have_text("Organisations")
    expect(page.get_by_role("link", name="Register organisation")).to_have_count(0)
    expect(page.get_by_role("link", name="Region Sörmland")).to_have_count(0)


# --- logging in -----------------------------------------------------------------------


def test_wrong_password_shows_an_error_and_keeps_the_username(new_page: Callable[[], Page]) -> None:
    page = new_page()
    log_in(page, "miljo", "not-the-password")

    assert page.url.endswith(LOGIN)
    summary = page.locator(".error-summary[role=alert]")
    expect(summary).to_be_visible()
    expect(summary.locator("li")).to_have_count(1)
    expect(page.locator("input[name=username]")).to_have_value("miljo")
    expect(page.locator("input[name=password]")).to_have_value("")
    expect(page.locator("header nav")).to_have_count(0)  # not logged in
    check_swedish_page(page)

    # In English the message says what went wrong.
    switch_language(page, "English", "en")
    log_in(page, "miljo", "still-not-the-password")
    expect(page.locator(".error-summary")).to_contain_text("Wrong username, e-mail or password")
    expect(page.get_by_label("Username or e-mail")).to_have_value("miljo")

    # And the right password still works afterwards.
    log_in(page, "miljo", form=True)
    expect(page.locator("main h1")).to_contain_text("Mikael Miljöspecialist")


# --- the accessibility check itself ---------------------------------------------------

FAULTY_PAGE = """<!DOCTYPE html><html lang="sv"><head><title>Fel</title></head><body>
<p>Text outside every landmark (region, moderate).</p>
<main><h1 style="color:#777;background:#888">Low contrast (color-contrast, serious)</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<h4>A skipped heading level (heading-order, moderate)</h4></main></body></html>"""


def test_assert_accessible_fails_on_what_a_full_axe_run_blocks(browser: Browser) -> None:
    """assert_accessible leaves out the rules that can only report minor or moderate impacts:
    on a page with faults of every kind it blocks exactly what a run of every axe rule blocks."""
    page = browser.new_page()
    try:
        page.set_content(FAULTY_PAGE)
        with pytest.raises(AssertionError) as failure:
            assert_accessible(page)
        reported = set(re.findall(r"^ *- ([a-z0-9-]+) \(", str(failure.value), flags=re.MULTILINE))
        full = AXE.run(page).response["violations"]  # every rule axe runs by default
        expected = {v["id"] for v in full if v.get("impact") in BLOCKING_IMPACTS}
        assert {"color-contrast", "image-alt"} <= expected
        assert {"region", "heading-order"} <= {v["id"] for v in full} - expected  # found, not blocking
        assert reported == expected
    finally:
        page.close()
