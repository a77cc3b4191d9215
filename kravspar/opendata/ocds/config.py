"""The publisher's settings: the ocid prefix, the publisher and the base URL."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from kravspar.opendata.ocds.codes import (
    DEFAULT_PREFIX,
    DEFAULT_PUBLISHER,
    PREFIX_PATTERN,
    SCHEME,
)

# --- Settings ----------------------------------------------------------------------------


def _setting(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return default if value is None or str(value).strip() == "" else str(value).strip()


def ocid_prefix() -> str:
    """KRAVSPAR_OCDS_PREFIX (a Django setting or the environment), checked."""
    prefix = _setting("KRAVSPAR_OCDS_PREFIX", DEFAULT_PREFIX)
    if not PREFIX_PATTERN.match(prefix):
        raise ImproperlyConfigured(
            f"KRAVSPAR_OCDS_PREFIX must be 'ocds-' followed by six lower-case letters or digits "
            f"(the prefix the Open Contracting Partnership registered for you), got {prefix!r}"
        )
    return prefix


def publisher() -> dict[str, str]:
    result = {"name": _setting("KRAVSPAR_OCDS_PUBLISHER", DEFAULT_PUBLISHER)}
    orgnr = _setting("KRAVSPAR_OCDS_PUBLISHER_ORGNR", "")
    if orgnr:
        result |= {"scheme": SCHEME, "uid": orgnr.replace("-", "")}
    return result


def base_url() -> str:
    return str(getattr(settings, "KRAVSPAR_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
