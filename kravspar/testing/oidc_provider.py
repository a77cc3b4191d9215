"""A real OpenID Connect provider for the tests: a small Django site with django-oauth-toolkit's
OIDC provider, run as its own process on loopback:
``python -m kravspar.testing.oidc_provider PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI [REDIRECT_URI ...]``.

It prints ``ready`` when it answers. Its issuer is ``http://127.0.0.1:PORT/o``; the endpoints are
django-oauth-toolkit's own (``/o/authorize/``, ``/o/token/``, ``/o/userinfo/``,
``/o/.well-known/jwks.json``, ``/o/.well-known/openid-configuration``). It makes its own RSA
signing key at start, as a real provider has its own, so the relying party can only trust it
through the published JWKS. PKCE is required (django-oauth-toolkit's default).

Who logs in, and how the answer should be wrong, the test sets first with POST /next (JSON):
``{"username": "...", "claims": {...}, "scenario": "ok" | "wrong_audience" | "wrong_issuer" |
"bad_signature" | "expired" | "replayed_nonce"}``. The next authorization request logs that
person in at the provider (as if they had identified themselves with the Freja app) and the
provider answers with a code; nothing of the protocol is mocked: codes, PKCE, tokens, ID token
signatures and the userinfo answer are django-oauth-toolkit's and oauthlib's. A scenario only
changes the ID token the way a broken or hostile provider would.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

STATE: dict[str, Any] = {"username": "", "claims": {}, "scenario": "ok", "nonces": []}
CLAIMS: dict[str, dict[str, Any]] = {}


def configure(port: int) -> str:
    import django
    from django.conf import settings
    from jwcrypto import jwk

    base = f"http://127.0.0.1:{port}"
    key = jwk.JWK.generate(kty="RSA", size=2048)
    settings.configure(
        DEBUG=False,
        SECRET_KEY="oidc-test-provider-only",  # noqa: S106 - a throw-away test process
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            f"{__name__}.LogInTheNextPerson",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        # Tables straight from the models (syncdb), not forty migrations: it starts faster.
        MIGRATION_MODULES={"auth": None, "contenttypes": None, "sessions": None, "oauth2_provider": None},
        USE_TZ=True,
        # Cookies are not kept apart by port: on 127.0.0.1 beside Kravspår, names of its own.
        SESSION_COOKIE_NAME="test_provider_session",
        CSRF_COOKIE_NAME="test_provider_csrftoken",
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_ISS_ENDPOINT": f"{base}/o",
            "OIDC_RSA_PRIVATE_KEY": key.export_to_pem(private_key=True, password=None).decode(),
            "OAUTH2_VALIDATOR_CLASS": f"{__name__}.Validator",
            "SCOPES": {"openid": "OpenID Connect", "email": "E-mail", "profile": "Profile"},
            "PKCE_REQUIRED": True,
        },
        LOGGING_CONFIG=None,
    )
    django.setup()
    return base


def urlpatterns_() -> list[Any]:
    from django.http import HttpRequest, HttpResponse
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    @csrf_exempt
    def next_person(request: HttpRequest) -> HttpResponse:
        data = json.loads(request.body)
        STATE.update(username=data["username"], claims=data.get("claims", {}), scenario=data.get("scenario", "ok"))
        CLAIMS[data["username"]] = data.get("claims", {})
        return HttpResponse(status=204)

    return [path("next", next_person), path("o/", include("oauth2_provider.urls", namespace="oauth2_provider"))]


class LogInTheNextPerson:
    """At the authorization endpoint, the person set with /next is the one logged in."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        from django.contrib.auth import get_user_model, login

        if request.path == "/o/authorize/" and STATE["username"]:
            people: Any = get_user_model().objects  # this site's own auth.User
            person, _created = people.get_or_create(username=STATE["username"])
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            nonce = request.GET.get("nonce")
            if nonce:
                STATE["nonces"].append(nonce)
        return self.get_response(request)


def _validator_class() -> type:
    from django.db import transaction
    from jwcrypto import jwk, jwt
    from oauth2_provider.oauth2_validators import OAuth2Validator

    other_keys: list[jwk.JWK] = []  # made when first needed: key generation is slow

    class Validator(OAuth2Validator):
        oidc_claim_scope = None  # every claim the test set, whatever the scopes

        def get_additional_claims(self, request: Any) -> dict[str, Any]:
            return dict(CLAIMS.get(request.user.username, {}))

        def finalize_id_token(self, id_token: dict[str, Any], token: Any, token_handler: Any, request: Any) -> str:
            claims, expiration_time = self.get_id_token_dictionary(token, token_handler, request)
            id_token.update(**claims)
            if "nonce" not in id_token and request.nonce:
                id_token["nonce"] = request.nonce
            scenario = STATE["scenario"]
            signing_key = request.client.jwk_key
            if scenario == "wrong_audience":
                id_token["aud"] = "another-service"
            elif scenario == "wrong_issuer":
                id_token["iss"] = "https://impostor.example/o"
            elif scenario == "expired":
                now = int(time.time())
                id_token.update(iat=now - 3600, exp=now - 1800)
            elif scenario == "replayed_nonce" and len(STATE["nonces"]) > 1:
                id_token["nonce"] = STATE["nonces"][-2]  # the nonce of an earlier login
            elif scenario == "bad_signature":
                if not other_keys:
                    other_keys.append(jwk.JWK.generate(kty="RSA", size=2048))
                signing_key = other_keys[0]  # same key id in the header, another key's signature
            header = {"typ": "JWT", "alg": request.client.algorithm, "kid": request.client.jwk_key.thumbprint()}
            signed = jwt.JWT(header=json.dumps(header), claims=json.dumps(id_token, default=str))
            signed.make_signed_token(signing_key)
            with transaction.atomic():
                saved = self._save_id_token(id_token["jti"], request, expiration_time)
            request.access_token = saved
            request.id_token = saved
            return str(signed.serialize())

    return Validator


def __getattr__(name: str) -> Any:
    # Django imports the URLconf and the validator by dotted path once it is set up.
    if name == "urlpatterns":
        return urlpatterns_()
    if name == "Validator":
        return _validator_class()
    raise AttributeError(name)


@contextlib.contextmanager
def running(client_id: str, client_secret: str, redirect_uris: list[str]) -> Iterator[str]:
    """Start the provider on a free loopback port; yields its base address (the issuer is
    base + "/o"). For the tests' fixtures and the browser tests' conftest."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    process = subprocess.Popen(  # noqa: S603 - this module, with the test's own arguments
        [sys.executable, "-m", "kravspar.testing.oidc_provider", str(port), client_id, client_secret, *redirect_uris],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            process.kill()
            raise RuntimeError(process.stderr.read() if process.stderr else "the OIDC provider did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def next_login(base: str, username: str, claims: dict[str, Any], scenario: str = "ok") -> None:
    """Tell the running provider who logs in next, and how its answer should be wrong."""
    body = json.dumps({"username": username, "claims": {"sub": username, **claims}, "scenario": scenario})
    request = urllib.request.Request(f"{base}/next", data=body.encode(), method="POST")  # noqa: S310
    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310 - the test provider on loopback


def relying_party_settings(base: str, client_id: str, client_secret: str) -> dict[str, Any]:
    """Kravspår's settings for this provider (as the KRAVSPAR_OIDC_* variables would make them)."""
    return {
        "KRAVSPAR_OIDC_ENABLED": True,
        "KRAVSPAR_OIDC_ISSUER": f"{base}/o",
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": client_secret,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{base}/o/authorize/",
        "OIDC_OP_TOKEN_ENDPOINT": f"{base}/o/token/",
        "OIDC_OP_USER_ENDPOINT": f"{base}/o/userinfo/",
        "OIDC_OP_JWKS_ENDPOINT": f"{base}/o/.well-known/jwks.json",
    }


def relying_party_environment(base: str, client_id: str, client_secret: str) -> dict[str, str]:
    """The same as environment variables, for a Kravspår server process."""
    return {
        "KRAVSPAR_OIDC_ISSUER": f"{base}/o",
        "KRAVSPAR_OIDC_CLIENT_ID": client_id,
        "KRAVSPAR_OIDC_CLIENT_SECRET": client_secret,
        "KRAVSPAR_OIDC_AUTHORIZATION_ENDPOINT": f"{base}/o/authorize/",
        "KRAVSPAR_OIDC_TOKEN_ENDPOINT": f"{base}/o/token/",
        "KRAVSPAR_OIDC_USERINFO_ENDPOINT": f"{base}/o/userinfo/",
        "KRAVSPAR_OIDC_JWKS_ENDPOINT": f"{base}/o/.well-known/jwks.json",
    }


def main(port: int, client_id: str, client_secret: str, redirect_uris: list[str]) -> None:
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    configure(port)
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import get_application_model

    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    get_application_model().objects.create(
        name="Kravspår",
        client_id=client_id,
        client_secret=client_secret,
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris=" ".join(redirect_uris),
        algorithm="RS256",
        skip_authorization=True,
    )
    application = get_wsgi_application()

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    with make_server("127.0.0.1", port, application, handler_class=Quiet) as httpd:
        print("ready", flush=True)
        httpd.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:])
