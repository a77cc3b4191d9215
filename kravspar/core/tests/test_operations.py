"""Health check, settings from the environment, deploy checks."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db.utils import OperationalError

ROOT = Path(__file__).resolve().parents[3]


def test_healthz_checks_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_a_broken_database(client, db):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def _django(args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KRAVSPAR_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_missing_secret_key_fails_loudly_without_debug():
    result = _django(["check"])
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_bad_boolean_is_refused():
    result = _django(["check"], DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_debug_is_off_unless_set(settings):
    from kravspar import settings as module

    assert os.environ.get("DJANGO_DEBUG") is None or not module.DEBUG
    assert settings.DEBUG is False


@pytest.mark.parametrize("extra", [{}, {"KRAVSPAR_BEHIND_PROXY": "1", "KRAVSPAR_STATIC_MANIFEST": "1"}])
def test_check_deploy_is_clean_with_production_settings(extra):
    result = _django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SECRET_KEY="a-long-random-production-like-secret-" + "x" * 40 + "-%&/()=?",
        DJANGO_ALLOWED_HOSTS="kravspar.example.se",
        **extra,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_security_defaults(settings):
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.PASSWORD_HASHERS  # replaced by a fast one in tests; see test_login for Argon2
    from kravspar import settings as module

    assert module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_csrf_is_enforced_on_forms(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    response = client.post("/organisationer/ny/", {"name": "X"})
    assert response.status_code == 403


def test_english_is_a_visible_switch(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/logga-in/"}, follow=True)
    assert b'<html lang="en">' in response.content
    assert b"Log in" in response.content


def test_production_redirects_to_https_but_not_the_health_check(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/logga-in/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200


def test_start_page_shows_an_officer_what_waits(world, client_for, procurement, second_officer):
    from kravspar.procurements import services
    from kravspar.procurements.models import Aim
    from kravspar.requirements import services as requirement_services

    for aim in Aim:
        services.aim_assess(actor=world.officer, procurement=procurement, aim=aim.value, relevant=True, how="Så.")
    requirement = requirement_services.requirement_add(
        actor=world.officer, procurement=procurement, title="Kvalitet", type="quality", text="Text."
    )
    services.strategy_entry_set(
        actor=world.officer,
        procurement=procurement,
        requirement=requirement,
        methods=["survey"],
        timing="at_start",
        change_reason="En enkät vid start räcker.",
    )
    mine = client_for(world.officer).get("/")
    assert procurement in list(mine.context["planning"])
    services.strategy_submit(actor=world.officer, procurement=procurement)
    theirs = client_for(second_officer).get("/")
    assert [s.procurement for s in theirs.context["awaiting"]] == [procurement]
    assert procurement.registry_number.encode() in theirs.content
    orderer = client_for(world.orderer_vm).get("/")
    assert orderer.context["plans"] is False


def test_swedish_even_when_the_browser_asks_for_english(client, db):
    response = client.get("/logga-in/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert b'<html lang="sv">' in response.content
    assert response["Content-Language"] == "sv"
    client.cookies["django_language"] = "en"
    assert b'<html lang="en">' in client.get("/logga-in/").content
    client.cookies["django_language"] = "klingon"
    assert b'<html lang="sv">' in client.get("/logga-in/").content


def test_error_summary_names_the_field_once(world, client_for):
    response = client_for(world.admin).post(
        "/organisationer/ny/",
        {"name": "Region X", "kind": "region", "org_number": "232100-0033", "peppol_scheme": "0007"},
    )
    summary = response.content.decode().split('class="error-summary"')[1].split("</div>")[0]
    assert "Organisationsnummer: Organisationsnummer" not in summary
    assert "Organisationsnummer: kontrollsiffran" in summary
