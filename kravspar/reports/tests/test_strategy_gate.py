"""The strategy-gate KPI: procurements advertised in the period, counted as approved in time
only when a strategy version was approved on or before the day they were advertised.
Retrofitted strategies are counted apart, never as in time; procurements advertised on a
day nobody recorded are said to be unknown, not guessed."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse

from kravspar.contracts.models import Contract
from kravspar.procurements.models import Procurement, ProcurementStatus, Strategy, StrategyStatus
from kravspar.reports import figures
from kravspar.reports.scope import resolve

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# A winter period: Stockholm is UTC+1, so a local day and the UTC day differ around midnight.
FROM, TO = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)
ADVERTISED = datetime.date(2026, 2, 10)


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=STOCKHOLM)


def procurement(
    world: Any,
    number: str,
    *,
    advertised_on: datetime.date | None = ADVERTISED,
    approved_at: datetime.datetime | None = None,
    status: str = ProcurementStatus.AWARDED,
) -> Procurement:
    p = Procurement.objects.create(
        registry_number=number, title=number, kind="services", status=status, advertised_on=advertised_on
    )
    p.buyers.set([world.vastmanland])
    if approved_at is not None:
        Strategy.objects.create(procurement=p, number=1, status=StrategyStatus.APPROVED, approved_at=approved_at)
    return p


def gate(world: Any) -> figures.StrategyGate:
    scope = resolve(world.officer, key="", date_from=FROM, date_to=TO, today=datetime.date(2026, 4, 1))
    return figures.dashboard(scope).strategy_gate


def listed(client: Any, step: str) -> set[str]:
    url = reverse("reports:records", args=["upphandlingar"])
    response = client.get(url, {"from": FROM.isoformat(), "to": TO.isoformat(), "gate": step})
    assert response.status_code == 200
    return {p.registry_number for p in response.context["page"].object_list}


def test_a_strategy_approved_by_the_advertising_day_is_in_time(world: Any, client_for: Any) -> None:
    procurement(world, "BEFORE", approved_at=local(ADVERTISED - datetime.timedelta(days=30), 10))
    # 23:30 in Stockholm is 22:30 UTC the same day: still the advertising day.
    procurement(world, "SAME-DAY", approved_at=local(ADVERTISED, 23, 30))
    result = gate(world)
    assert (result.part, result.whole, result.retrofitted, result.missing) == (2, 2, 0, 0)
    assert listed(client_for(world.officer), "in_time") == {"BEFORE", "SAME-DAY"}


def test_a_strategy_approved_after_advertising_is_retrofitted_not_in_time(world: Any, client_for: Any) -> None:
    # 00:30 the next day in Stockholm is still the advertising day in UTC: the local day decides.
    procurement(world, "NEXT-DAY", approved_at=local(ADVERTISED + datetime.timedelta(days=1), 0, 30))
    procurement(world, "AFTER-CONTRACT", approved_at=local(ADVERTISED + datetime.timedelta(days=200), 9))
    procurement(world, "NONE")
    result = gate(world)
    assert (result.part, result.whole, result.retrofitted, result.missing) == (0, 3, 2, 1)
    assert result.percent == 0
    client = client_for(world.officer)
    assert listed(client, "retrofitted") == {"NEXT-DAY", "AFTER-CONTRACT"}
    assert listed(client, "missing") == {"NONE"}
    assert listed(client, "in_time") == set()


def test_a_later_version_approved_afterwards_does_not_undo_an_approval_in_time(world: Any) -> None:
    p = procurement(world, "V2", approved_at=local(ADVERTISED, 9))
    Strategy.objects.filter(procurement=p).update(status=StrategyStatus.SUPERSEDED)
    Strategy.objects.create(procurement=p, number=2, status=StrategyStatus.APPROVED, approved_at=local(TO, 9))
    assert (gate(world).part, gate(world).retrofitted) == (1, 0)


def test_the_period_is_the_advertising_day_not_the_day_it_was_created(world: Any) -> None:
    procurement(world, "ADVERTISED-LATER", advertised_on=TO + datetime.timedelta(days=1), approved_at=local(FROM, 9))
    early = procurement(world, "CREATED-EARLIER", approved_at=local(FROM, 9))
    Procurement.objects.filter(pk=early.pk).update(created_at=local(datetime.date(2025, 6, 1), 9))
    # Left planning in the period but not yet advertised: not in the figure.
    procurement(world, "NOT-YET", advertised_on=None, status=ProcurementStatus.STRATEGY_APPROVED)
    result = gate(world)
    assert (result.part, result.whole, result.unknown) == (1, 1, 0)


def test_an_unknown_advertising_day_is_said_to_be_unknown(world: Any, client_for: Any) -> None:
    imported = procurement(
        world, "IMPORTED", advertised_on=None, status=ProcurementStatus.CONCLUDED, approved_at=local(TO, 9)
    )
    contract = Contract.objects.create(
        contract_number="IMP-1",
        title="Importerat avtal",
        procurement=imported,
        signed_on=datetime.date(2021, 3, 1),
        starts_on=datetime.date(2021, 4, 1),
        ends_on=datetime.date(2027, 3, 31),
    )
    contract.buyers.set([world.vastmanland])
    procurement(world, "OLD", advertised_on=None, status=ProcurementStatus.EVALUATION)
    result = gate(world)
    assert (result.part, result.whole) == (0, 0)  # never guessed into the period
    assert (result.unknown, result.unknown_retrofitted) == (2, 1)
    client = client_for(world.officer)
    assert listed(client, "unknown") == {"IMPORTED", "OLD"}
    assert listed(client, "unknown_retrofitted") == {"IMPORTED"}


def test_the_dashboard_names_retrofitted_and_unknown(world: Any, client_for: Any) -> None:
    procurement(world, "LATE", approved_at=local(ADVERTISED + datetime.timedelta(days=3), 9))
    html = (
        client_for(world.officer)
        .get(reverse("reports:dashboard"), {"from": FROM.isoformat(), "to": TO.isoformat()})
        .content.decode()
    )
    assert "Efterhandsgodkänd" in html
    assert "gate=retrofitted" in html and "gate=unknown" in html
