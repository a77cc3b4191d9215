"""Demo: a simulated current year, dated from the day the demo is loaded.

The regions' imported 2021 contracts have mostly expired and ``RV-2025-0107`` is one
contract: on their own they leave the work lists, reminders, calendar and this year's
dashboard empty on most days. Here each region runs a dozen framework agreements of
different tiers and characters (goods and services; tier A, B and C), each awarded to
several suppliers, one contract per supplier: about 140 live contracts whose delivery
started on days spread over the last fourteen months. Everything is relative to ``today``,
so whichever day the demo is loaded:

- past follow-ups are mostly done (some late), a few are still open and so overdue;
- follow-ups fall due in the coming days, for Inköp and for both orderer personas
  (their clinics' quality follow-ups go to them as the units' follow-up contacts);
- deviations stand at every stage: reported by an orderer and waiting for Inköp, open,
  under an action plan, past the plan's deadline, fixed in time or late and closed,
  not fixed with a fine decided or a fine waived.

Everything goes through the services (history included); plans are made by the planner in
bulk when each contract is registered. Idempotent: nothing is done when the simulated
year's procurements exist (their registry numbers are the ``-08NN`` series)."""

from __future__ import annotations

import datetime
import zlib
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from kravspar.accounts.models import User
from kravspar.contracts.models import Contract
from kravspar.core.dates import add_months
from kravspar.cpv.models import CpvCode
from kravspar.findings import services as finding_services
from kravspar.followups import services as followup_services
from kravspar.followups.models import Activity, ActivityStatus, Outcome
from kravspar.organisations.models import Organisation, Unit
from kravspar.procurements import demo_chain, policy
from kravspar.procurements import services as procurement_services
from kravspar.procurements.models import Aim, Procurement
from kravspar.requirements import services as requirement_services
from kravspar.requirements.models import Requirement
from kravspar.suppliers import services as supplier_services
from kravspar.suppliers.models import Supplier

SORMLAND, VASTMANLAND = "2321000032", "2321000172"
# The simulated year's registry numbers: R?-<year>-08NN. Other demo cases use other series.
SERIES_REGEX = r"^R[SV]-[0-9]{4}-08[0-9][0-9]$"
NOON = datetime.time(12)


@dataclass(frozen=True)
class Agreement:
    region: str
    unit: str  # the ordering unit that uses it (its follow-up contact gets the quality follow-ups)
    title: str
    kind: str  # goods or services
    cpv: str
    criticality: int
    supply_risk: int
    value: int  # estimated value of the whole framework agreement (SEK)
    suppliers: int  # how many suppliers were awarded: one contract each


SURGERY = "Mälarsjukhuset, kirurgkliniken"
KITCHEN = "Nyköpings lasarett, kök och restaurang"
ORTHOPAEDICS = "Västmanlands sjukhus, ortopedkliniken"
TRANSIT = "Kollektivtrafikförvaltningen"

AGREEMENTS: tuple[Agreement, ...] = (
    Agreement(
        SORMLAND, SURGERY, "Medicinska förbrukningsartiklar för operation", "goods", "33140000", 3, 3, 60_000_000, 14
    ),
    Agreement(SORMLAND, SURGERY, "Kirurgiska instrument", "goods", "33169000", 3, 3, 30_000_000, 10),
    Agreement(SORMLAND, SURGERY, "Förbandsartiklar och sårvård", "goods", "33141110", 2, 2, 12_000_000, 12),
    Agreement(SORMLAND, SURGERY, "Tvätt och textilservice", "services", "98310000", 2, 3, 25_000_000, 8),
    Agreement(SORMLAND, KITCHEN, "Livsmedel – frukt och grönsaker", "goods", "15300000", 2, 2, 8_000_000, 10),
    Agreement(SORMLAND, SURGERY, "Kontorsmaterial", "goods", "30192000", 1, 1, 2_000_000, 10),
    Agreement(SORMLAND, SURGERY, "Städning av vårdcentraler", "services", "90919200", 2, 3, 20_000_000, 10),
    Agreement(VASTMANLAND, ORTHOPAEDICS, "Ortopediska implantat", "goods", "33183000", 3, 3, 80_000_000, 14),
    Agreement(
        VASTMANLAND, ORTHOPAEDICS, "Service av medicinteknisk utrustning", "services", "50421000", 3, 2, 20_000_000, 8
    ),
    Agreement(
        VASTMANLAND, ORTHOPAEDICS, "Engångshandskar och skyddsutrustning", "goods", "18424300", 2, 3, 10_000_000, 12
    ),
    Agreement(
        VASTMANLAND, TRANSIT, "Sjukresor och särskild persontransport", "services", "60130000", 2, 2, 40_000_000, 10
    ),
    Agreement(VASTMANLAND, ORTHOPAEDICS, "IT-konsulter för vårdens system", "services", "72000000", 1, 1, 5_000_000, 8),
    Agreement(VASTMANLAND, ORTHOPAEDICS, "Laboratoriereagenser", "goods", "33696500", 2, 2, 15_000_000, 12),
)

# How often the ordering unit checks delivery quality, by tier (SKR's tiering: three
# meetings a year at the top, one in the middle, every second year at the bottom; the demo
# checks tier C yearly so that it has something to show).
QUALITY_INTERVAL = {"A": 3, "B": 6, "C": 12}

SUPPLIER_WORDS = (
    "Mälardalens",
    "Sörmlands",
    "Västerås",
    "Nyköpings",
    "Köpings",
    "Eskilstuna",
    "Katrineholms",
    "Sala",
    "Strängnäs",
    "Arboga",
    "Fagersta",
    "Flens",
    "Oxelösunds",
    "Hallstahammars",
)
COLLECTIVE_AGREEMENT = {"goods": "Tjänstemannaavtalet", "services": "Serviceentreprenadavtalet"}
SUPPLIER_TRADES = {"goods": "Medicinteknik", "services": "Service"}


def _supplier_org_number(number: int) -> str:
    base = f"5599{number:05d}"  # fictional numbers in one block, each with a valid check digit
    return base + luhn.calc_check_digit(base)


def _suppliers(agreement_index: int, agreement: Agreement) -> list[Supplier]:
    suppliers = []
    for k in range(agreement.suppliers):
        number = agreement_index * 100 + k
        org_number = _supplier_org_number(number)
        supplier = Supplier.objects.filter(org_number=org_number).first()
        if supplier is None:
            word = SUPPLIER_WORDS[(agreement_index + k) % len(SUPPLIER_WORDS)]
            supplier = supplier_services.supplier_create(
                actor=None,
                name=f"{word} {SUPPLIER_TRADES[agreement.kind]} {agreement_index + 1}{chr(ord('A') + k)} AB",
                org_number=org_number,
                size_class=("small", "medium", "large")[k % 3],
                collective_agreement="agreement_like" if k % 4 == 3 else "agreement",
                collective_agreement_name="" if k % 4 == 3 else COLLECTIVE_AGREEMENT[agreement.kind],
                f_tax=True,
            )
        suppliers.append(supplier)
    return suppliers


def _tier(agreement: Agreement) -> str:
    sketch = Procurement(
        estimated_value=agreement.value, criticality=agreement.criticality, supply_risk=agreement.supply_risk
    )
    return str(policy.computed_tier(sketch) or "B")


def _start_offset(index: int) -> int:
    """Days before today that contract number ``index`` started delivering: spread over
    about fourteen months, so that its follow-ups fall on every day of the simulated year."""
    return 20 + (index * 37) % 430


def _procurement(
    agreement: Agreement,
    number: str,
    *,
    buyer: Organisation,
    unit: Unit,
    officer: User,
    approver: User,
    advertised: datetime.date,
) -> Procurement:
    procurement = procurement_services.procurement_create(
        actor=None,
        buyers=[buyer],
        ordering_units=[unit],
        registry_number=number,
        title=agreement.title,
        description="Ramavtal med flera leverantörer, ett avtal per leverantör.",
        kind=agreement.kind,
        procedure="open",
        agreement_type="framework",
        officer=officer,
        cpv_main=CpvCode.objects.filter(code=agreement.cpv).first(),
        estimated_value=agreement.value,
        duration_months=48,
        criticality=agreement.criticality,
        supply_risk=agreement.supply_risk,
    )
    demo_chain.assess_aims_and_goals(
        procurement,
        relevant=(Aim.ECONOMY, Aim.WORKING_CONDITIONS, Aim.SUSTAINABILITY),
        how="Krav och uppföljning enligt strategin.",
        not_relevant="Berörs inte av det som köps.",
        goals_addressed=True,
        goals_how="Miljökrav i kravspecifikationen.",
    )
    tier = _tier(agreement)
    quality = requirement_services.requirement_add(
        actor=None,
        procurement=procurement,
        title="Leveranskvalitet och reklamationer",
        type="quality",
        text="Leveranserna ska hålla avtalad kvalitet; reklamationer åtgärdas inom fem arbetsdagar.",
        aims=[1],
    )
    chains: list[Requirement] = []
    if agreement.kind == "services":
        chain_plan: tuple[list[str], list[int]] = (["self_assessment", "desk_audit"], [3, 12])
        chains = _labour_conditions(procurement)
        if not chains:
            chains = [
                requirement_services.requirement_add(
                    actor=None,
                    procurement=procurement,
                    title="Lön, semester och arbetstid enligt kollektivavtal",
                    type="labour",
                    text="Villkor minst enligt tillämpligt centralt kollektivavtal, även hos underleverantörer.",
                    binds_subcontractors=True,
                    aims=[4],
                )
            ]
    else:
        chains = [
            requirement_services.requirement_add(
                actor=None,
                procurement=procurement,
                title="Uppförandekod för leverantörer",
                type="social",
                text="Regionernas gemensamma uppförandekod för leverantörer, i hela leveranskedjan.",
                binds_subcontractors=True,
                aims=[3, 4],
            )
        ]
        chain_plan = (["self_assessment"], [6])
    procurement_services.strategy_entry_set(
        actor=None,
        procurement=procurement,
        requirement=quality,
        methods=["supplier_meeting", "spot_check"],
        timing="recurring",
        interval_months=QUALITY_INTERVAL.get(tier, 6),
        change_reason="Kvaliteten följs upp av kliniken med den frekvens avtalets nivå anger.",
    )
    for chain in chains:
        procurement_services.strategy_entry_set(
            actor=None,
            procurement=procurement,
            requirement=chain,
            methods=chain_plan[0],
            timing="at_months",
            at_months=chain_plan[1],
            change_reason="Leveranskedjan kontrolleras tidigt i avtalet och sedan efter ett år.",
        )
    return demo_chain.approve_and_award(
        procurement,
        officer=officer,
        approver=approver,
        approved_at=datetime.datetime.combine(advertised - datetime.timedelta(days=14), NOON, tzinfo=datetime.UTC),
        submitted_before=datetime.timedelta(days=2),
        advertised=advertised,
    )


def _labour_conditions(procurement: Procurement) -> list[Requirement]:
    """LOU 17 kap. 2–5 §§: where the labour app finds a labour-intensive service above the
    EU threshold, record the needs assessment (conditions needed, the sector's agreement)
    and set the three conditions. Returns their requirements, to be followed up."""
    if not apps.is_installed("kravspar.labour"):
        return []
    from kravspar.labour import policy as labour_policy
    from kravspar.labour import services as labour_services

    if not labour_policy.facts(procurement).assessment_required:
        return []
    agreements = labour_policy.agreements_for(procurement)
    labour_services.assessment_record(
        actor=None,
        procurement=procurement,
        decision="needed" if agreements else "not_needed",
        reason=(
            "Arbetsintensiv tjänst som utförs i Sverige, över EU:s tröskelvärde."
            if agreements
            else "Inget centralt kollektivavtal för sektorn; villkoren följs upp genom uppförandekoden."
        ),
        work_location="sweden",
        agreement=agreements[0] if agreements else None,
    )
    if not agreements:
        return []
    items = labour_services.conditions_set(actor=None, procurement=procurement, agreement=agreements[0])
    return [item.requirement for item in items]


def _actor_for(activity: Activity, officer: User, people: dict[int, User]) -> User:
    # The orderer carries out the clinic's own follow-ups; Inköp the rest. One object per
    # person, so that their roles are read once (access.roles_of keeps them on the object).
    person = activity.responsible_person
    if person is None or not person.is_active:
        return officer
    return people.setdefault(person.pk, person)


def _deviation(
    activity: Activity, *, stage: int, actor: User, officer: User, raised: datetime.date, today: datetime.date
) -> None:
    """One deviation found at ``activity``, taken to ``stage`` (see the module's list)."""
    reported_by_orderer = stage == 0 and actor != officer
    deviation = finding_services.deviation_raise(
        actor=actor if reported_by_orderer else officer,
        activity=activity,
        severity="major" if stage in (3, 4, 5, 6, 7) else "minor",
        title="Leveransen avvek från avtalet",
        description="Uppföljningen visade brister som leverantören ska rätta.",
        raised_on=raised,
    )
    followup_services.activity_complete(
        actor=actor,
        activity=activity,
        outcome=Outcome.DEVIATIONS,
        note="Brister hittades; avvikelsen är registrerad.",
        today=raised,
    )
    if stage in (0, 1):
        return  # waiting for Inköp's assessment, or open without an action plan yet
    deadline = raised + datetime.timedelta(days=30)
    finding_services.action_plan_agree(
        actor=officer,
        deviation=deviation,
        expected_version=None,
        deadline=deadline,
        items=[("Rätta bristen och visa underlag", deadline)],
        agreed_on=raised,
    )
    if stage in (2, 3):
        return  # under the plan: before the deadline (2) or past it, a decision needed (3)
    deviation.refresh_from_db()
    finding_services.action_plan_record_response(
        actor=officer, deviation=deviation, expected_version=None, supplier_response="Åtgärdat enligt planen."
    )
    deviation.refresh_from_db()
    fixed = stage in (4, 5)
    verified_on = deadline - datetime.timedelta(days=5) if stage == 4 else deadline + datetime.timedelta(days=9)
    finding_services.action_plan_verify(
        actor=officer,
        deviation=deviation,
        expected_version=None,
        fixed=fixed,
        note="Underlaget visar att bristen är rättad." if fixed else "Bristen kvarstår.",
        verified_on=min(verified_on, today),
    )
    deviation.refresh_from_db()
    decided_on = min(deadline + datetime.timedelta(days=14), today)
    if stage == 5:
        # Fixed, but after the deadline: Inköp must decide on the fine before closing.
        finding_services.sanction_decide(
            actor=officer,
            contract=activity.contract,
            deviations=[deviation],
            decision="waive",
            reason="Rättat nio dagar efter tidsfristen och fullständigt; vite vore oproportionerligt.",
            decided_on=decided_on,
        )
        deviation.refresh_from_db()
    if fixed:
        finding_services.deviation_close(actor=officer, deviation=deviation, expected_version=None, note="Åtgärdad.")
        return
    if stage == 6:
        finding_services.sanction_decide(
            actor=officer,
            contract=activity.contract,
            deviations=[deviation],
            decision="apply",
            kind="fine",
            clause="Vite per påbörjad vecka enligt avtalets allmänna villkor",
            reason="Åtgärdsplanen hölls inte.",
            decided_on=decided_on,
        )
    else:
        finding_services.sanction_decide(
            actor=officer,
            contract=activity.contract,
            deviations=[deviation],
            decision="waive",
            reason="Leverantören rättade bristen strax efter tidsfristen; vite vore oproportionerligt.",
            decided_on=decided_on,
        )


def _record(
    contract: Contract,
    officer: User,
    today: datetime.date,
    counter: list[int],
    reporters: set[int],
    people: dict[int, User],
) -> None:
    """Carry out the contract's past follow-ups as the simulated year went: most on time,
    some late, some still open (overdue); one in about eight finds a deviation."""
    past = list(
        Activity.objects.filter(contract=contract, due_on__lt=today, status=ActivityStatus.PLANNED)
        .select_related("contract", "requirement", "responsible_person")
        .order_by("due_on", "id")
    )
    for activity in past:
        spread = zlib.crc32(f"{contract.contract_number}/{activity.requirement_id}/{activity.occurrence}".encode())
        age = (today - activity.due_on).days
        if spread % 9 == 0 or (age <= 21 and spread % 3 == 0):
            continue  # not carried out yet: overdue
        actor = _actor_for(activity, officer, people)
        activity = followup_services.activity_start(actor=actor, activity=activity)
        if spread % 11 == 1:
            continue  # started, not finished: overdue and in progress
        late = 10 + spread % 40 if spread % 5 == 0 else 0
        done_on = min(activity.due_on + datetime.timedelta(days=late) - datetime.timedelta(days=spread % 4), today)
        # Found 30 days ago or less: its plan's 30-day deadline has not passed yet. Older ones
        # are at least a day past it, so a fine has a started week to count (stage 6).
        recent = (today - done_on).days <= 30
        # More found lately, so that this year's figures have deviations past their deadline
        # early in the year too.
        if spread % 8 == 2 or ((today - done_on).days < 75 and spread % 4 == 1):
            # Found lately: reported by the orderer (0), open (1) or under a plan (2); found
            # earlier: past the plan's deadline (3), fixed in time (4) or late (5), not fixed
            # and fined (6) or the fine waived (7).
            counter[0] += 1
            if recent:
                # Each orderer has reported one lately (and every second one after that).
                first = actor != officer and actor.pk not in reporters
                stage = 0 if first or (actor != officer and counter[0] % 2 == 0) else 1 + counter[0] % 2
                reporters.add(actor.pk)
            else:
                stage = 3 + counter[0] % 5
            _deviation(activity, stage=stage, actor=actor, officer=officer, raised=done_on, today=today)
            continue
        followup_services.activity_complete(
            actor=actor, activity=activity, outcome=Outcome.COMPLIANT, note="", today=done_on
        )


def already_seeded() -> bool:
    return Procurement.objects.filter(registry_number__regex=SERIES_REGEX).exists()


@transaction.atomic
def seed_year(*, today: datetime.date | None = None) -> int:
    """Make the simulated year. Returns how many contracts were registered (0 if it exists)."""
    if already_seeded():
        return 0
    today = today or timezone.localdate()
    officer = User.objects.get(username="inkopare")
    approver = User.objects.get(username="inkopare2")
    regions = {o.org_number: o for o in Organisation.objects.filter(org_number__in=[SORMLAND, VASTMANLAND])}
    made = 0
    counter = [0]
    reporters: set[int] = set()
    people: dict[int, User] = {officer.pk: officer}
    for index, agreement in enumerate(AGREEMENTS):
        buyer = regions[agreement.region]
        unit = Unit.objects.get(organisation=buyer, name=agreement.unit)
        offsets = [_start_offset(made + k) for k in range(agreement.suppliers)]
        # The first supplier's clinic checks its quality in the coming days, whatever the day:
        # it started one quality interval before four days from now (month ends move it at
        # most three days earlier).
        interval = QUALITY_INTERVAL.get(_tier(agreement), 6)
        offsets[0] = (today - add_months(today + datetime.timedelta(days=4), -interval)).days
        first_start = today - datetime.timedelta(days=max(offsets))
        advertised = first_start - datetime.timedelta(days=120)
        prefix = "RS" if agreement.region == SORMLAND else "RV"
        number = f"{prefix}-{advertised.year}-{800 + index:04d}"
        procurement = _procurement(
            agreement, number, buyer=buyer, unit=unit, officer=officer, approver=approver, advertised=advertised
        )
        suppliers = _suppliers(index, agreement)
        for k, (supplier, offset) in enumerate(zip(suppliers, offsets, strict=True)):
            starts = today - datetime.timedelta(days=offset)
            signed = max(starts - datetime.timedelta(days=30), advertised + datetime.timedelta(days=60))
            contract, procurement = demo_chain.contract_from_award(
                procurement,
                suppliers=[supplier],
                buyers=[buyer],
                contract_number=f"{number}-{k + 1:02d}",
                title=f"{agreement.title} – {supplier.name}"[:300],
                signed_on=signed,
                starts_on=starts,
                ends_on=starts + datetime.timedelta(days=4 * 365),
                extension_options=2,
                extension_months=12,
                value=agreement.value // agreement.suppliers,
                fine_per_week=2_000 if agreement.value < 20_000_000 else 5_000,
                fine_cap_weeks=10,
                termination_grounds="Väsentligt avtalsbrott som inte rättas inom 30 dagar.",
            )
            _record(contract, officer, today, counter, reporters, people)
            made += 1
    return made
