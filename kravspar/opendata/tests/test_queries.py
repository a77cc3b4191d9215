"""The export's query count depends on the number of batches, never on the number of
contracts, follow-ups or deviations."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kravspar.findings.models import Deviation, DeviationStatus, Severity
from kravspar.followups.models import Activity
from kravspar.followups.planning import plan_contract
from kravspar.opendata import ocds
from kravspar.opendata.tests.conftest import make_contract
from kravspar.procurements.models import AimAssessment, Procurement, ProcurementStatus
from kravspar.testing.factories import SupplierFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def build(world: Any, n: int, *, start: int = 0) -> None:
    """n procurements with a contract each and n contracts registered directly, each
    with its plan and a deviation with an agreed plan."""
    supplier = SupplierFactory.create(org_number="5560125790")
    for i in range(start, start + n):
        procurement = Procurement.objects.create(
            registry_number=f"Q-{i}",
            title=f"Upphandling {i}",
            kind="goods",
            procedure="open",
            status=ProcurementStatus.CONCLUDED,
        )
        procurement.buyers.set([world.sormland, world.vastmanland])
        AimAssessment.objects.create(procurement=procurement, aim=4, relevant=True, how="x")
        for contract in (
            make_contract(number=f"Q-{i}-1", procurement=procurement, buyers=[world.sormland], suppliers=[supplier]),
            make_contract(number=f"D-{i}", buyers=[world.vastmanland], suppliers=[supplier]),
        ):
            plan_contract(contract, today=D(2026, 1, 1))
            activity = Activity.objects.filter(contract=contract).first()
            Deviation.objects.create(
                contract=contract,
                activity=activity,
                requirement=activity.requirement if activity else None,
                severity=Severity.MAJOR,
                title="x",
                status=DeviationStatus.ACTION_PLAN_AGREED,
                raised_on=D(2026, 2, 1),
                deadline=D(2026, 3, 1),
            )


def export_queries(chunk_size: int) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        releases = list(ocds.iter_releases(ocds.Filters(), chunk_size=chunk_size))
    return len(releases), len(queries)


def test_five_and_fifty_contracts_cost_the_same_queries(world: Any) -> None:
    build(world, 5)
    five = export_queries(chunk_size=100)
    build(world, 45, start=5)
    fifty = export_queries(chunk_size=100)

    assert five[0] == 10 and fifty[0] == 100
    assert fifty[1] == five[1]


def test_queries_grow_with_batches_only(world: Any) -> None:
    build(world, 10)
    _, one_batch = export_queries(chunk_size=10)
    _, five_batches = export_queries(chunk_size=2)

    # The export reads procurements, then direct contracts, 10 of each, each with one
    # query whose rows are fetched batch by batch. A batch of procurements costs 11 more
    # queries (contracts, buyers, CPV codes, aims, requirements, strategies, and the
    # contracts' buyers, suppliers, extensions, follow-ups and deviations), a batch of
    # contracts 5 (batches.py); buyer organisations are read once per export. So 4 more
    # batches of each cost 4 * (11 + 5).
    assert five_batches - one_batch == 4 * (11 + 5)
