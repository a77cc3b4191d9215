"""Erasure (GDPR art. 17) where no record needs the person: refused while they are active or
anything kept refers to them, otherwise the name becomes "gallrad", the account is closed for
good and the history of the account no longer names them. Only administrators may do it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from kravspar.accounts import services as account_services
from kravspar.accounts.models import ApiToken, User
from kravspar.audit.models import AuditEvent
from kravspar.audit.services import audit_record
from kravspar.core.errors import NotAllowedError
from kravspar.records import services
from kravspar.records.models import DISPOSED

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver(world: Any) -> User:
    person = account_services.person_create(
        actor=world.admin,
        username="karin",
        first_name="Karin",
        last_name="Lind",
        email="karin.lind@example.se",
        organisation=world.sormland,
        roles=[],
    )
    ApiToken.objects.create(user=person, name="Power BI", prefix="kvs_ab", token_hash="x" * 64)
    return person


def test_an_active_person_or_one_the_records_need_is_refused(world: Any, leaver: User) -> None:
    with pytest.raises(services.ErasureRefused):
        services.person_erase(actor=world.admin, person=leaver)
    account_services.person_set_active(actor=world.admin, person=leaver, active=False)
    with transaction.atomic():  # the person did something: the history names them as actor
        audit_record(actor=leaver, action="organisation.updated", obj=world.sormland)
    with pytest.raises(services.ErasureRefused) as refusal:
        services.person_erase(actor=world.admin, person=User.objects.get(pk=leaver.pk))
    assert str(AuditEvent._meta.verbose_name) in str(refusal.value.message)  # what refers to them is named
    assert User.objects.get(pk=leaver.pk).first_name == "Karin"


def test_erasure_where_nothing_needs_the_person(world: Any, leaver: User) -> None:
    account_services.person_set_active(actor=world.admin, person=leaver, active=False)
    with pytest.raises(NotAllowedError):
        services.person_erase(actor=world.officer, person=User.objects.get(pk=leaver.pk))
    erased = services.person_erase(actor=world.admin, person=User.objects.get(pk=leaver.pk))
    assert (erased.first_name, erased.last_name) == (DISPOSED, "")
    assert "karin" not in erased.email and not erased.has_usable_password()
    assert not ApiToken.objects.filter(user=erased).exists()
    history = AuditEvent.objects.filter(object_id=str(erased.uuid))
    assert history.filter(action="person.erased").exists()
    for event in history:
        assert "Karin" not in str(event.before) + str(event.after) + event.object_repr


def test_the_page_is_for_administrators_only(world: Any, leaver: User, client_for: Any) -> None:
    url = reverse("records:person_data", args=[leaver.uuid])
    assert client_for(world.officer).post(url).status_code == 403
    client = client_for(world.admin)
    assert client.post(url).status_code == 409  # still active
    account_services.person_set_active(actor=world.admin, person=leaver, active=False)
    assert client.post(url).status_code == 302
    assert User.objects.get(pk=leaver.pk).first_name == DISPOSED
