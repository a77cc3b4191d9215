"""Errors of the findings app."""

from __future__ import annotations

from kravspar.core.errors import DomainError


class StateConflictError(DomainError):
    """The deviation is not in a state that allows this step (already closed, no agreed
    plan, a sanction decision pending, ...). The API answers 409, like a stale version:
    reload, see where the deviation stands, then act."""

    code = "invalid_state"
    status = 409
