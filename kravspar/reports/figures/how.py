"""How each figure is computed, shown under it on the dashboard."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

# How each figure is computed, shown under it on the dashboard: numerator, denominator and
# which dates place a record in the period. A test demands one for every figure.
HOW: dict[str, Any] = {
    "strategy_gate": gettext_lazy(
        "Procurements advertised in the period (by the day they were advertised, cancelled ones included) "
        "with a version of the follow-up strategy approved on or before that day, out of all procurements "
        "advertised in the period. Retrofitted: the strategy was approved only after advertising; it never "
        "counts as in time. Procurements advertised on a day that is not recorded (e.g. imported ones) are "
        "counted apart, in no period; retrofitted among them means approved after a contract was signed."
    ),
    "current_plan": gettext_lazy(
        "Active contracts live in the period that have a follow-up activity, not cancelled, due on or after "
        "the period's first day, out of all active contracts live in the period (started by its last day and "
        "not ended before its first)."
    ),
    "activities_total": gettext_lazy(
        "Follow-up activities on the contracts in scope, due in the period (by due date), cancelled ones left "
        "out. On time: done on or before the due date; late: done after it; overdue: still open and due "
        "before today; not yet due: open and due today or later."
    ),
    "by_method": gettext_lazy("The follow-ups due in the period, as above, by the method used."),
    "by_unit": gettext_lazy("The follow-ups due in the period, as above, by the unit responsible for them."),
    "by_type": gettext_lazy("The follow-ups due in the period, as above, by the type of the requirement followed up."),
    "deviations_total": gettext_lazy("Deviations on the contracts in scope raised in the period (by date raised)."),
    "deviations_by_severity": gettext_lazy("Deviations raised in the period, by severity."),
    "deviations_by_kind": gettext_lazy(
        "Deviations raised in the period, by the area they concern: the requirement's type, economy for what "
        "invoices reveal."
    ),
    "deviations_by_status": gettext_lazy("Deviations raised in the period, by their status today."),
    "plans_overdue": gettext_lazy(
        "Deviations on the contracts in scope whose agreed action plan has a deadline before today and whose "
        "correction has not been verified. As of today, whatever the period."
    ),
    "sanctions": gettext_lazy(
        "Sanction decisions on the contracts in scope decided in the period (by decision date): how many, and "
        "the sum of their amounts, per decision."
    ),
    "suppliers_by_light": gettext_lazy(
        "Suppliers on contracts live in the period, each with the worst status that the deviations on the "
        "scope's contracts give it today (a deviation naming no supplier concerns every supplier on its "
        "contract). Observations and closed deviations do not count."
    ),
    "aims": gettext_lazy(
        "Procurements: created in the period that assess the aim as relevant. Requirements: those of these "
        "procurements serving the aim. Follow-ups: due in the period, for contract requirements serving the "
        "aim. Deviations: raised in the period, through their requirement's aims, or when it names none "
        "through their type (economy 1, environment 3, labour and social 4, animal welfare 5). Sanctions: "
        "decided in the period on such deviations. A record serving several aims counts under each."
    ),
    "goals": gettext_lazy(
        "Procurements created in the period that state how they address the goal, per goal of each region's "
        "environmental programme."
    ),
    "local": gettext_lazy(
        "Contracts live in the period with at least one supplier registered in Södermanland or Västmanland "
        "county (first figure) or of micro, small or medium size (second), out of all contracts live in the "
        "period; the value is the contracts' total value."
    ),
    "labour": gettext_lazy(
        "Contracts live in the period with a labour-conditions or code-of-conduct requirement; of these, those "
        "with such a follow-up done and due by the period's end; those with an active subcontractor; and of "
        "those, whose requirements binding subcontractors were followed up."
    ),
    "outcome": gettext_lazy(
        "Planned: requirements of active contracts live in the period with a follow-up, not cancelled, due on "
        "or after the period's first day, out of all their requirements. On time: follow-ups on the contracts "
        "in scope due in the period and before today, cancelled ones left out, done on or before the due date, "
        "out of all of them. Days late: among those done after the due date (days from due date to done) or "
        "still open (days from due date to today), the middle value (the lower of the two middle values when "
        "their number is even). Major deviations in time: major and critical deviations raised in the period "
        "whose action plan's deadline has passed or that were fixed; in time if the correction was verified on "
        "or before the deadline. Sanction decisions: of those not fixed in time, the ones with a sanction "
        "decision (applied or waived) recorded."
    ),
    "extensions": gettext_lazy(
        "Matched e-invoice lines issued in the period for the organisations in scope: net amounts excluding "
        "VAT, credit notes negative. Leverantörstrohet: the share of spend with a contracted supplier; "
        "avtalstrohet: the share on a contract's price list at or below the agreed price."
    ),
}
