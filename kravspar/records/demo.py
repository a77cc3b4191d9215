"""Demo retention schedule: both regions' rules for the record types that hold personal data,
with (fictional) decisions of their retention schedules. Nothing in the demo is due yet."""

from __future__ import annotations

from kravspar.organisations.models import Organisation
from kravspar.records.models import Anchor, PeriodUnit, RecordType, RetentionRule
from kravspar.records.services import retention_rule_create

RULES = [
    # (record type, counted from, period, unit, item of the schedule)
    (RecordType.EVIDENCE, Anchor.CONTRACT_END, 2, PeriodUnit.YEARS, "4.3 Underlag för avtalsuppföljning"),
    (RecordType.LABOUR_DOCUMENT, Anchor.FOLLOWUP_CLOSED, 24, PeriodUnit.MONTHS, "4.4 Underlag arbetsrättsliga villkor"),
    (RecordType.UNION_CONTACT, Anchor.CONTRACT_END, 2, PeriodUnit.YEARS, "4.5 Samråd med arbetstagarorganisation"),
]
SCHEDULES = {"2321000032": "RS-2024-0118", "2321000172": "RV-2024-0231"}  # org number: diary number


def seed() -> list[tuple[str, str, str]]:
    for org_number, diary in SCHEDULES.items():
        organisation = Organisation.objects.filter(org_number=org_number).first()
        if organisation is None:
            continue
        for record_type, anchor, period, unit, item in RULES:
            if RetentionRule.objects.filter(organisation=organisation, record_type=record_type).exists():
                continue
            retention_rule_create(
                actor=None,
                organisation=organisation,
                record_type=record_type,
                anchor=anchor,
                period=period,
                unit=unit,
                decision=f"Dokumenthanteringsplan {diary}, {item}",
            )
    return []
