"""Demo data for follow-up: one cleaning contract in Region Västmanland that went the whole
way — planned, strategy approved by a second officer, advertised, awarded, signed — with a
generated plan, follow-ups done, and two major deviations whose action-plan deadlines
passed: one fine decided and one waived. Everything goes through the services."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from kravspar.accounts.models import User
from kravspar.contracts import services as contract_services
from kravspar.contracts.models import Contract
from kravspar.cpv.models import CpvCode
from kravspar.findings import services as finding_services
from kravspar.findings.models import Deviation
from kravspar.followups import services as followup_services
from kravspar.followups.models import Activity, ActivityStatus, Outcome
from kravspar.followups.planning import plan_contract
from kravspar.labour import demo as labour_demo
from kravspar.organisations.models import Organisation, Unit
from kravspar.procurements import policy
from kravspar.procurements import services as procurement_services
from kravspar.procurements.models import Aim, Procurement, ProcurementStatus, Strategy, StrategyStatus
from kravspar.requirements import services as requirement_services
from kravspar.suppliers import services as supplier_services
from kravspar.suppliers.models import Supplier

NUMBER = "RV-2025-0107"
_BASE = "556701234"
SUPPLIER_ORG_NUMBER = _BASE + luhn.calc_check_digit(_BASE)  # fictional, with a valid check digit
NOON = datetime.time(12)


def _done(actor: User, activity: Activity, outcome: str, note: str) -> None:
    activity = followup_services.activity_start(actor=actor, activity=activity)
    followup_services.activity_complete(actor=actor, activity=activity, outcome=outcome, note=note)


@transaction.atomic
def seed_followup(orgs: dict[str, Organisation], *, today: datetime.date | None = None) -> Contract | None:
    if Contract.objects.filter(contract_number=NUMBER).exists():
        return None
    today = today or timezone.localdate()
    vastmanland = orgs["2321000172"]
    ingrid = User.objects.get(username="inkopare")
    ingvar = User.objects.get(username="inkopare2")
    ward = Unit.objects.get(organisation=vastmanland, name="Västmanlands sjukhus, ortopedkliniken")

    procurement = procurement_services.procurement_create(
        actor=None,
        buyers=[vastmanland],
        ordering_units=[ward],
        registry_number=NUMBER,
        title="Städtjänster Västmanlands sjukhus Västerås",
        description="Lokalvård för vårdavdelningar och mottagningar. Demo: hela vägen från plan till uppföljning.",
        kind="services",
        procedure="open",
        agreement_type="contract",
        officer=ingrid,
        cpv_main=CpvCode.objects.get(code="90911200"),
        estimated_value=18_000_000,
        duration_months=36,
        criticality=2,
        supply_risk=3,
    )
    for aim in Aim:
        relevant = aim not in (Aim.ANIMAL_WELFARE,)
        how = "Krav och uppföljning enligt strategin." if relevant else "Inga animaliska produkter köps."
        procurement_services.aim_assess(actor=None, procurement=procurement, aim=aim.value, relevant=relevant, how=how)
    for goal in policy.goals_for(procurement):
        procurement_services.goal_assess(
            actor=None,
            procurement=procurement,
            goal=goal,
            addressed=True,
            how="Miljömärkta kemikalier, fossilfria fordon.",
        )
    quality = requirement_services.requirement_add(
        actor=None,
        procurement=procurement,
        title="Städkvalitet INSTA 800",
        type="quality",
        text="Städkvalitet enligt INSTA 800 kvalitetsnivå 3 i vårdlokaler.",
    )
    labour = requirement_services.requirement_add(
        actor=None,
        procurement=procurement,
        title="Lön, semester och arbetstid enligt kollektivavtal",
        type="labour",
        text="Villkor minst enligt Serviceentreprenadavtalet, även hos underleverantörer.",
        binds_subcontractors=True,
        aims=[4],
    )
    conduct = requirement_services.requirement_add(
        actor=None,
        procurement=procurement,
        title="Uppförandekod",
        type="social",
        text="Regionernas gemensamma uppförandekod för leverantörer.",
        binds_subcontractors=True,
        aims=[3, 4],
    )
    schedule = [
        (quality, ["spot_check"], "recurring", 3, []),
        (labour, ["self_assessment", "desk_audit"], "at_months", None, [3, 12]),
        (conduct, ["desk_audit"], "at_months", None, [6]),
    ]
    for requirement, methods, timing, interval, months in schedule:
        procurement_services.strategy_entry_set(
            actor=None,
            procurement=procurement,
            requirement=requirement,
            methods=methods,
            timing=timing,
            interval_months=interval,
            at_months=months,
            change_reason="Anpassat efter avtalets risker och beställarens resurser.",
        )
    labour_demo.assess_planned(procurement=procurement)  # LOU 17 kap.: the gate asks it
    procurement_services.strategy_submit(actor=ingrid, procurement=procurement)
    procurement_services.strategy_approve(actor=ingvar, procurement=procurement)
    # The story began well before today, but the services stamp today: date the approval
    # and the notice back so that approval < notice < signing, as it happened.
    signed = today - datetime.timedelta(days=400)
    advertised = signed - datetime.timedelta(days=120)
    approved_at = timezone.make_aware(datetime.datetime.combine(advertised - datetime.timedelta(days=14), NOON))
    Strategy.objects.filter(procurement=procurement, status=StrategyStatus.APPROVED).update(
        submitted_at=approved_at - datetime.timedelta(days=2), approved_at=approved_at
    )
    Procurement.objects.filter(pk=procurement.pk).update(advertised_on=advertised)
    for status in ("advertised", "evaluation", "awarded"):
        procurement_services.procurement_transition(actor=None, procurement=procurement, to=status)

    supplier = Supplier.objects.filter(org_number=SUPPLIER_ORG_NUMBER).first() or supplier_services.supplier_create(
        actor=None,
        name="Mälardalens Lokalvård AB",
        org_number=SUPPLIER_ORG_NUMBER,
        city="Västerås",
        county="19",
        municipality="Västerås",
        size_class="medium",
        collective_agreement="agreement",
        collective_agreement_name="Serviceentreprenadavtalet",
        f_tax=True,
    )
    contract = contract_services.contract_create_from_procurement(
        actor=None,
        procurement=procurement,
        suppliers=[supplier],
        buyers=[vastmanland],
        contract_number=NUMBER,
        title=procurement.title,
        signed_on=signed,
        starts_on=signed + datetime.timedelta(days=30),
        ends_on=signed + datetime.timedelta(days=30 + 3 * 365),
        extension_options=1,
        extension_months=12,
        value=18_000_000,
        fine_per_week=5_000,
        fine_cap_weeks=10,
        termination_grounds="Väsentligt avtalsbrott som inte rättas inom 30 dagar efter skriftlig anmärkning.",
    )
    procurement_services.procurement_transition(actor=None, procurement=procurement, to=ProcurementStatus.CONCLUDED)
    plan_contract(contract)

    past = list(Activity.objects.filter(contract=contract, due_on__lt=today).select_related("requirement"))
    deviations: list[Deviation] = []
    for activity in past:
        if activity.requirement.type == "labour" and len(deviations) < 2:
            # The deviation is recorded on the follow-up before it is marked as done.
            deviations.append(
                finding_services.deviation_raise(
                    actor=ingrid,
                    activity=activity,
                    severity="major",
                    title="Lönespecifikationer saknas för underleverantörens personal",
                    raised_on=min(activity.due_on + datetime.timedelta(days=7), today),
                )
            )
            _done(
                ingrid, activity, Outcome.DEVIATIONS, "Lönespecifikationer saknades för en underleverantörs personal."
            )
        elif activity.status == ActivityStatus.PLANNED and len(past) > 2:
            _done(ingrid, activity, Outcome.COMPLIANT, "")
    for deviation, decision in zip(deviations, ("apply", "waive"), strict=False):
        finding_services.action_plan_agree(
            actor=ingrid,
            deviation=deviation,
            expected_version=None,
            deadline=deviation.raised_on + datetime.timedelta(days=30),
            items=[("Lämna lönespecifikationer för tre månader", None)],
            agreed_on=deviation.raised_on,
        )
        deviation.refresh_from_db()
        if decision == "apply":
            finding_services.sanction_decide(
                actor=ingrid,
                contract=contract,
                deviations=[deviation],
                decision="apply",
                kind="fine",
                clause="Vite per påbörjad vecka enligt avtalets punkt 8.2",
                reason="Åtgärdsplanen hölls inte.",
            )
        else:
            finding_services.sanction_decide(
                actor=ingrid,
                contract=contract,
                deviations=[deviation],
                decision="waive",
                reason="Underlagen kom två dagar efter tidsfristen och var fullständiga.",
            )
    return contract
