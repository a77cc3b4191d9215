"""The dashboard's labour section is counted in the database: the queries and the rows they
return stay the same whether 2 or 20 procurements were assessed."""

from __future__ import annotations

import datetime
import types
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kravspar.labour import services
from kravspar.labour.models import NeedDecision, WorkLocation
from kravspar.labour.report import dashboard_extension, labour_counts, labour_report
from kravspar.labour.tests.conftest import make_procurement
from kravspar.reports.tests.test_dashboard import rows_fetched

pytestmark = pytest.mark.django_db


def _add(world: Any, first: int, last: int) -> None:
    for n in range(first, last):
        procurement = make_procurement(world, f"RV-2026-{7000 + n}", value=3_000_000 + n)
        services.assessment_record(
            actor=world.officer,
            procurement=procurement,
            decision=NeedDecision.NEEDED if n % 2 else NeedDecision.NOT_NEEDED,
            reason="Städ utförs i Sverige." if n % 2 else "Arbetet är maskinellt.",
            work_location=WorkLocation.SWEDEN,
        )


def test_the_labour_section_reads_the_same_rows_for_2_and_20_procurements(world: Any, cast: Any) -> None:
    year = timezone.localdate().year
    scope = types.SimpleNamespace(date_from=datetime.date(year, 1, 1), org_ids=None)
    _add(world, 0, 2)
    dashboard_extension(scope)  # warm the per-process caches
    with rows_fetched() as rows_before, CaptureQueriesContext(connection) as queries_before:
        before = dashboard_extension(scope)
    _add(world, 2, 20)
    with rows_fetched() as rows_after, CaptureQueriesContext(connection) as queries_after:
        after = dashboard_extension(scope)
    counts = {row.key.split(":")[1]: row.counts["n"] for row in after["rows"]}
    assert (counts["assessed"], counts["needed"]) == (21, 11)  # the cast's procurement and the 20
    assert len(before["rows"]) == len(after["rows"]) == 8  # one organisation, seven figures and the share
    assert len(queries_after) == len(queries_before) <= 3
    assert rows_after[0] == rows_before[0]
    # The aggregates agree with the per-procurement report.
    [by_sql] = labour_counts(year=year, organisation_ids=None)
    [by_rows] = labour_report(year=year, organisation_ids=None)
    assert by_sql.as_dict() == by_rows.as_dict()


def test_the_counts_keep_to_the_organisations_asked_for(world: Any, cast: Any) -> None:
    year = timezone.localdate().year
    assert labour_counts(year=year, organisation_ids=[world.sormland.pk]) == []
    [vm] = labour_counts(year=year, organisation_ids=[world.vastmanland.pk])
    assert vm.organisation == world.vastmanland and vm.count("assessed") == 1
    assert labour_counts(year=year - 5, organisation_ids=None) == []
