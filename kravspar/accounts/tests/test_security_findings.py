"""The security test's findings, from the attacker's side (issue 13).

Each test here failed before its fix: the lockout counted per typed identifier, no
address limit against password spraying, no Content-Security-Policy, the API docs from
a CDN and open to anyone, and a JSON body over the size limit answering 500.
"""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from kravspar.testing.factories import PASSWORD

LOGIN = reverse("accounts:login")


def post_login(client, username, password=PASSWORD, address="192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Lockout per account -----------------------------------------------------------------


@override_settings(KRAVSPAR_LOGIN_MAX_FAILURES=3)
def test_a_username_locked_out_cannot_log_in_by_its_email_address(world, client):
    for _ in range(3):
        post_login(client, "orderer_vm", "wrong")
    post_login(client, "orderer_vm@example.se")
    assert not logged_in(client)


@override_settings(KRAVSPAR_LOGIN_MAX_FAILURES=3)
def test_failures_by_email_and_username_add_up_for_one_account(world, client):
    post_login(client, "orderer_vm", "wrong")
    post_login(client, "ORDERER_VM@example.se", "wrong")
    post_login(client, " Orderer_VM ", "wrong")
    post_login(client, "orderer_vm")
    assert not logged_in(client)


@override_settings(KRAVSPAR_LOGIN_MAX_FAILURES=3)
def test_another_account_is_not_locked_by_someone_elses_failures(world, client):
    for _ in range(3):
        post_login(client, "orderer_vm", "wrong")
    post_login(client, "orderer_sl")
    assert logged_in(client)


# --- Password spraying from one address ------------------------------------------------


@override_settings(KRAVSPAR_LOGIN_MAX_FAILURES=5, KRAVSPAR_LOGIN_MAX_FAILURES_PER_ADDRESS=4)
def test_many_accounts_tried_from_one_address_lock_that_address(world, client):
    for name in ["admin", "officer", "env_vm", "reader"]:
        post_login(client, name, "Sommar2026!", address="198.51.100.7")
    # A fifth account, with the right password, from the same address: refused.
    response = post_login(client, "orderer_vm", address="198.51.100.7")
    assert not logged_in(client)
    assert "address" in " ".join(response.context["form"].non_field_errors()).lower() or response.status_code == 200
    # The same person from another address is not affected.
    post_login(client, "orderer_vm", address="203.0.113.9")
    assert logged_in(client)


@override_settings(KRAVSPAR_LOGIN_MAX_FAILURES=5, KRAVSPAR_LOGIN_MAX_FAILURES_PER_ADDRESS=4)
def test_unknown_usernames_count_against_the_address_too(world, client):
    for i in range(4):
        post_login(client, f"nobody{i}", "x", address="198.51.100.8")
    post_login(client, "orderer_vm", address="198.51.100.8")
    assert not logged_in(client)


# --- Content-Security-Policy -------------------------------------------------------------


def _csp(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = " ".join(words[1:])
    return directives


def _script_sources(response) -> str:
    csp = _csp(response)
    return csp.get("script-src", csp.get("default-src", ""))


@pytest.mark.parametrize("path", ["/", reverse("accounts:login")])
def test_html_pages_forbid_inline_script(path, db, client):
    response = client.get(path, follow=True)
    sources = _script_sources(response)
    assert sources, "no Content-Security-Policy with a script source"
    assert "'unsafe-inline'" not in sources
    assert "'unsafe-eval'" not in sources
    assert "*" not in sources.split()
    assert _csp(response).get("object-src") == "'none'"
    assert "frame-ancestors" in _csp(response)


def test_the_api_answers_with_a_policy_too(world, client_for):
    response = client_for(world.officer).get("/api/v1/organisations")
    assert response.status_code == 200
    assert _csp(response).get("default-src") in ("'none'", "'self'")


def test_no_template_carries_inline_script_or_event_handlers():
    import re
    from pathlib import Path

    from django.conf import settings

    roots = [settings.BASE_DIR / "templates", *Path(settings.BASE_DIR / "kravspar").glob("*/templates")]
    offenders = []
    for root in roots:
        for template in Path(root).rglob("*.html"):
            text = template.read_text()
            for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text):
                offenders.append(f"{template}: {match.group(0)}")
            for match in re.finditer(r"\son[a-z]+\s*=", text):
                offenders.append(f"{template}: {match.group(0)}")
            if "javascript:" in text:
                offenders.append(f"{template}: javascript:")
    assert offenders == []


# --- API documentation --------------------------------------------------------------------


def test_api_docs_require_login(db, client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_api_docs_assets_come_from_the_project_not_a_cdn(world, client_for):
    response = client_for(world.officer).get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    for source in _script_sources(response).split():
        assert source in ("'self'",) or source.startswith("'nonce-")
    assert client_for(world.officer).get("/static/ninja/swagger-ui-bundle.js").status_code == 200


@override_settings(DEBUG=True)
def test_api_docs_are_open_in_development(db, client):
    assert client.get("/api/v1/docs").status_code == 200


# --- Request size -------------------------------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2000)
@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/v1/procurements"),
        ("post", "/api/v1/contracts"),
        ("post", "/api/v1/portal/deviations/00000000-0000-0000-0000-000000000000/response"),
        ("patch", "/api/v1/procurements/00000000-0000-0000-0000-000000000000"),
    ],
)
def test_a_json_body_over_the_limit_answers_413_with_the_error_shape(world, client_for, method, path):
    client = client_for(world.admin)
    body = json.dumps({"title": "x" * 5000})
    response = getattr(client, method)(path, body, content_type="application/json")
    assert response.status_code == 413
    data = response.json()
    assert data["code"] == "request_too_large"
    assert set(data) == {"code", "message", "details"}
    assert data["details"]["max_bytes"] == 2000


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2000)
def test_a_big_body_with_a_bearer_token_answers_413_too(world, client):
    from kravspar.accounts.services import api_token_create

    _token, raw = api_token_create(actor=world.officer, user=world.officer, name="test")
    response = client.post(
        "/api/v1/procurements",
        json.dumps({"title": "x" * 5000}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_the_schema_stays_public_for_integrators(db, client):
    assert client.get("/api/v1/openapi.json").status_code == 200
