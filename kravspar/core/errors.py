"""Domain errors. Services raise them; the UI shows their message and the API turns
them into the one JSON error shape ``{"code", "message", "details"}``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the domain was broken. ``message`` is shown to the user as it is."""

    code = "domain_error"
    status = 400

    def __init__(self, message: Any, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.details = details or {}


class ConcurrentEditError(DomainError):
    """Somebody else saved the object after the user loaded it (optimistic locking)."""

    code = "concurrent_edit"
    status = 409

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this after you opened it. Reload the page to see "
                "their changes, then make yours again."
            )
        )


class NotAllowedError(DomainError):
    """The actor may see the object but not make this change."""

    code = "forbidden"
    status = 403

    def __init__(self, message: Any = None) -> None:
        super().__init__(message or _("You do not have permission to do this."))
