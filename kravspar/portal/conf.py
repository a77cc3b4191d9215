"""The portal's settings. Each comes from Django settings when set there (tests override
them that way), otherwise from the environment, with the default named here."""

from __future__ import annotations

from django.conf import settings

from kravspar.env import env_int, env_list


def _int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    return int(value) if value is not None else env_int(name, default)


def invitation_days() -> int:
    """How long an invitation link works."""
    return _int("KRAVSPAR_INVITATION_DAYS", 7)


def invitations_per_hour() -> int:
    """How many invitations one officer may send within an hour."""
    return _int("KRAVSPAR_INVITATIONS_PER_HOUR", 30)


def renewals_per_invitation() -> int:
    """How often a new link may be asked for on one invitation within a day."""
    return _int("KRAVSPAR_INVITATION_RENEWALS_PER_DAY", 3)


def renewals_per_address() -> int:
    """How often one IP address may ask for new links within an hour."""
    return _int("KRAVSPAR_INVITATION_RENEWALS_PER_IP_HOUR", 10)


def document_warning_days() -> list[int]:
    """Days before a document expires at which its supplier is warned, largest first."""
    value = getattr(settings, "KRAVSPAR_DOCUMENT_WARNING_DAYS", None)
    raw = (
        [str(v) for v in value] if value is not None else env_list("KRAVSPAR_DOCUMENT_WARNING_DAYS", ["60", "30", "7"])
    )
    try:
        days = sorted({int(v) for v in raw}, reverse=True)
    except ValueError as exc:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"KRAVSPAR_DOCUMENT_WARNING_DAYS must be whole numbers, got {raw!r}") from exc
    return [d for d in days if d >= 0]
