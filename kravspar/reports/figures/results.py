"""What the figures are: a share, the strategy gate, a row of a breakdown, the follow-up
outcome and the whole dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kravspar.reports.scope import ReportScope

# --- The figures -------------------------------------------------------------------------


@dataclass
class Share:
    part: int
    whole: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.part / self.whole) if self.whole else None


@dataclass
class StrategyGate(Share):
    """part: advertised in the period with a strategy approved on or before that day;
    whole: advertised in the period. The rest of the whole is retrofitted or missing."""

    retrofitted: int = 0
    missing: int = 0
    unknown: int = 0  # advertised on a day not known (in no period)
    unknown_retrofitted: int = 0  # of those, with a strategy approved after the contract


@dataclass
class Row:
    """One row of a breakdown: its key (for the drill-down), label and counts by column."""

    key: str
    label: str
    counts: dict[str, Any] = field(default_factory=dict)  # numbers, or text an extension formats itself
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class FollowUpOutcome:
    """How the follow-up turned out in the period (``HOW["outcome"]`` says how each is counted)."""

    requirements_planned: Share  # contract requirements with a follow-up planned
    done_on_time: Share  # follow-ups due before today, done by their due date
    late: int  # of those, done late or still open
    median_days_late: int | None  # the middle (lower middle) number of days late among ``late``
    major_in_time: Share  # major and critical deviations past their deadline or fixed: fixed in time
    decisions_recorded: Share  # of those not fixed in time: with a sanction decision recorded


@dataclass
class Dashboard:
    scope: ReportScope
    strategy_gate: StrategyGate
    current_plan: Share
    activities_total: dict[str, int]
    by_method: list[Row]
    by_unit: list[Row]
    by_type: list[Row]
    deviations_by_severity: list[Row]
    deviations_by_kind: list[Row]
    deviations_by_status: list[Row]
    deviations_total: int
    plans_overdue: int
    sanctions: list[Row]
    suppliers_by_light: list[Row]
    aims: list[Row]
    goals: list[Row]
    local: dict[str, Any]
    labour: dict[str, Share]
    outcome: FollowUpOutcome
    # Figures other apps add later (e.g. the Peppol e-invoice follow-up of issue 7), see
    # ``EXTENSIONS`` below.
    extensions: list[dict[str, Any]] = field(default_factory=list)
