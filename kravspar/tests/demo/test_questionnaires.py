"""The questionnaire demo on RV-2025-0107, seeded once for this module (``demo_data``)."""

from __future__ import annotations

import datetime

import pytest

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.followups.models import ActivityStatus
from kravspar.questionnaires import demo
from kravspar.questionnaires.models import RequestStatus, SupplierRequest
from kravspar.testing.factories import UserFactory

pytestmark = pytest.mark.usefixtures("demo_data")


def demo_requests():
    return SupplierRequest.objects.filter(contract__contract_number=demo.CONTRACT).order_by("title")


def test_demo_has_a_sent_request_and_one_with_two_versions(db):
    requests = {r.title: r for r in demo_requests()}
    assert set(requests) == {demo.SENT, demo.ACCEPTED}
    assert requests[demo.SENT].status == RequestStatus.SENT
    assert requests[demo.SENT].activity.status == ActivityStatus.AWAITING_SUPPLIER
    accepted = requests[demo.ACCEPTED]
    if not User.objects.filter(username="leverantor").exists():
        # The portal's demo contact is missing: the request waits, and answering it works
        assert accepted.status == RequestStatus.SENT
        contact = UserFactory.create(username="leverantor", supplier=accepted.supplier, roles=[Role.SUPPLIER_CONTACT])
        demo._answer_and_accept(accepted, contact, User.objects.get(username="inkopare"), datetime.date.today())
        accepted.refresh_from_db()
    assert accepted.status == RequestStatus.ACCEPTED
    assert [(s.number, s.decision) for s in accepted.submissions.order_by("number")] == [
        (1, "needs_completion"),
        (2, "accepted"),
    ]
    assert accepted.activity.status == ActivityStatus.DONE


def test_demo_is_idempotent(db):
    count = SupplierRequest.objects.count()
    demo.seed()
    assert SupplierRequest.objects.count() == count
