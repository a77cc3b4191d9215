"""Demo data of questionnaires, called by `seed_demo` after contracts and follow-ups exist.

On the cleaning contract RV-2025-0107: a quality self-assessment template built with the
builder's services, one request sent and waiting for the supplier, and one accepted after
two versions (the first sent back for completion). The answers are given by the demo
supplier contact ``leverantor`` when the portal's demo has created it; without it, both
requests are sent and nothing is answered. Everything goes through the services."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from kravspar.accounts.models import User
from kravspar.contracts.models import Contract
from kravspar.followups.models import OPEN_STATUSES, Activity
from kravspar.questionnaires import services
from kravspar.questionnaires.models import Questionnaire, RequestKind, SupplierRequest

logger = logging.getLogger(__name__)

CONTRACT = "RV-2025-0107"
TEMPLATE = "Självdeklaration: städkvalitet och egenkontroll"
SENT = "Självdeklaration städkvalitet, kvartal 1"
ACCEPTED = "Självdeklaration städkvalitet, årsuppföljning"


def _quality_template(actor: User) -> Questionnaire:
    existing = Questionnaire.objects.filter(title=TEMPLATE, is_template=True).first()
    if existing is not None:
        return existing
    template = services.questionnaire_create(
        actor=actor,
        title=TEMPLATE,
        requirement_type="quality",
        description="Leverantörens egenkontroll av städkvaliteten enligt INSTA 800 i avtalets lokaler.",
    )
    did_check = services.question_add(
        actor=actor,
        questionnaire=template,
        text="Har ni genomfört egenkontroll enligt INSTA 800 under perioden?",
        type="yes_no",
        required=True,
    )
    services.question_add(
        actor=actor,
        questionnaire=template,
        text="Bifoga egenkontrollprotokollen.",
        type="file",
        show_if_question=did_check,
        show_if_value="yes",
    )
    services.question_add(
        actor=actor,
        questionnaire=template,
        text="Varför har egenkontroll inte genomförts?",
        type="text",
        required=True,
        show_if_question=did_check,
        show_if_value="no",
    )
    services.question_add(
        actor=actor,
        questionnaire=template,
        text="Antal avvikelser från kvalitetsnivå 3 i egenkontrollen",
        type="number",
        required=True,
    )
    services.question_add(
        actor=actor,
        questionnaire=template,
        text="Vilka lokaltyper har kontrollerats?",
        type="multiple",
        required=True,
        options=["Vårdavdelningar", "Mottagningar", "Operationssalar", "Allmänna utrymmen"],
    )
    services.question_add(
        actor=actor,
        questionnaire=template,
        text="Datum för senaste egenkontroll",
        type="date",
        required=True,
    )
    return template


def answers_by_prefix(request: SupplierRequest, values: dict[str, object]) -> dict[str, object]:
    """Answers by question text prefix, turned into answers by question uuid (also used by
    the labour demo, whose supplier answers step 1 the same way)."""
    result: dict[str, object] = {}
    for question in request.questionnaire.questions.all():
        for prefix, value in values.items():
            if question.text.startswith(prefix):
                result[question.key] = value
    return result


def submit_as_supplier(request: SupplierRequest, contact: User, answers: dict[str, object]) -> None:
    """The supplier's contact saves the answers and submits them, as on the answer page."""
    response = services.response_save(actor=contact, supplier_request=request, answers=answers)
    services.request_submit(actor=contact, supplier_request=request, expected_version=response.version)
    request.refresh_from_db()


def _answer_and_accept(request: SupplierRequest, contact: User, officer: User, today: datetime.date) -> None:
    first = answers_by_prefix(
        request,
        {
            "Har ni genomfört": "yes",
            "Antal avvikelser": "4",
            "Vilka lokaltyper": ["Vårdavdelningar"],
            "Datum för senaste": (today - datetime.timedelta(days=20)).isoformat(),
        },
    )
    submit_as_supplier(request, contact, first)
    services.request_ask_completion(
        actor=officer,
        supplier_request=request,
        comment="Mottagningarna ingår i avtalet men saknas i egenkontrollen. Komplettera och beskriv avvikelserna.",
    )
    request.refresh_from_db()
    second = first | answers_by_prefix(request, {"Vilka lokaltyper": ["Vårdavdelningar", "Mottagningar"]})
    submit_as_supplier(request, contact, second)
    services.request_accept(
        actor=officer,
        supplier_request=request,
        comment="Kompletteringen tar upp mottagningarna.",
        complete_activity=True,
    )


def _seed(today: datetime.date) -> None:
    contract = Contract.objects.filter(contract_number=CONTRACT).first()
    officer = User.objects.filter(username="inkopare").first()
    if contract is None or officer is None or SupplierRequest.objects.filter(contract=contract).exists():
        return
    supplier = contract.suppliers.order_by("id").first()
    activities = list(
        Activity.objects.filter(contract=contract, status__in=OPEN_STATUSES, requirement__type="quality")
        .select_related("contract", "requirement")
        .order_by("due_on", "id")[:2]
    )
    if supplier is None or len(activities) < 2:
        return
    template = _quality_template(officer)
    made = []
    for activity, title, days in ((activities[0], SENT, 14), (activities[1], ACCEPTED, 21)):
        request = services.request_create(
            actor=officer,
            activity=activity,
            kind=RequestKind.SELF_ASSESSMENT,
            title=title,
            deadline=today + datetime.timedelta(days=days),
            supplier=supplier,
            template=template,
            message="Svara senast på utsatt dag. Hör av er till Inköp om något är oklart.",
        )
        services.request_send(actor=officer, supplier_request=request)
        request.refresh_from_db()
        made.append(request)
    contact = User.objects.filter(username="leverantor", supplier=supplier, is_active=True).first()
    if contact is not None:
        _answer_and_accept(made[1], contact, officer, today)


def seed() -> list[tuple[str, str, str]]:
    """Idempotent: running `seed_demo` twice creates nothing new. Returns extra demo
    logins as (username, role, name) for `make run` to print."""
    try:
        with transaction.atomic():
            _seed(timezone.localdate())
    except Exception:  # the demo must never stop the other apps' demo data
        logger.exception("The questionnaire demo could not be created")
    return []
