"""A real SAML 2.0 identity provider for the tests (pysaml2's IdP), run as its own process
on loopback: ``python -m kravspar.testing.saml_idp CONFIG.json PORT``.

It answers an AuthnRequest (HTTP-Redirect binding) at /sso/redirect with an HTML form that
posts a signed Response to the service provider, as a real IdP's login page does after the
person has logged in. Who logs in, and how the answer should be wrong, the test sets first
with POST /next (JSON): {"attributes": {...}, "name_id": "...", "scenario": "ok" | "expired"
| "wrong_audience" | "unsigned"}. GET /idp-logout?name_id=...&sp=... starts a single logout at
the IdP: a signed LogoutRequest to the service provider, as a redirect (&key=other: signed
with a key the IdP's metadata does not name). Nothing of the protocol
is mocked: the XML, the signatures and the time limits are pysaml2's.
"""

from __future__ import annotations

import contextlib
import html
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.assertion import Policy
from saml2.config import IdPConfig
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import SIG_RSA_SHA1, SIG_RSA_SHA256

PASSWORD_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"  # noqa: S105


def idp_config(*, base: str, key_file: str, cert_file: str, sp_metadata: str | None, lifetime: int = 5) -> dict:
    conf: dict[str, Any] = {
        "entityid": f"{base}/metadata",
        "service": {
            "idp": {
                "endpoints": {
                    "single_sign_on_service": [(f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(f"{base}/slo/redirect", BINDING_HTTP_REDIRECT)],
                },
                "policy": {"default": {"lifetime": {"minutes": lifetime}, "attribute_restrictions": None}},
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "sign_assertion": True,
            }
        },
        "key_file": key_file,
        "cert_file": cert_file,
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "metadata": {"local": [sp_metadata]} if sp_metadata else {},
    }
    return conf


right_audience = Policy.conditions


def wrong_audience(self: Policy, sp_entity_id: str) -> Any:
    return right_audience(self, "https://wrong.example/saml2/metadata/")


def main(config_path: str, port: int) -> None:
    with open(config_path) as config_file:
        settings = json.load(config_file)
    servers: dict[int, Server] = {}

    def server(lifetime: int) -> Server:
        if lifetime not in servers:
            conf = IdPConfig()
            conf.load(idp_config(lifetime=lifetime, **settings))
            servers[lifetime] = Server(config=conf)
        return servers[lifetime]

    def other_key_server() -> Server:
        if "other" not in servers_by_key:
            key, cert = _keypair(Path(settings["key_file"]).parent, "attacker")
            conf = IdPConfig()
            conf.load(idp_config(**{**settings, "key_file": key, "cert_file": cert}))
            servers_by_key["other"] = Server(config=conf)
        return servers_by_key["other"]

    servers_by_key: dict[str, Server] = {}
    state: dict[str, Any] = {"next": None}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        try:
            return answer(environ, start_response)
        except Exception:  # a test IdP: say what went wrong, in the answer the test sees
            import traceback

            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [traceback.format_exc().encode()]

    def answer(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        if path == "/next" and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            state["next"] = json.loads(environ["wsgi.input"].read(length))
            start_response("204 No Content", [])
            return []
        if path == "/sso/redirect":
            from urllib.parse import parse_qs

            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            who = state["next"] or {}
            scenario = who.get("scenario", "ok")
            idp = server(-10 if scenario == "expired" else 5)
            request = idp.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
            sp_entity = request.message.issuer.text
            acs = request.message.assertion_consumer_service_url
            signed = scenario != "unsigned"
            # A misconfigured IdP: a correctly signed answer whose audience is another service.
            Policy.conditions = wrong_audience if scenario == "wrong_audience" else right_audience
            response = idp.create_authn_response(
                identity={k: v if isinstance(v, list) else [v] for k, v in who.get("attributes", {}).items()},
                in_response_to=request.message.id,
                destination=acs,
                sp_entity_id=sp_entity,
                name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=who.get("name_id", "anon")),
                authn={"class_ref": PASSWORD_CLASS},
                sign_assertion=signed,
                sign_response=signed,
            )
            args = idp.apply_binding(BINDING_HTTP_POST, f"{response}", acs, query.get("RelayState", ""), response=True)
            body = args["data"]
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [body.encode() if isinstance(body, str) else body]
        if path == "/idp-logout":
            # Single logout started here, at the IdP (the person logged out of another service
            # or at the IdP itself): a signed LogoutRequest for the name_id to the service
            # provider's logout endpoint, handed to the browser as a redirect.
            from urllib.parse import parse_qs

            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            # key=other: the same IdP's request signed with a key its metadata does not name
            # (an attacker's), to show the service provider refuses it.
            idp = other_key_server() if query.get("key") == "other" else server(5)
            sp_entity = query["sp"]
            destination = idp.metadata.single_logout_service(sp_entity, BINDING_HTTP_REDIRECT, "spsso")[0]["location"]
            _request_id, logout_request = idp.create_logout_request(
                destination,
                issuer_entity_id=sp_entity,
                name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=query["name_id"]),
            )
            # alg=sha1: signed with RSA-SHA1, which the service provider no longer accepts.
            sigalg = SIG_RSA_SHA1 if query.get("alg") == "sha1" else SIG_RSA_SHA256
            args = idp.apply_binding(
                BINDING_HTTP_REDIRECT, f"{logout_request}", destination, "", sign=True, sigalg=sigalg
            )
            start_response("302 Found", [("Location", dict(args["headers"])["Location"])])
            return []
        if path == "/slo/redirect" and "SAMLResponse=" in environ.get("QUERY_STRING", ""):
            # The service provider's answer to a logout the IdP started: kept for the test to
            # read at /last-logout-response (its status, who answered, whether it was signed).
            from urllib.parse import parse_qs

            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            idp = server(5)
            from saml2.response import StatusError
            from saml2.samlp import logout_response_from_string

            try:
                message = idp.parse_logout_request_response(query["SAMLResponse"], BINDING_HTTP_REDIRECT).response
            except StatusError:  # pysaml2 reads only a Success; the test wants any status
                xml = idp.unravel(query["SAMLResponse"], BINDING_HTTP_REDIRECT, "LogoutResponse")
                message = logout_response_from_string(xml)
            status = message.status.status_code
            if status.status_code is not None:  # a second-level status says more (UnknownPrincipal)
                status = status.status_code
            state["last_logout_response"] = {
                "status": status.value,
                "issuer": message.issuer.text,
                "signed": bool(query.get("Signature")),
            }
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"logged out"]
        if path == "/slo/redirect":
            # Single logout started by the service provider: check its (signed) LogoutRequest
            # and send the browser back with a LogoutResponse, as a real IdP does after ending
            # its own session. The last request is kept for the test to read at /last-logout.
            from urllib.parse import parse_qs

            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            idp = server(5)
            request = idp.parse_logout_request(
                query["SAMLRequest"],
                BINDING_HTTP_REDIRECT,
                relay_state=query.get("RelayState"),
                sigalg=query.get("SigAlg"),
                signature=query.get("Signature"),
            )
            state["last_logout"] = {
                "name_id": request.message.name_id.text,
                "issuer": request.message.issuer.text,
                "signed": bool(query.get("Signature")),
            }
            response = idp.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
            destination = idp.metadata.single_logout_service(
                request.message.issuer.text, BINDING_HTTP_REDIRECT, "spsso"
            )[0]["location"]
            args = idp.apply_binding(
                BINDING_HTTP_REDIRECT, f"{response}", destination, query.get("RelayState", ""), response=True
            )
            location = dict(args["headers"])["Location"]
            start_response("302 Found", [("Location", location)])
            return []
        if path in ("/last-logout", "/last-logout-response"):
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps(state.get(path.strip("/").replace("-", "_"))).encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [html.escape(path).encode()]

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    with make_server("127.0.0.1", port, app, handler_class=Quiet) as httpd:
        print("ready", flush=True)
        httpd.serve_forever()


def _keypair(directory: Path, name: str) -> tuple[str, str]:
    key, cert = directory / f"{name}.key", directory / f"{name}.crt"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}"]
    subprocess.run([*command, "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)  # noqa: S603
    return str(key), str(cert)


@contextlib.contextmanager
def running(directory: Path, sp_base_url: str) -> Iterator[dict[str, Any]]:
    """Keys for both sides, metadata exchanged as a region would, and the IdP running on a free
    loopback port. Yields {"base": the IdP's address, "sp_config": Kravspår's SAML_CONFIG,
    "environment": the same as KRAVSPAR_SAML_* variables for a Kravspår server process}."""
    from saml2.config import Config, SPConfig
    from saml2.metadata import create_metadata_string

    from kravspar.saml_config import saml_sp_config

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    idp_key, idp_cert = _keypair(directory, "idp")
    sp_key, sp_cert = _keypair(directory, "sp")
    idp_metadata = directory / "idp.xml"
    conf = Config().load(idp_config(base=base, key_file=idp_key, cert_file=idp_cert, sp_metadata=None))
    idp_metadata.write_bytes(create_metadata_string(None, config=conf, valid=48))
    sp = saml_sp_config(base_url=sp_base_url, metadata_file=str(idp_metadata), key_file=sp_key, cert_file=sp_cert)
    sp_metadata = directory / "sp.xml"
    sp_metadata.write_bytes(create_metadata_string(None, config=SPConfig().load(sp), valid=48))
    settings_file = directory / "idp.json"
    settings_file.write_text(
        json.dumps({"base": base, "key_file": idp_key, "cert_file": idp_cert, "sp_metadata": str(sp_metadata)})
    )
    process = subprocess.Popen(  # noqa: S603 - this module, with the test's own files
        [sys.executable, "-m", "kravspar.testing.saml_idp", str(settings_file), str(port)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            process.kill()
            raise RuntimeError(process.stderr.read() if process.stderr else "IdP did not start")
        yield {
            "base": base,
            "sp_config": sp,
            "environment": {
                "KRAVSPAR_SAML_IDP_METADATA_FILE": str(idp_metadata),
                "KRAVSPAR_SAML_KEY_FILE": sp_key,
                "KRAVSPAR_SAML_CERT_FILE": sp_cert,
            },
        }
    finally:
        process.terminate()
        process.wait(timeout=10)


def next_login(base: str, *, name_id: str, attributes: dict[str, Any], scenario: str = "ok") -> None:
    """Tell the running IdP who logs in next, and how its answer should be wrong."""
    import urllib.request

    body = json.dumps({"attributes": attributes, "name_id": name_id, "scenario": scenario})
    request = urllib.request.Request(f"{base}/next", data=body.encode(), method="POST")  # noqa: S310
    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310 - the test IdP on loopback


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
