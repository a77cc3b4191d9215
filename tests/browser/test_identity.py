"""Two-factor login and SSO-only organisations in a real browser (issue 13).

Each test makes its own organisation or person in the app server's database (``on_server``),
so no demo organisation is made SSO-only and no demo persona must give a second factor: the
other browser tests, which share the server, are unaffected. Two-factor login is required of
the data protection officer's role on the browser tests' server (conftest), a role no demo
persona has.

The security key is Chromium's virtual authenticator (DevTools protocol ``WebAuthn``): a real
WebAuthn ceremony in the browser, with a real key pair, signature and counter.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable

import pytest
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_browser_ui import LOGIN, assert_accessible, submit, visit

pytestmark = pytest.mark.browser

PASSWORD = "identitet-i-webblasaren-2026"
SECURITY_KEYS = "/konto/tvastegs/sakerhetsnycklar/"


def _person_code(username: str, *, role: str = "", organisation: str = "2321000032") -> str:
    """Python for `on_server`: a person in the organisation with that number, with a role."""
    return (
        "from django.contrib.auth.models import Group\n"
        "from kravspar.accounts.models import User\n"
        "from kravspar.organisations.models import Organisation\n"
        f"org = Organisation.objects.get(org_number={organisation!r})\n"
        f"u = User.objects.create_user(username={username!r}, email={username + '@browser.example.se'!r},"
        f" password={PASSWORD!r}, first_name='Test', last_name={username!r}, organisation=org)\n"
        + (f"u.groups.add(Group.objects.get(name={role!r}))\n" if role else "")
    )


def _log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    visit(page, LOGIN)
    form = page.locator("main form[method=post]")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    submit(page, form.locator("button[type=submit]"))


def _app_code(secret: str) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return str(totp(key)).zfill(6)


def test_required_two_factor_then_a_security_key(
    browser: Browser, live_app: str, on_server: Callable[[str], str]
) -> None:
    username = f"dso-{secrets.token_hex(3)}"
    on_server(_person_code(username, role="dataskyddsombud"))
    # Security keys need a proper site name, not an IP address: this test uses localhost.
    context = browser.new_context(base_url=live_app.replace("127.0.0.1", "localhost"), locale="sv-SE")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        # The role requires two factors: after the password only the set-up page is reachable.
        _log_in(page, username)
        expect(page).to_have_url(re.compile(r"/konto/tvastegs/aktivera/"))
        visit(page, "/")
        expect(page).to_have_url(re.compile(r"/konto/tvastegs/aktivera/"))
        assert_accessible(page)
        secret = page.locator("#totp-secret").inner_text()
        page.locator("input[name=code]").fill(_app_code(secret))
        submit(page, page.locator("main form button[type=submit]"))
        expect(page.locator("main")).to_contain_text("återställningskod")  # the recovery codes, shown once

        # Add a security key (Chromium's virtual authenticator) on the two-factor pages.
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "usb",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                    "automaticPresenceSimulation": True,
                }
            },
        )
        visit(page, SECURITY_KEYS)
        assert_accessible(page)
        page.get_by_label("Namn på nyckeln").fill("Blå USB-nyckel")
        with page.expect_navigation():
            page.get_by_role("button", name="Lägg till säkerhetsnyckel").click()
        expect(page.locator("main table")).to_contain_text("Blå USB-nyckel")
        assert_accessible(page)

        # Log out, log in with the password, and give the key instead of the app's code.
        submit(page, page.locator("form[action='/logga-ut/'] button"))
        _log_in(page, username)
        expect(page).to_have_url(re.compile(r"/konto/tvastegs/verifiera/"))
        assert_accessible(page)
        with page.expect_navigation():
            page.get_by_role("button", name="Använd säkerhetsnyckel").click()
        page.wait_for_url(lambda url: url.endswith("/") and "/konto/" not in url)
        expect(page.locator("main h1")).to_contain_text(username)
    finally:
        context.close()
    history = on_server(
        "from kravspar.audit.models import AuditEvent\n"
        "from kravspar.accounts.models import User\n"
        "from django_otp_webauthn.models import WebAuthnCredential\n"
        f"u = User.objects.get(username={username!r})\n"
        "print(sorted(set(AuditEvent.objects.filter(object_id=str(u.uuid)).values_list('action', flat=True))))\n"
        "print(WebAuthnCredential.objects.get(user=u).last_used_at is not None)\n"
    )
    assert "person.two_factor_enabled" in history and "person.security_key_added" in history
    assert history.strip().endswith("True"), history  # the key was used at the second login


def test_an_sso_only_organisation_refuses_the_password_whatever_it_is(
    new_page: Callable[[], Page], on_server: Callable[[str], str]
) -> None:
    suffix = secrets.token_hex(3)
    username = f"sso-endast-{suffix}"
    number = "55" + str(secrets.randbelow(10**8)).zfill(8)
    on_server(
        "from kravspar.organisations.models import Organisation\n"
        f"Organisation.objects.create(name='Bolaget med SSO {suffix}', org_number={number!r}, kind='company',"
        f" peppol_value={number!r}, sso_required=True)\n" + _person_code(username, organisation=number)
    )
    answers = []
    for password in ("fel-losenord-123", PASSWORD):
        page = new_page()
        _log_in(page, username, password)
        expect(page).to_have_url(re.compile(LOGIN))
        answers.append(page.locator("main .error-summary ul").inner_text())
        assert_accessible(page)
        visit(page, "/")
        expect(page).to_have_url(re.compile(LOGIN))  # not logged in
    assert answers[0] == answers[1]
    assert "Logga in med SITHS-kort" in answers[0] and "Logga in med Freja eID" in answers[0]
