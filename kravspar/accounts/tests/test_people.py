"""Administrators manage people and their roles; everything is recorded."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from kravspar.accounts import services
from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.audit.models import AuditEvent
from kravspar.core.errors import ConcurrentEditError, NotAllowedError


def test_admin_adds_a_person_who_gets_a_link_to_choose_a_password(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:person_create"),
            {
                "username": "ny.person",
                "email": "Ny.Person@Example.se",
                "first_name": "Ny",
                "last_name": "Person",
                "organisation": world.vastmanland.pk,
                "unit": world.unit_vm.pk,
                "roles": [Role.ORDERER],
            },
        )
    assert response.status_code == 302
    person = User.objects.get(username="ny.person")
    assert person.email == "ny.person@example.se"
    assert not person.has_usable_password()
    assert list(person.groups.values_list("name", flat=True)) == ["bestallare"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ny.person@example.se"]
    assert "/losenord/aterstall/" in mail.outbox[0].body
    event = AuditEvent.objects.get(action="person.created")
    assert event.after["roles"] == ["bestallare"] and event.actor == world.admin


def test_unit_must_belong_to_the_persons_organisation(world):
    with pytest.raises(ValidationError) as exc:
        services.person_create(
            actor=world.admin, username="x", email="x@example.se", organisation=world.vastmanland, unit=world.unit_sl
        )
    assert "unit" in exc.value.message_dict


def test_email_is_unique_regardless_of_case(world):
    with pytest.raises(ValidationError) as exc:
        services.person_create(
            actor=world.admin, username="x", email="ADMIN@example.se", organisation=world.vastmanland
        )
    assert "email" in exc.value.message_dict


def test_form_errors_are_shown_and_nothing_is_saved(world, client_for):
    client = client_for(world.admin)
    response = client.post(
        reverse("accounts:person_create"),
        {"username": "admin", "email": "not-an-email", "organisation": world.vastmanland.pk},
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert User.objects.filter(username="admin").count() == 1


def test_roles_change_is_recorded_with_before_and_after(world):
    services.person_update(
        actor=world.admin,
        person=world.orderer_vm,
        expected_version=world.orderer_vm.version,
        roles=[Role.ORDERER, Role.READER],
    )
    event = AuditEvent.objects.get(action="person.updated")
    assert event.before == {"roles": ["bestallare"]}
    assert event.after == {"roles": ["bestallare", "lasare"]}


def test_supplier_contact_cannot_get_a_buyer_role(world):
    with pytest.raises(ValidationError):
        services.person_update(
            actor=world.admin, person=world.supplier_contact, expected_version=None, roles=[Role.ADMINISTRATOR]
        )


def test_concurrent_edit_of_a_person(world):
    version = world.orderer_vm.version
    services.person_update(actor=world.admin, person=world.orderer_vm, expected_version=version, title="Chef")
    with pytest.raises(ConcurrentEditError):
        services.person_update(actor=world.admin, person=world.orderer_vm, expected_version=version, title="Annan")


def test_admin_cannot_lock_themselves_out(world):
    with pytest.raises(ValidationError):
        services.person_set_active(actor=world.admin, person=world.admin, active=False)
    with pytest.raises(ValidationError):
        services.person_update(actor=world.admin, person=world.admin, expected_version=None, roles=[Role.READER])


def test_deactivation_needs_confirmation_and_revokes_tokens(world, client_for):
    token, _raw = services.api_token_create(actor=None, user=world.orderer_vm, name="BI")
    client = client_for(world.admin)
    url = reverse("accounts:person_set_active", args=[world.orderer_vm.uuid])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert b'<form method="post">' in confirm.content
    world.orderer_vm.refresh_from_db()
    assert world.orderer_vm.is_active  # showing the question changes nothing
    client.post(url)
    world.orderer_vm.refresh_from_db()
    token.refresh_from_db()
    assert not world.orderer_vm.is_active
    assert token.revoked_at is not None


def test_non_admins_cannot_manage_people(world):
    with pytest.raises(NotAllowedError):
        services.person_create(actor=world.officer, username="x", email="x@example.se", organisation=world.sormland)


def test_person_list_filters_and_query_count(world, client_for, django_assert_max_num_queries):
    client = client_for(world.admin)
    response = client.get(reverse("accounts:person_list"), {"role": Role.ORDERER})
    names = {p.username for p in response.context["page"].object_list}
    assert names == {"orderer_vm", "orderer_sl"}
    response = client.get(reverse("accounts:person_list"), {"organisation": str(world.vastmanland.uuid)})
    assert {p.username for p in response.context["page"].object_list} == {"orderer_vm", "env_vm"}
    response = client.get(reverse("accounts:person_list"), {"q": "READER@"})
    assert {p.username for p in response.context["page"].object_list} == {"reader"}
    from kravspar.testing.factories import UserFactory

    UserFactory.create_batch(30, organisation=world.sormland, roles=[Role.READER])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:person_list"))
    assert len(response.context["page"].object_list) == 25
