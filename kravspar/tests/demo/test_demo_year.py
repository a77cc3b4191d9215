"""The simulated year of the whole demo, as ``make run`` loads it: told from the day it was
loaded (the day of the run), each orderer persona finds follow-ups overdue, due this week
and done, and the outcome figures are filled. Checked on the package's one seeding in both
database runs; ``kravspar/followups/tests/test_demo_year.py`` checks the same on a fixed
day at the other end of a year."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kravspar.contracts.models import Contract, ContractStatus
from kravspar.followups.demo_year import SERIES_REGEX
from kravspar.followups.tests.test_demo_year import REGIONS, assert_the_year_is_full
from kravspar.organisations.models import Organisation
from kravspar.procurements.models import Procurement, ProcurementStatus

pytestmark = pytest.mark.usefixtures("demo_data")


def test_the_demo_loaded_today_has_work_for_each_orderer(db: None) -> None:
    year = Procurement.objects.filter(registry_number__regex=SERIES_REGEX)
    # The day the year was told from: the day it was seeded (not the day this test runs,
    # should the run pass midnight).
    today = timezone.localdate(year.earliest("created_at").created_at)
    contracts = Contract.objects.filter(procurement__in=year)
    assert 120 <= contracts.count() <= 160
    assert contracts.count() == contracts.filter(status=ContractStatus.ACTIVE).count()
    assert not year.exclude(status=ProcurementStatus.CONCLUDED).exists()
    assert_the_year_is_full({o.org_number: o for o in Organisation.objects.filter(org_number__in=REGIONS)}, today)
