"""The SAML service provider's configuration (pysaml2's format), built from a few values so
that settings.py and the tests build it the same way. No Django imports: settings uses it."""

from __future__ import annotations

from typing import Any

BINDING_HTTP_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
BINDING_HTTP_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"


def saml_sp_config(
    *, base_url: str, metadata_file: str = "", metadata_url: str = "", key_file: str = "", cert_file: str = ""
) -> dict[str, Any]:
    base = base_url.rstrip("/")
    metadata: dict[str, Any] = {}
    if metadata_file:
        metadata["local"] = [metadata_file]
    if metadata_url:
        metadata["remote"] = [{"url": metadata_url}]
    config: dict[str, Any] = {
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "entityid": f"{base}/saml2/metadata/",
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": "Kravspår",
                "endpoints": {
                    "assertion_consumer_service": [(f"{base}/saml2/acs/", BINDING_HTTP_POST)],
                    "single_logout_service": [(f"{base}/saml2/ls/", BINDING_HTTP_REDIRECT)],
                },
                # Only answers to our own requests, each once (replay), with signed assertions.
                "allow_unsolicited": False,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "authn_requests_signed": bool(key_file),
                "logout_requests_signed": bool(key_file),
                # The answer to a logout the IdP started is signed too (SAML profiles 4.4.3.4).
                "logout_responses_signed": bool(key_file),
                "name_id_format_allow_create": False,
            }
        },
        "metadata": metadata,
        "accepted_time_diff": 60,
    }
    if key_file and cert_file:
        config["key_file"] = key_file
        config["cert_file"] = cert_file
        config["encryption_keypairs"] = [{"key_file": key_file, "cert_file": cert_file}]
    return config
