"""Demo data of labour-law conditions, called by ``seed_demo`` after the other demos, all
through the services and dated relative to the day it is loaded:

- a cleaning procurement of Region Västmanland and a construction procurement of Region
  Sörmland above the EU threshold, with the needs assessment "needed", the agreement and
  the three conditions; each has a contract whose follow-up has step 1 sent through the
  questionnaires (the labour self-declaration template, once for the supplier and once for
  its subcontractor), answered by the supplier's contact in the portal's questionnaire and
  accepted by the officer; step 2 requested for the subcontractor with payslips uploaded and
  reviewed per condition, one condition below the agreement's level (a deviation), and a
  union consultation;
- a second cleaning contract of Region Västmanland whose follow-up waits for the supplier:
  step 1 sent to the supplier for itself and its subcontractor, step 2 documents requested
  for the subcontractor on suspicion;
- a window-cleaning procurement below the threshold assessed "not needed", with its reason;
- a security procurement above the threshold with no needs assessment yet (the gate asks).

Logins: ``leverantor.stad`` (the cleaning company) and ``leverantor.bygg`` (the building
company). Idempotent: a procurement that exists is left alone.

``assess_planned`` is used by the other demos for their procurements in planning that the
gate now asks a needs assessment of."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.contracts import services as contract_services
from kravspar.core.demo_clock import told_from
from kravspar.cpv.models import CpvCode
from kravspar.labour import policy, services
from kravspar.labour.models import Condition, LabourFollowUp, NeedDecision, ReviewOutcome, SelfDeclaration, WorkLocation
from kravspar.organisations.models import Organisation
from kravspar.portal import services as portal_services
from kravspar.procurements import demo_chain
from kravspar.procurements import services as procurement_services
from kravspar.procurements.models import Aim, Procurement
from kravspar.questionnaires import services as questionnaire_services
from kravspar.questionnaires.demo import answers_by_prefix, submit_as_supplier
from kravspar.questionnaires.models import SupplierRequest
from kravspar.suppliers import services as supplier_services
from kravspar.suppliers.models import Supplier

NOON = datetime.time(12, 0)


@dataclass(frozen=True)
class Story:
    number: str
    title: str
    region: str  # org number
    kind: str
    cpv: str
    value: int
    supplier: str
    supplier_org: str
    contact: str
    contact_name: str
    subcontractor: str
    sub_role: str
    union: str
    deviation_condition: str
    # "done": step 1 answered, step 2 reviewed with one deviation; "waiting": step 1 asked
    # and step 2 requested for the subcontractor, nothing answered (the browser story's).
    stage: str = "done"


STORIES = [
    Story(
        number="RV-{year}-0731",
        title="Lokalvård vårdcentraler Västmanland",
        region="2321000172",
        kind="services",
        cpv="90910000",
        value=14_000_000,
        supplier="Västerås Städservice AB",
        supplier_org="5569001232",
        contact="leverantor.stad",
        contact_name="Sara Städ",
        subcontractor="Fönsterputsarna i Västerås AB",
        sub_role="Fönsterputs",
        union="Fastighetsanställdas Förbund",
        deviation_condition=Condition.WAGES,
    ),
    Story(
        number="RS-{year}-0732",
        title="Ombyggnad akutmottagning Mälarsjukhuset",
        region="2321000032",
        kind="works",
        cpv="45000000",
        value=85_000_000,
        supplier="Mälarbygg Entreprenad AB",
        supplier_org="5569012346",
        contact="leverantor.bygg",
        contact_name="Bo Bygg",
        subcontractor="Eskilstuna Ställningsbyggare AB",
        sub_role="Ställningsbygge",
        union="Svenska Byggnadsarbetareförbundet",
        deviation_condition=Condition.WORKING_HOURS,
    ),
]
STORIES.append(
    Story(
        number="RV-{year}-0734",
        title="Lokalvård Köpings lasarett",
        region="2321000172",
        kind="services",
        cpv="90910000",
        value=9_000_000,
        supplier="Västerås Städservice AB",
        supplier_org="5569001232",
        contact="leverantor.stad",
        contact_name="Sara Städ",
        subcontractor="Köpings Fönsterputs AB",
        sub_role="Fönsterputs",
        union="Fastighetsanställdas Förbund",
        deviation_condition=Condition.WAGES,
        stage="waiting",
    )
)
# Above the threshold in a flagged area, no needs assessment yet: the gate asks for one.
UNASSESSED = ("RV-{year}-0735", "Bevakning Västmanlands sjukhus Köping", "79710000", 6_000_000)
BELOW = ("RV-{year}-0733", "Fönsterputs Köpings vårdcentral", "90911300", 600_000)


def _pdf(title: str, lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(title)
    pdf.setFont("Helvetica", 11)
    for n, line in enumerate([title, *lines]):
        pdf.drawString(72, 770 - 16 * n, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def assess_planned(*, procurement: Procurement) -> None:
    """Record the needs assessment, and where needed the conditions with their strategy
    entries, for a demo procurement in planning that the gate asks it of."""
    if hasattr(procurement, "labour_assessment") or not policy.facts(procurement).assessment_required:
        return
    agreements = policy.agreements_for(procurement)
    services.assessment_record(
        actor=None,
        procurement=procurement,
        decision=NeedDecision.NEEDED if agreements else NeedDecision.NOT_NEEDED,
        reason=(
            "Arbetskraftsintensiv tjänst i Sverige över EU:s tröskelvärde."
            if agreements
            else "Inget centralt kollektivavtal för branschen; villkoren följs upp genom uppförandekoden."
        ),
        work_location=WorkLocation.SWEDEN,
        agreement=agreements[0] if agreements else None,
    )
    if not agreements:
        return
    for item in services.conditions_set(actor=None, procurement=procurement, agreement=agreements[0]):
        procurement_services.strategy_entry_set(
            actor=None,
            procurement=procurement,
            requirement=item.requirement,
            methods=["self_assessment", "document_review"],
            timing="at_months",
            at_months=[3, 12],
            change_reason="Steg 1 självdeklaration, steg 2 lönebesked och tidrapporter vid stickprov.",
        )


def _through_the_gate(procurement: Procurement, officer: User, *, advertised: datetime.date) -> Procurement:
    """The rest of planning, as the demo's other procurements: aims and goals assessed, the
    conditions followed up by the strategy, approved by a second officer before the notice,
    then advertised, evaluated and awarded (``procurements.demo_chain``)."""
    demo_chain.assess_aims_and_goals(
        procurement,
        relevant=(Aim.ECONOMY, Aim.WORKING_CONDITIONS),
        how="Arbetsrättsliga villkor enligt LOU 17 kap. och uppföljning i två steg.",
        not_relevant="Berörs inte.",
        goals_addressed=False,
        goals_how="Berörs inte av tjänsten.",
    )
    procurement_services.strategy_update(
        actor=None,
        procurement=procurement,
        kickoff_meeting=True,
        supplier_must_participate=True,
        during_procurement="Leverantören bekräftar villkoren i anbudet.",
    )
    for requirement in procurement.requirements.filter(removed=False):
        procurement_services.strategy_entry_set(
            actor=None,
            procurement=procurement,
            requirement=requirement,
            methods=["self_assessment", "document_review"],
            timing="at_months",
            at_months=[3, 12],
            change_reason="Steg 1 självdeklaration, steg 2 lönebesked och tidrapporter vid stickprov.",
        )
    return demo_chain.approve_and_award(
        procurement,
        officer=officer,
        approver=User.objects.filter(username="inkopare2").first() or officer,
        approved_at=timezone.make_aware(datetime.datetime.combine(advertised - datetime.timedelta(days=1), NOON)),
        submitted_before=datetime.timedelta(hours=2),
        advertised=advertised,
    )


def _contact(story: Story, supplier: Supplier) -> User:
    from kravspar.core.management.commands.seed_demo import DEMO_PASSWORD

    user = User.objects.filter(username=story.contact).first()
    if user is None:
        user = portal_services.supplier_contact_create(
            actor=None,
            supplier=supplier,
            username=story.contact,
            email=f"{story.contact}@demo.kravspar.se",
            name=story.contact_name,
            password=DEMO_PASSWORD,
        )
    return user


def _step1_answers(
    supplier_request: SupplierRequest, declaration: SelfDeclaration, story: Story, day: datetime.date
) -> dict[str, object]:
    """What the supplier's contact fills in on the questionnaire: every condition met, the
    workforce, and the template's own questions (the subcontractor named on its own behalf)."""
    own = declaration.subcontractor_id is None
    values: dict[str, object] = {
        "Tillämpar ni ett centralt kollektivavtal": "yes",
        "Vilket kollektivavtal": declaration.followup.agreement.name,
        "Lägsta timlön": "165",
        "Antal semesterdagar": "25",
        "Ordinarie arbetstid": "40",
        "Anlitar ni underleverantörer": "yes" if own else "no",
        "Datum då uppgifterna gäller": day.isoformat(),
    }
    if own:
        values["Ange underleverantörerna"] = story.subcontractor
        values["Har ni avtalat med underleverantörerna"] = "yes"
    answers = answers_by_prefix(supplier_request, values)
    keys = declaration.questions
    answers.update({keys[c.value]: "yes" for c in Condition})
    answers[keys["employees"]] = "40" if own else "12"
    return answers


def _step1(
    followup: LabourFollowUp,
    officer: User,
    story: Story,
    *,
    sent: datetime.date,
    contact: User | None = None,
    answered: datetime.date | None = None,
) -> None:
    """Step 1 as it is done: the officer sends the labour self-declaration template through
    the questionnaires on ``sent`` (``services.step1_send``: one request for the supplier and
    one for each subcontractor); with ``answered``, the supplier's contact answers each in the
    questionnaire and submits it, which answers its declaration, and the officer accepts the
    answers. Each day is told on the demo's clock, so the requests and the history carry it."""
    with told_from(sent):
        requests = services.step1_send(
            actor=officer,
            followup=followup,
            deadline=sent + datetime.timedelta(days=14),
            message="Svara för ert eget företag och för underleverantören som arbetar i avtalet.",
        )
    if contact is None or answered is None:
        return
    with told_from(answered):
        for supplier_request in requests:
            declaration = SelfDeclaration.objects.select_related("followup__agreement").get(request=supplier_request)
            submit_as_supplier(
                supplier_request, contact, _step1_answers(supplier_request, declaration, story, answered)
            )
        for supplier_request in requests:
            questionnaire_services.request_accept(
                actor=officer,
                supplier_request=supplier_request,
                comment="Självdeklarationen följer avtalets nivåer; stickprov av lönebesked i steg 2.",
                complete_activity=True,
            )


def _story(story: Story, officer: User, today: datetime.date) -> None:
    number = story.number.format(year=today.year)
    region = Organisation.objects.filter(org_number=story.region).first()
    if region is None or Procurement.objects.filter(registry_number=number).exists():
        return
    start = max(datetime.date(today.year, 1, 1), today - datetime.timedelta(days=120))
    step = (today - start) / 4
    procurement = procurement_services.procurement_create(
        actor=None,
        buyers=[region],
        registry_number=number,
        title=story.title,
        kind=story.kind,
        procedure="open",
        officer=officer,
        cpv_main=CpvCode.objects.get(code=story.cpv),
        estimated_value=Decimal(story.value),
        duration_months=36,
    )
    agreement = policy.agreements_for(procurement)[0]
    services.assessment_record(
        actor=officer,
        procurement=procurement,
        decision=NeedDecision.NEEDED,
        reason="Arbetskraftsintensiv bransch med känd risk för låga löner och långa arbetsdagar hos underleverantörer.",
        work_location=WorkLocation.SWEDEN,
        agreement=agreement,
        decided_on=start,
    )
    services.conditions_set(actor=officer, procurement=procurement, agreement=agreement)
    procurement = _through_the_gate(procurement, officer, advertised=start + step / 2)
    supplier, _created = supplier_services.supplier_get_or_create(
        actor=None, name=story.supplier, org_number=story.supplier_org
    )
    contract, procurement = demo_chain.contract_from_award(
        procurement,
        suppliers=[supplier],
        buyers=[region],
        contract_number=number,
        title=story.title,
        signed_on=start + step,
        starts_on=start + step,
        ends_on=start + step + datetime.timedelta(days=3 * 365),
        value=Decimal(story.value),
    )
    sub = contract_services.subcontractor_add(
        actor=None, contract=contract, supplier=supplier, name=story.subcontractor, country="SE", role=story.sub_role
    )
    contact = _contact(story, supplier)
    opened = start + 2 * step
    followup = services.followup_open(actor=None, contract=contract, officer=officer, opened_on=opened)
    plan = policy.sample(workforce=12, period_start=contract.starts_on, period_end=today)
    if story.stage == "waiting":
        # Sent a few days ago: the supplier still has time to answer (the browser story does).
        _step1(followup, officer, story, sent=max(opened, today - datetime.timedelta(days=4)))
        services.document_request_create(
            actor=officer,
            followup=followup,
            subcontractor=sub,
            reason="suspicion",
            employees=plan.employees,
            months=plan.months,
            kinds=["payslip", "time_report"],
            due_on=today + datetime.timedelta(days=14),
            today=today,
        )
        return
    _step1(
        followup, officer, story, sent=opened, contact=contact, answered=min(opened + datetime.timedelta(days=7), today)
    )
    request = services.document_request_create(
        actor=officer,
        followup=followup,
        subcontractor=sub,
        reason="sample",
        employees=plan.employees,
        months=plan.months,
        kinds=["payslip", "time_report", "employee_list"],
        due_on=today + datetime.timedelta(days=14),
        today=start + 3 * step,
    )
    for kind, title in (("payslip", "Lönebesked"), ("time_report", "Tidrapporter")):
        lines = [f"Anställd {n} (demo, påhittad), månad {m}" for n in range(1, plan.employees + 1) for m in plan.months]
        services.proof_upload(
            actor=contact,
            request=request,
            kind=kind,
            upload=SimpleUploadedFile(f"{title} {story.subcontractor}.pdf", _pdf(title, lines), "application/pdf"),
        )
    for condition in Condition:
        below = condition.value == story.deviation_condition
        services.condition_review(
            actor=officer,
            request=request,
            condition=condition.value,
            outcome=ReviewOutcome.DEVIATION if below else ReviewOutcome.MEETS,
            checklist=policy.CHECKLIST[condition.value][:1] if below else policy.CHECKLIST[condition.value],
            note="Två av stickprovets anställda ligger under avtalets nivå." if below else "",
            today=today,
        )
    services.consultation_record(
        actor=officer,
        followup=followup,
        union=story.union,
        contact="Ombudsman, regionkontoret",
        held_on=today,
        summary="Förbundet bekräftade avtalets minimilöner och arbetstidsregler för branschen.",
        today=today,
    )


def _below(officer: User, today: datetime.date) -> None:
    template, title, cpv, value = BELOW
    number = template.format(year=today.year)
    region = Organisation.objects.filter(org_number="2321000172").first()
    if region is None or Procurement.objects.filter(registry_number=number).exists():
        return
    procurement = procurement_services.procurement_create(
        actor=None,
        buyers=[region],
        registry_number=number,
        title=title,
        kind="services",
        procedure="direct_award",
        officer=officer,
        cpv_main=CpvCode.objects.get(code=cpv),
        estimated_value=Decimal(value),
    )
    services.assessment_record(
        actor=officer,
        procurement=procurement,
        decision=NeedDecision.NOT_NEEDED,
        reason="Under EU:s tröskelvärde; en direktupphandling på ett år där villkor enligt LOU 17 kap. inte krävs.",
        work_location=WorkLocation.SWEDEN,
        decided_on=max(datetime.date(today.year, 1, 1), today - datetime.timedelta(days=30)),
    )


def _unassessed(officer: User, today: datetime.date) -> None:
    template, title, cpv, value = UNASSESSED
    number = template.format(year=today.year)
    region = Organisation.objects.filter(org_number="2321000172").first()
    if region is None or Procurement.objects.filter(registry_number=number).exists():
        return
    procurement_services.procurement_create(
        actor=None,
        buyers=[region],
        registry_number=number,
        title=title,
        kind="services",
        procedure="open",
        officer=officer,
        cpv_main=CpvCode.objects.get(code=cpv),
        estimated_value=Decimal(value),
        duration_months=48,
    )


def seed(today: datetime.date | None = None) -> list[tuple[str, str, str]]:
    """Idempotent. Returns the demo's supplier logins as (username, role, name)."""
    officer = User.objects.filter(username="inkopare").first()
    if officer is None:
        return []
    day = today or timezone.localdate()
    for story in STORIES:
        _story(story, officer, day)
    _below(officer, day)
    _unassessed(officer, day)
    return [
        (u.username, str(Role.SUPPLIER_CONTACT.label), u.get_full_name())
        for u in User.objects.filter(username__in=[s.contact for s in STORIES]).order_by("username")
    ]
