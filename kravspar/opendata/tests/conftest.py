"""Data for the open-data stories: a published joint procurement of cleaning with a
signed contract, its generated follow-up plan, follow-ups done, deviations with and
without an agreed action plan, a subcontractor, evidence, notes; a contract registered
directly with a sole trader; and a procurement still in planning.

The secrets planted here (names, e-mails, notes, file names) must never reach the
export; ``SECRETS`` lists them for the withholding tests.

No test may touch the network: ``_no_network`` makes any attempt fail loudly."""

from __future__ import annotations

import datetime
import json
import socket
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from kravspar.contracts.models import Contract, ContractRequirement, Subcontractor
from kravspar.cpv.models import CpvCode
from kravspar.findings import services as findings
from kravspar.findings.models import Deviation, Severity
from kravspar.followups import services as followups
from kravspar.followups.models import Activity, Evidence, Outcome
from kravspar.followups.planning import plan_contract
from kravspar.procurements.models import AimAssessment, Procurement, ProcurementStatus, Strategy, StrategyStatus
from kravspar.requirements.models import Requirement
from kravspar.testing.factories import SupplierFactory

D = datetime.date
TODAY = D(2026, 9, 1)

# An organisation number (third digit 2 or more) and a personal identity number, both
# with a valid check digit.
SUPPLIER_ORGNR = "5560125790"
SOLE_TRADER_PNR = "8112189876"

SECRETS = {
    "subcontractor": "Hemliga Underleverantören AB",
    "subcontractor_orgnr": "5565990289",
    "officer_first": "Olivia",
    "officer_last": "Officersdotter",
    "officer_email": "olivia.officersdotter@regionsormland.se",
    "responsible_first": "Rasmus",
    "responsible_last": "Ansvarigsson",
    "evidence_name": "lonespecifikationer-mars.pdf",
    "activity_note": "Intern anteckning: ring Karin på lagret",
    "open_deviation": "Avvikelse utan plan: lön under kollektivavtal",
    "open_deviation_description": "Beskrivning som inte får publiceras",
    "planned_deviation_title": "Fritext om avvikelsen med plan",
    "observation": "Observation om städvagnar",
    "plan_response": "Leverantörens svar: vi betalar ut mellanskillnaden",
    "aim_how": "Intern motivering av målet",
    "planning_title": "Hemlig upphandling under planering",
    "sole_trader_pnr": SOLE_TRADER_PNR,
    "sole_trader_street": "Hemgatan 12",
    "sanction_reason": "Vitet tas ut eftersom leverantören inte svarade",
}


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation must be offline: any attempt to open a connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@dataclass
class Scenario:
    procurement: Procurement
    contract: Contract
    direct: Contract
    planning: Procurement
    supplier: Any
    sole_trader: Any
    published_deviation: Deviation
    open_deviation: Deviation
    observation: Deviation


def make_contract(
    *,
    number: str,
    buyers: list[Any],
    suppliers: list[Any],
    procurement: Procurement | None = None,
    value: int | None = 12_000_000,
    requirements: list[dict[str, Any]] | None = None,
) -> Contract:
    contract = Contract.objects.create(
        procurement=procurement,
        contract_number=number,
        title="Städtjänster",
        signed_on=D(2025, 12, 15),
        starts_on=D(2026, 1, 1),
        ends_on=D(2027, 12, 31),
        extension_options=2,
        extension_months=12,
        value=Decimal(value) if value is not None else None,
        termination_grounds="Väsentligt avtalsbrott, § 14.",
    )
    contract.buyers.set(buyers)
    contract.suppliers.set(suppliers)
    specs = requirements or [
        {
            "title": "Städkvalitet",
            "type": "quality",
            "methods": ["spot_check"],
            "timing": "recurring",
            "interval_months": 6,
            "responsible": "ordering_unit",
        },
        {
            "title": "Arbetsrättsliga villkor",
            "type": "labour",
            "methods": ["self_assessment"],
            "timing": "at_start",
            "responsible": "purchasing",
        },
    ]
    for position, spec in enumerate(specs):
        ContractRequirement.objects.create(
            contract=contract, position=position, text=f"Krav: {spec['title']}", **dict(spec)
        )
    return contract


@pytest.fixture
def scenario(world: Any, procurement: Procurement) -> Scenario:
    officer = world.officer
    type(officer).objects.filter(pk=officer.pk).update(
        first_name=SECRETS["officer_first"], last_name=SECRETS["officer_last"], email=SECRETS["officer_email"]
    )
    officer.refresh_from_db()
    world.orderer_vm.__class__.objects.filter(pk=world.orderer_vm.pk).update(
        first_name=SECRETS["responsible_first"], last_name=SECRETS["responsible_last"]
    )

    # The procurement was planned, approved and awarded (its own services are tested
    # elsewhere; here only the result matters).
    procurement.cpv_additional.set([CpvCode.objects.get(code="90911200")])
    for aim, relevant in ((1, True), (3, True), (4, True), (5, False), (6, True)):
        AimAssessment.objects.create(procurement=procurement, aim=aim, relevant=relevant, how=SECRETS["aim_how"])
    Requirement.objects.create(
        procurement=procurement, title="Arbetsrättsliga villkor", type="labour", text="Lön", aims=[4]
    )
    Strategy.objects.create(
        procurement=procurement,
        number=1,
        status=StrategyStatus.APPROVED,
        approved_by=officer,
        approved_at=datetime.datetime(2025, 10, 1, 10, 0, tzinfo=datetime.UTC),
        notes="Strateginoteringar",
    )
    Procurement.objects.filter(pk=procurement.pk).update(status=ProcurementStatus.CONCLUDED)
    procurement.refresh_from_db()

    supplier = SupplierFactory.create(name="Städbolaget AB", org_number=SUPPLIER_ORGNR, city="Eskilstuna")
    contract = make_contract(
        number="RS-2026-0142-1",
        procurement=procurement,
        buyers=[world.sormland, world.vastmanland],
        suppliers=[supplier],
    )
    subcontractor = Subcontractor.objects.create(
        contract=contract,
        supplier=supplier,
        name=SECRETS["subcontractor"],
        org_number=SECRETS["subcontractor_orgnr"],
        role="Fönsterputs",
    )
    plan_contract(contract, today=D(2026, 1, 1))

    # The start-up self-assessment was done, with a note and evidence.
    start = Activity.objects.get(contract=contract, requirement__title="Arbetsrättsliga villkor")
    Activity.objects.filter(pk=start.pk).update(responsible_person=world.orderer_vm)
    followups.activity_start(actor=officer, activity=start)
    Evidence.objects.create(
        activity=start,
        file="evidence/x/abc",
        original_name=SECRETS["evidence_name"],
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=officer,
    )
    start.refresh_from_db()

    published = findings.deviation_raise(
        actor=officer,
        activity=start,
        severity=Severity.MAJOR,
        title=SECRETS["planned_deviation_title"],
        description=SECRETS["open_deviation_description"],
        subcontractor=subcontractor,
        raised_on=D(2026, 2, 10),
    )
    # Done with "deviations found" once the deviation is recorded on it.
    followups.activity_complete(
        actor=officer, activity=start, outcome=Outcome.DEVIATIONS, note=SECRETS["activity_note"], today=D(2026, 2, 10)
    )
    start.refresh_from_db()
    findings.action_plan_agree(
        actor=officer,
        deviation=published,
        expected_version=None,
        agreed_on=D(2026, 2, 20),
        deadline=D(2026, 4, 30),
        items=[("Betala ut mellanskillnaden", None)],
        supplier_response=SECRETS["plan_response"],
    )
    published.refresh_from_db()
    open_deviation = findings.deviation_raise(
        actor=officer,
        activity=start,
        severity=Severity.CRITICAL,
        title=SECRETS["open_deviation"],
        description=SECRETS["open_deviation_description"],
        raised_on=D(2026, 2, 11),
    )
    observation = findings.deviation_raise(
        actor=officer, activity=start, severity=Severity.OBSERVATION, title=SECRETS["observation"]
    )

    sole_trader = SupplierFactory.create(
        name="Anna Fönsterputs", org_number=SOLE_TRADER_PNR, street_address=SECRETS["sole_trader_street"], city="Sala"
    )
    direct = make_contract(number="RV-2024-0009", buyers=[world.vastmanland], suppliers=[sole_trader], value=None)
    plan_contract(direct, today=D(2026, 1, 1))

    planning = Procurement.objects.create(
        registry_number="RS-2026-0999", title=SECRETS["planning_title"], kind="goods", officer=officer
    )
    planning.buyers.set([world.sormland])
    return Scenario(
        procurement=procurement,
        contract=contract,
        direct=direct,
        planning=planning,
        supplier=supplier,
        sole_trader=sole_trader,
        published_deviation=published,
        open_deviation=open_deviation,
        observation=observation,
    )


@pytest.fixture
def export(tmp_path: Any) -> Any:
    """export(*args) -> the package written by ``export_ocds`` with those arguments."""

    def run(*args: str) -> dict[str, Any]:
        path = tmp_path / "ocds.json"
        call_command("export_ocds", "--output", str(path), *args, stdout=_Sink(), stderr=_Sink())
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)  # type: ignore[no-any-return]

    return run


class _Sink:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def release_for(package: dict[str, Any], ocid_suffix: str) -> dict[str, Any]:
    matches = [r for r in package["releases"] if r["ocid"].endswith(ocid_suffix)]
    assert len(matches) == 1, [r["ocid"] for r in package["releases"]]
    return matches[0]
