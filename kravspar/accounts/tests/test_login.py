"""Logging in, out, lockout and password reset."""

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from kravspar.accounts.models import LoginFailure, User
from kravspar.testing.factories import PASSWORD

LOGIN = reverse("accounts:login")


def post_login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_page_is_swedish_by_default(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'<html lang="sv">' in response.content


def test_login_with_username_or_email_case_insensitively(world, client):
    assert post_login(client, "orderer_vm")["Location"] == reverse("core:home")
    client.logout()
    assert post_login(client, "ORDERER_VM@example.se").status_code == 302


def test_wrong_password_shows_an_error_and_keeps_the_username(world, client):
    response = post_login(client, "orderer_vm", "wrong")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert b'value="orderer_vm"' in response.content
    assert LoginFailure.objects.filter(username_key=f"user:{world.orderer_vm.pk}").count() == 1


def test_successful_login_clears_failures(world, client):
    post_login(client, "orderer_vm", "wrong")
    post_login(client, "orderer_vm")
    assert not LoginFailure.objects.exists()


@override_settings(KRAVSPAR_LOGIN_MAX_FAILURES=3, KRAVSPAR_LOGIN_LOCKOUT_MINUTES=15)
def test_lockout_after_repeated_failures_even_with_the_right_password(world, client):
    for _ in range(3):
        post_login(client, "orderer_vm", "wrong")
    response = post_login(client, "orderer_vm")
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "15" in errors
    assert "_auth_user_id" not in client.session
    # The same account by another spelling or by e-mail address stays locked.
    assert post_login(client, "ORDERER_VM").status_code == 200
    assert post_login(client, "orderer_vm@example.se").status_code == 200


@override_settings(KRAVSPAR_LOGIN_MAX_FAILURES=2, KRAVSPAR_LOGIN_LOCKOUT_MINUTES=15)
def test_lockout_ends_when_the_window_has_passed(world, client):
    import datetime

    from django.utils import timezone

    for _ in range(2):
        post_login(client, "orderer_vm", "wrong")
    LoginFailure.objects.all().update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    assert post_login(client, "orderer_vm").status_code == 302


def test_inactive_person_cannot_log_in(world, client):
    User.objects.filter(pk=world.orderer_vm.pk).update(is_active=False)
    assert post_login(client, "orderer_vm").status_code == 200


def test_logout_needs_post(world, client_for):
    client = client_for(world.orderer_vm)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_open_redirect_after_login_is_refused(world, client):
    response = client.post(LOGIN + "?next=https://evil.example/", {"username": "orderer_vm", "password": PASSWORD})
    assert response["Location"] == reverse("core:home")


@pytest.mark.django_db
def test_passwords_are_stored_with_argon2(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = User.objects.create_user(username="argon", email="argon@example.se", password="a-long-password-1")
    assert user.password.startswith("argon2")


def test_password_reset_by_email_and_link_works_once(world, client):
    response = client.post(reverse("accounts:password_reset"), {"email": "orderer_vm@example.se"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    assert page.context["validlink"]
    form_url = page.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": "ett-nytt-losenord-42", "new_password2": "ett-nytt-losenord-42"})
    assert done.status_code == 302
    assert client.login(username="orderer_vm", password="ett-nytt-losenord-42")
    client.logout()
    # Used once: the same link now says it no longer works and offers a new one.
    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert reverse("accounts:password_reset").encode() in again.content


def test_password_reset_does_not_reveal_unknown_addresses(world, client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.se"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_expired_reset_link_gives_a_clear_message(world, client, settings):
    client.post(reverse("accounts:password_reset"), {"email": "orderer_vm@example.se"})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    settings.PASSWORD_RESET_TIMEOUT = -1
    page = client.get(link, follow=True)
    assert not page.context["validlink"]


@override_settings(KRAVSPAR_LOGIN_MAX_FAILURES=2)
def test_password_reset_lifts_the_lockout(world, client):
    for _ in range(2):
        post_login(client, "orderer_vm", "wrong")
    assert post_login(client, "orderer_vm").status_code == 200  # locked
    client.post(reverse("accounts:password_reset"), {"email": "orderer_vm@example.se"})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "ett-nytt-losenord-42", "new_password2": "ett-nytt-losenord-42"})
    assert post_login(client, "orderer_vm", "ett-nytt-losenord-42").status_code == 302


def test_old_failures_are_pruned(world, client):
    import datetime

    from django.utils import timezone

    post_login(client, "orderer_vm", "wrong")
    LoginFailure.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    post_login(client, "orderer_vm", "wrong")
    assert LoginFailure.objects.count() == 1


def test_the_client_address_comes_from_the_trusted_proxy_only(rf, settings):
    from kravspar.accounts.forms import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    settings.KRAVSPAR_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"  # no proxy configured: a client cannot pick its address
    settings.KRAVSPAR_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.7"  # what our one proxy saw, not what the client claims
    settings.KRAVSPAR_TRUSTED_PROXIES = 3
    assert client_ip(request) == "10.0.0.2"  # fewer hops than proxies: fall back to the socket
