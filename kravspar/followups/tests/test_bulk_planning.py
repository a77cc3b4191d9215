"""Plans written in bulk (``executemany``, not the ORM) read back like any other: every
activity with its own uuid, timestamps and defaults, one history event per contract plan
with its actor and figures, and a chunk of contracts planned in a number of queries that
does not grow with the contracts (none for a field left out of the contract query)."""

import datetime

import pytest
from django.utils import translation

from kravspar.audit.models import AuditEvent
from kravspar.contracts.models import Contract, ContractStatus
from kravspar.followups.models import Activity, ActivityStatus
from kravspar.followups.planning import PLAN_FIELDS, plan_contracts
from kravspar.procurements.models import Method

pytestmark = pytest.mark.django_db

REQUIREMENTS = [
    {"title": "Kvalitet", "methods": ["spot_check", "survey"], "timing": "recurring", "interval_months": 6},
    {"title": "Start", "methods": ["document_review"], "timing": "at_start", "responsible": "purchasing"},
]


def test_bulk_written_activities_and_events_read_like_orm_rows(world, make_contract):
    contracts = [make_contract(requirements=[dict(r) for r in REQUIREMENTS]) for _ in range(3)]
    before = datetime.datetime.now(datetime.UTC)
    with translation.override("sv"):
        result = plan_contracts(
            Contract.objects.only(*PLAN_FIELDS).filter(pk__in=[c.pk for c in contracts]), actor=world.admin
        )
    # 2026-01-01 to 2027-12-31: 3 half-yearly follow-ups and the start-up one per contract.
    assert result.created == 12
    activities = list(Activity.objects.filter(contract__in=contracts))
    assert len(activities) == 12
    assert len({a.uuid for a in activities}) == 12
    for a in activities:
        assert a.status == ActivityStatus.PLANNED and a.version == 1 and a.outcome == ""
        assert a.created_at == a.updated_at and a.created_at >= before - datetime.timedelta(seconds=1)
    quality = next(a for a in activities if a.method == "spot_check")
    with translation.override("sv"):
        assert str(Method.SURVEY.label) in quality.notes and "Även" in quality.notes

    events = AuditEvent.objects.filter(action="contract.planned")
    assert sorted(e.object_id for e in events) == sorted(str(c.uuid) for c in contracts)
    for event in events:
        assert event.actor == world.admin
        assert event.after["created"] == 4 and event.after["period_end"] == "2027-12-31"
        assert event.created_at >= before - datetime.timedelta(seconds=1)


def test_a_chunk_is_planned_in_a_fixed_number_of_queries(world, make_contract, django_assert_max_num_queries):
    def plan(n):
        ids = [make_contract(requirements=[dict(r) for r in REQUIREMENTS]).pk for _ in range(n)]
        contracts = list(Contract.objects.only(*PLAN_FIELDS).filter(pk__in=ids, status=ContractStatus.ACTIVE))
        with django_assert_max_num_queries(12):
            plan_contracts(contracts)

    plan(2)
    plan(8)
