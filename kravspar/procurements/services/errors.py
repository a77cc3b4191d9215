"""The domain errors of procurements' services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from kravspar.core.errors import DomainError


class StrategyIncompleteError(DomainError):
    """The gate refused: ``details["missing"]`` lists every missing item."""

    code = "strategy_incomplete"
    status = 409

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            gettext_lazy("The procurement cannot move on until the follow-up strategy is complete and approved."),
            details={"missing": missing},
        )
        self.missing = missing


class TransitionError(DomainError):
    code = "invalid_transition"
    status = 409


class VerificationsOpenError(DomainError):
    """The award was refused: ``details["missing"]`` names every requirement still to verify."""

    code = "verifications_open"
    status = 409

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            gettext_lazy(
                "The procurement cannot be awarded while requirements verified at evaluation have no recorded outcome."
            ),
            details={"missing": missing},
        )
        self.missing = missing
