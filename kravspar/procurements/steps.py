"""The procurement page as five planning steps, each with its state and the gate's missing items
that it fixes: 1 Aims · 2 Environmental goals · 3 Requirements · 4 Follow-up strategy · 5 Approval.

The states are read from the gate (``policy.strategy_gate_missing``), so the stepper and the gate
can never disagree: a step is done when the gate misses nothing that belongs to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kravspar.procurements.models import Strategy, StrategyStatus

# (key, name, the page section that fixes it). Gate items of no known step (a newer check)
# belong to the requirements step, where the procurement's own conditions are set.
STEPS: list[tuple[str, Promise]] = [
    ("aims", _("Aims")),
    ("goals", _("Environmental goals")),
    ("requirements", _("Requirements")),
    ("strategy", _("Follow-up strategy")),
    ("approval", _("Approval")),
]
DEFAULT_STEP = "requirements"

DONE = "done"
TODO = "todo"
WAITING = "waiting"
STATE_LABELS: dict[str, Promise] = {
    DONE: _("Done"),
    TODO: _("To do"),
    WAITING: _("Waiting for approval"),
}


@dataclass
class Step:
    number: int
    key: str
    name: str
    state: str = DONE
    missing: list[str] = field(default_factory=list)
    current: bool = False

    @property
    def anchor(self) -> str:
        return self.key

    @property
    def state_label(self) -> str:
        if self.state == TODO and self.missing:
            return str(_("%(count)d to do") % {"count": len(self.missing)})
        return str(STATE_LABELS[self.state])


def item_step(item: str) -> str:
    return getattr(item, "step", DEFAULT_STEP)


def planning_steps(missing: list[str], strategy: Strategy | None) -> list[Step]:
    """The five steps with their state; the first one not done is the current step."""
    steps = [Step(number=i, key=key, name=str(name)) for i, (key, name) in enumerate(STEPS, start=1)]
    by_key = {s.key: s for s in steps}
    for item in missing:
        by_key.get(item_step(item), by_key[DEFAULT_STEP]).missing.append(item)
    for step in steps:
        if step.missing:
            step.state = TODO
    approval = by_key["approval"]
    if strategy is not None and strategy.status == StrategyStatus.SUBMITTED and not by_key["strategy"].missing:
        approval.state = WAITING
    elif strategy is None or strategy.status != StrategyStatus.APPROVED:
        approval.state = TODO
    for step in steps:
        if step.state != DONE:
            step.current = True
            break
    return steps


def missing_by_step(steps: list[Step]) -> list[tuple[Step, str]]:
    """The gate's items in step order, each with the step that fixes it."""
    return [(step, item) for step in steps for item in step.missing]
