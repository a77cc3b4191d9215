"""Single sign-on in a real browser through the real providers the browser conftest starts: the
SAML IdP (SITHS through the region's IdP) and the OIDC provider (Freja eID). The browser follows
every redirect and the IdP's self-posting form itself; nothing is short-cut."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from kravspar.testing import oidc_provider, saml_idp
from tests.browser.test_browser_ui import LOGIN, assert_accessible, check_swedish_page, visit

pytestmark = pytest.mark.browser


def start_page_greets(page: Page, name: str) -> None:
    page.wait_for_url(lambda url: url.endswith("/") and LOGIN not in url)
    expect(page.locator("main h1")).to_contain_text(name)


def test_the_login_page_offers_both_providers_above_the_password(new_page: Callable[[], Page]) -> None:
    page = new_page()
    visit(page, LOGIN)
    check_swedish_page(page)
    buttons = page.locator("main .sso-providers a")
    expect(buttons).to_have_text(["Logga in med SITHS-kort", "Logga in med Freja eID"])
    above = page.evaluate(
        "document.querySelector('main .sso-providers').compareDocumentPosition("
        "document.querySelector('main input[name=password]')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert above, "the provider buttons come before the password form"


def test_siths_through_the_saml_idp(new_page: Callable[[], Page], sso_providers: dict[str, str]) -> None:
    saml_idp.next_login(
        sso_providers["saml"],
        name_id="SE2321000172-BEST1",
        attributes={"mail": "bestallare@demo.kravspar.se", "givenName": "Beställare"},
    )
    page = new_page()
    visit(page, LOGIN)
    page.get_by_role("link", name="Logga in med SITHS-kort").click()
    start_page_greets(page, "Björn Beställare")


def test_freja_eid_through_the_oidc_provider(new_page: Callable[[], Page], sso_providers: dict[str, str]) -> None:
    oidc_provider.next_login(
        sso_providers["oidc"], "freja-inkopare", {"email": "inkopare@demo.kravspar.se", "email_verified": True}
    )
    page = new_page()
    visit(page, LOGIN)
    page.get_by_role("link", name="Logga in med Freja eID").click()
    start_page_greets(page, "Ingrid Inköpare")


def test_an_unknown_person_gets_the_swedish_page(new_page: Callable[[], Page], sso_providers: dict[str, str]) -> None:
    oidc_provider.next_login(sso_providers["oidc"], "freja-okand", {"email": "okand.person@browser.example.se"})
    page = new_page()
    visit(page, LOGIN)
    page.get_by_role("link", name="Logga in med Freja eID").click()
    heading = page.locator("main h1")
    expect(heading).to_have_text("Ditt konto finns inte i Kravspår — kontakta din administratör")
    assert_accessible(page)
    visit(page, "/", status=200)
    assert LOGIN in page.url  # still not logged in: the start page sent the browser to log in
