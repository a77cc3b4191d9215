"""What `make run` shows beside people: the regions' environmental goals, their real 2021
procurements, and three procurements in planning, one waiting for a second officer."""

import datetime

import pytest
from django.core.management import call_command

from kravspar.accounts.models import User
from kravspar.audit.models import AuditEvent
from kravspar.core.errors import NotAllowedError
from kravspar.organisations.models import Organisation
from kravspar.procurements import policy, services
from kravspar.procurements.models import EnvironmentalGoal, Procurement, ProcurementStatus, StrategyStatus
from kravspar.procurements.statistics import SOURCE
from kravspar.suppliers.models import ProcurementSupplier, Supplier


def snapshot_counts():
    return tuple(
        model.objects.count()
        for model in (Organisation, Procurement, Supplier, ProcurementSupplier, EnvironmentalGoal, User, AuditEvent)
    )


def test_seed_demo_loads_goals_statistics_and_planning_once(db, capsys):
    call_command("seed_demo")
    first = snapshot_counts()
    call_command("seed_demo")
    assert snapshot_counts() == first

    sormland = Organisation.objects.get(org_number="2321000032")
    vastmanland = Organisation.objects.get(org_number="2321000172")
    assert Organisation.objects.count() == 2  # the statistics found both regions by number
    assert sormland.procurements.filter(source=SOURCE).count() == 70
    assert vastmanland.procurements.filter(source=SOURCE).count() == 61
    assert Supplier.objects.filter(source__startswith="Upphandlingsmyndigheten").count() == 209
    assert Supplier.objects.count() == 210  # and the demo contract's cleaning company

    assert vastmanland.environmental_goals.count() == 5
    assert sormland.environmental_goals.count() == 4
    assert set(EnvironmentalGoal.objects.values_list("valid_from", flat=True)) == {datetime.date(2024, 1, 1)}
    assert vastmanland.environmental_goals.filter(title__contains="32 %").exists()

    out = capsys.readouterr().out
    assert "inkopare2" in out and "Ingvar Inköpare" in out


@pytest.fixture
def seeded(db):
    call_command("seed_demo")


def test_three_procurements_in_planning_at_different_stages(seeded):
    planning = {p.registry_number: p for p in Procurement.objects.filter(status=ProcurementStatus.PLANNING)}
    assert set(planning) == {"RS-2026-0031", "RV-2026-0058", "RS-2026-0044"}
    assert policy.current_strategy(planning["RS-2026-0031"]) is None
    assert policy.current_strategy(planning["RV-2026-0058"]).status == StrategyStatus.DRAFT
    assert policy.strategy_gate_missing(planning["RV-2026-0058"])
    waiting = policy.current_strategy(planning["RS-2026-0044"])
    assert waiting.status == StrategyStatus.SUBMITTED
    assert waiting.submitted_by.username == "inkopare"
    assert {b.name for b in planning["RS-2026-0044"].buyers.all()} == {"Region Sörmland", "Region Västmanland"}


def test_the_second_officer_approves_what_the_first_submitted(seeded):
    transport = Procurement.objects.get(registry_number="RS-2026-0044")
    with pytest.raises(NotAllowedError):
        services.strategy_approve(actor=User.objects.get(username="inkopare"), procurement=transport)
    services.strategy_approve(actor=User.objects.get(username="inkopare2"), procurement=transport)
    transport.refresh_from_db()
    assert transport.status == ProcurementStatus.STRATEGY_APPROVED
