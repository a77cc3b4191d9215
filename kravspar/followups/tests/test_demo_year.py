"""The living demo: loaded on any day, each orderer persona finds follow-ups overdue, due
this week and done, and the dashboard's outcome figures for each region and that year
are filled. The simulated year is told from a 'today' the test chooses (the day it is
loaded by default), as ``seed_demo --today`` does.

Two days prove "any day": the day the suite runs, on the whole demo as ``make run`` loads
it (``kravspar/tests/demo/test_demo_year.py``, on the demo package's one seeding, in both
database runs), and here a fixed day at the other end of a year (the last of February: two
months into the year the outcome figures are counted for, the months' ends in the
follow-up intervals). Each seeding of a year costs 20-30 s of CPU; this one used to run for
two fixed days in each database run."""

from __future__ import annotations

import dataclasses
import datetime
import os
from collections.abc import Mapping

import pytest

from kravspar.accounts.models import User
from kravspar.contracts.models import Contract, ContractStatus
from kravspar.core.management.commands.seed_demo import seed_goals, seed_people
from kravspar.findings.models import Deviation, DeviationStatus
from kravspar.followups.demo_year import seed_year
from kravspar.followups.models import Activity, ActivityStatus
from kravspar.followups.selectors import mine_q, view_q
from kravspar.organisations.models import Organisation
from kravspar.procurements.models import Procurement, ProcurementStatus
from kravspar.reports import figures
from kravspar.reports.scope import ReportScope

ORDERERS = ("bestallare", "bestallare.sormland")
REGIONS = ("2321000032", "2321000172")


# Days in the past: the services refuse records dated after the real today.
# SQLite run only: the PostgreSQL run seeds the same code on PostgreSQL in the demo package
# (the whole demo, its year told from the day of the run) and checks the same figures there
# with the same queries; what this case adds is a second day for the year's date
# arithmetic, which is Python and the same on both databases. Seeding it again on
# PostgreSQL cost about 30 s of CPU.
@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="the date arithmetic of a fixed day; the demo package checks the year on PostgreSQL",
)
def test_the_demo_loaded_on_any_day_has_work_for_each_orderer(db: None) -> None:
    today = datetime.date(2025, 2, 28)
    orgs, _logins = seed_people()
    seed_goals(orgs)

    made = seed_year(today=today)

    assert 120 <= made <= 160
    assert Contract.objects.filter(status=ContractStatus.ACTIVE).count() == made
    # Signed: every framework's procurement is concluded.
    assert not Procurement.objects.exclude(status=ProcurementStatus.CONCLUDED).exists()
    assert_the_year_is_full(orgs, today)


def assert_the_year_is_full(orgs: Mapping[str, Organisation], today: datetime.date) -> None:
    """What a simulated year told from ``today`` must show (also on the whole demo)."""
    assert seed_year(today=today) == 0  # safe to re-run
    week = datetime.timedelta(days=7)
    for username in ORDERERS:
        mine = Activity.objects.filter(mine_q(User.objects.get(username=username)))
        assert mine.filter(view_q("overdue", today)).exists(), username
        assert mine.filter(view_q("open", today), due_on__gte=today, due_on__lte=today + week).exists(), username
        assert mine.filter(status=ActivityStatus.DONE, completed_on__lte=today).exists(), username
    # Deviations at each stage of their lifecycle.
    statuses = set(Deviation.objects.values_list("status", flat=True))
    assert {DeviationStatus.OPEN, DeviationStatus.ACTION_PLAN_AGREED, DeviationStatus.CLOSED} <= statuses
    assert DeviationStatus.NOT_FIXED in statuses
    assert Deviation.objects.filter(awaiting_assessment=True).exists()
    # The outcome figures of this year, per region.
    for org_number in REGIONS:
        region = orgs[org_number]
        scope = ReportScope(
            key=f"org:{region.uuid}",
            label=region.name,
            org_ids=frozenset({region.pk}),
            date_from=datetime.date(today.year, 1, 1),
            date_to=datetime.date(today.year, 12, 31),
            today=today,
        )
        outcome = figures.dashboard(scope).outcome
        assert outcome.requirements_planned.whole and outcome.requirements_planned.part, org_number
        assert outcome.done_on_time.whole and outcome.done_on_time.part < outcome.done_on_time.whole, org_number
        assert outcome.median_days_late is not None and outcome.median_days_late > 0, org_number
        # Deviations take a month to their deadline: over the last twelve months, whatever the day.
        year = figures.dashboard(dataclasses.replace(scope, date_from=today - datetime.timedelta(days=365))).outcome
        assert year.major_in_time.whole and year.major_in_time.part < year.major_in_time.whole, org_number
        assert year.decisions_recorded.whole and year.decisions_recorded.part, org_number
