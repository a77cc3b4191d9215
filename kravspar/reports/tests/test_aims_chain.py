"""KPIs per aim go all the way: requirements → follow-ups → deviations → sanctions, each
counted through the requirement's aims; a deviation whose requirement names no aim (or an
invoice deviation without a requirement) counts under the aim its kind belongs to."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from kravspar.findings.models import Decision, Deviation, Sanction, SanctionKind, Severity
from kravspar.reports.tests.conftest import period, requirement, today
from kravspar.reports.tests.test_dashboard import dashboard_for


def deviation(contract: Any, title: str, *, kind: str, req: Any = None) -> Deviation:
    return Deviation.objects.create(
        contract=contract, requirement=req, kind=kind, severity=Severity.MAJOR, title=title, raised_on=today()
    )


def counts(world: Any, key: str) -> tuple[int, int]:
    row = next(r for r in dashboard_for(world.officer).aims if r.key == key)
    return row.counts["deviations"], row.counts["sanctions"]


def test_deviations_and_sanctions_count_through_the_requirements_aims(world: Any, data: Any) -> None:
    price = requirement(data.contract_sl, "Fasta priser", "economy", [1])
    over = deviation(data.contract_sl, "Pris över avtalat", kind="economy", req=price)
    sanction = Sanction.objects.create(
        contract=data.contract_sl,
        decision=Decision.APPLY,
        kind=SanctionKind.FINE,
        amount=Decimal(500),
        decided_on=today(),
    )
    sanction.deviations.set([over])
    assert counts(world, "1") == (1, 1)
    # The fixture's labour deviation has no requirement: its kind places it under aim 4;
    # the existing fine decided on no deviation concerns no aim.
    assert counts(world, "4") == (1, 0)
    assert counts(world, "3") == (1, 0)  # the environment deviation, by its kind


def test_an_invoice_deviation_without_a_requirement_counts_under_economy(world: Any, data: Any) -> None:
    deviation(data.contract_vm, "Fakturerat efter avtalstid", kind="economy")
    deviation(data.contract_vm, "Fel leveransadress", kind="quality")  # quality serves no aim by itself
    assert counts(world, "1") == (1, 0)
    assert sum(counts(world, str(aim))[0] for aim in range(1, 7)) == 3  # labour, environment, economy


def test_a_requirement_serving_two_aims_counts_under_both(world: Any, data: Any) -> None:
    req = requirement(data.contract_vm, "Lokala råvaror och schysta villkor", "social", [4, 6])
    raised = deviation(data.contract_vm, "Saknad uppförandekod", kind="social", req=req)
    fine = Sanction.objects.create(
        contract=data.contract_vm, decision=Decision.WAIVE, kind=SanctionKind.FINE, decided_on=today()
    )
    fine.deviations.set([raised])
    assert counts(world, "6") == (1, 1)
    assert counts(world, "4") == (2, 1)  # and the fixture's labour deviation


def test_the_aim_table_links_each_count_to_its_records(world: Any, data: Any, client_for: Any) -> None:
    price = requirement(data.contract_sl, "Fasta priser", "economy", [1])
    over = deviation(data.contract_sl, "Pris över avtalat", kind="economy", req=price)
    sanction = Sanction.objects.create(
        contract=data.contract_sl,
        decision=Decision.APPLY,
        kind=SanctionKind.FINE,
        amount=Decimal(500),
        decided_on=today(),
    )
    sanction.deviations.set([over])
    client = client_for(world.officer)
    html = client.get(reverse("reports:dashboard"), period()).content.decode()
    assert "avvikelser/?" in html and "aim=1" in html
    listed = client.get(reverse("reports:records", args=["avvikelser"]), period() | {"aim": "1"})
    assert [d.title for d in listed.context["page"].object_list] == ["Pris över avtalat"]
    listed = client.get(reverse("reports:records", args=["sanktioner"]), period() | {"aim": "1"})
    assert [s.pk for s in listed.context["page"].object_list] == [sanction.pk]
    assert client.get(reverse("reports:records", args=["sanktioner"]), {"aim": "9"}).status_code == 404
