"""The demo tells a story a domain reviewer can check: its dates must agree with each other
and with the regions' real programmes. These invariants run over *all* demo data, so a
new demo case that breaks one fails here.

Seeded once for the module (``demo_data``); each test runs in a savepoint."""

import datetime

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone

from kravspar.contracts.models import Contract, ContractStatus
from kravspar.findings.models import Deviation
from kravspar.followups.models import Activity
from kravspar.invoices.generate import REGION_SORMLAND
from kravspar.organisations.models import Organisation
from kravspar.procurements.models import EnvironmentalGoal, Procurement, ProcurementStatus, StrategyStatus

pytestmark = pytest.mark.usefixtures("demo_data")

# Each programme's real validity (the regions' own pages; domain.md § 2).
PROGRAMMES = {
    ("2321000032", "Hållbarhetsprogram 2024–2027"): (datetime.date(2024, 1, 1), datetime.date(2027, 12, 31)),
    ("2321000172", "Miljöprogram 2018–2022"): (datetime.date(2018, 1, 1), datetime.date(2022, 12, 31)),
    ("2321000172", "Hållbarhetsprogram 2023–2030"): (datetime.date(2023, 1, 1), datetime.date(2030, 12, 31)),
}


def test_no_contract_is_signed_before_its_procurement_was_advertised(db):
    contracts = list(Contract.objects.filter(procurement__isnull=False).select_related("procurement"))
    assert len(contracts) > 100  # the imported 2021 contracts and the demo's own
    undated = [c.contract_number for c in contracts if c.procurement.advertised_on is None]
    assert undated == []
    early = [
        (c.contract_number, c.procurement.advertised_on, c.signed_on)
        for c in contracts
        if c.signed_on < c.procurement.advertised_on
    ]
    assert early == []


def test_every_contract_starts_after_signing_and_ends_after_starting(db):
    wrong = [c.contract_number for c in Contract.objects.all() if not (c.signed_on <= c.starts_on <= c.ends_on)]
    assert wrong == []


def test_an_active_contract_has_an_awarded_and_concluded_procurement(db):
    active = Contract.objects.filter(status=ContractStatus.ACTIVE).select_related("procurement")
    assert active.exists()
    wrong = [
        (c.contract_number, c.procurement.status if c.procurement else None)
        for c in active
        if c.procurement is None or c.procurement.status != ProcurementStatus.CONCLUDED
    ]
    assert wrong == []


def test_a_procurement_with_a_contract_is_concluded(db):
    open_ones = Procurement.objects.filter(contracts__isnull=False).exclude(status=ProcurementStatus.CONCLUDED)
    assert list(open_ones.values_list("registry_number", flat=True).distinct()) == []


def test_a_strategy_approved_in_time_was_approved_before_the_notice(db):
    """The procurement that went the whole way in Kravspår (not an imported one, whose
    strategy was retrofitted after signing) had its strategy approved before it was advertised."""
    for procurement in Procurement.objects.filter(advertised_on__isnull=False).exclude(source__startswith="Upph"):
        approved = procurement.strategies.filter(status=StrategyStatus.APPROVED).get()
        assert timezone.localdate(approved.approved_at) < procurement.advertised_on, procurement.registry_number


def test_follow_ups_and_deviations_fall_within_their_contract(db):
    early_activities = Activity.objects.filter(due_on__lt=F("contract__starts_on"))
    assert list(early_activities.values_list("contract__contract_number", "due_on")) == []
    early_deviations = Deviation.objects.filter(raised_on__lt=F("contract__signed_on"))
    assert list(early_deviations.values_list("contract__contract_number", "raised_on")) == []


def test_environmental_goals_carry_their_programmes_real_validity(db):
    goals = EnvironmentalGoal.objects.select_related("organisation")
    assert goals.exists()
    for goal in goals:
        key = (goal.organisation.org_number, goal.programme)
        assert key in PROGRAMMES, key
        assert (goal.valid_from, goal.valid_to) == PROGRAMMES[key], key
    # The five target areas of Västmanland's programme 2018–2022 with their published targets.
    old = goals.filter(programme="Miljöprogram 2018–2022")
    assert old.count() == 5 and old.filter(title__contains="32 %").exists()


def test_region_sormlands_postal_and_visiting_addresses(db):
    sormland = Organisation.objects.get(org_number="2321000032")
    assert (sormland.street_address, sormland.postal_code, sormland.city) == ("", "611 88", "Nyköping")
    assert sormland.supplier_contact.visiting_address == "Repslagargatan 19, Nyköping"
    # The Peppol buyer address in the demo invoices: the right street and the postal code.
    assert (REGION_SORMLAND.street, REGION_SORMLAND.postal_code, REGION_SORMLAND.city) == (
        "Repslagargatan 19",
        "61188",
        "Nyköping",
    )
    html = Client().get("/leverantorsinformation/").content.decode()
    assert "611 88 Nyköping" in html and "Repslagargatan 19" in html
    assert "Repslagaregatan" not in html
