"""History is append-only: the model, the queryset, the admin and the database refuse."""

from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from kravspar.audit.models import AppendOnlyError, AuditEvent
from kravspar.audit.services import audit_event, audit_record, audit_record_many
from kravspar.organisations import services


@pytest.fixture
def event(world):
    services.organisation_update(actor=world.admin, organisation=world.sormland, expected_version=None, city="Nyköping")
    return AuditEvent.objects.get(action="organisation.updated")


def test_model_and_queryset_refuse_changes(event):
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_database_refuses_update_and_delete_from_raw_sql(event):
    for sql in ("UPDATE audit_auditevent SET action = 'forged'", "DELETE FROM audit_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).action == "organisation.updated"


def test_events_must_be_written_inside_the_changes_transaction(world):
    # The test itself runs inside a transaction, so pretend it does not.
    with mock.patch.object(connection, "in_atomic_block", False), pytest.raises(RuntimeError):
        audit_record(actor=None, action="x", obj=world.sormland)


def test_events_written_together_are_the_events_written_one_by_one(world):
    with transaction.atomic():
        one = audit_record(
            actor=world.admin, action="x", obj=world.sormland, before={"a": 1, "b": 2}, after={"a": 1, "b": 3}
        )
        together = audit_record_many(
            [
                audit_event(
                    actor=world.admin, action="x", obj=world.sormland, before={"a": 1, "b": 2}, after={"a": 1, "b": 3}
                )
            ]
        )
    fields = ["actor_id", "actor_label", "action", "object_type", "object_id", "object_repr", "before", "after"]
    saved = AuditEvent.objects.get(pk=together[0].pk)
    assert [getattr(saved, f) for f in fields] == [getattr(one, f) for f in fields]
    assert saved.before == {"b": 2} and saved.uuid != one.uuid
    with mock.patch.object(connection, "in_atomic_block", False), pytest.raises(RuntimeError):
        audit_record_many([audit_event(actor=None, action="x", obj=world.sormland)])


def test_a_failed_change_leaves_no_event(world):
    count = AuditEvent.objects.count()
    with pytest.raises(ValueError):
        services.organisation_update(actor=world.admin, organisation=world.sormland, expected_version=None, uuid="x")
    assert AuditEvent.objects.count() == count


def test_system_actor_is_named(world):
    services.organisation_update(actor=None, organisation=world.sormland, expected_version=None, city="X")
    assert AuditEvent.objects.get(action="organisation.updated").actor_label == "system"


def test_object_page_shows_its_history(event, world, client_for):
    page = client_for(world.orderer_sl).get(reverse("organisations:detail", args=[world.sormland.uuid]))
    assert page.status_code == 200
    assert event in page.context["history"].object_list
    assert "Nyköping" in page.content.decode()


def test_admin_searches_all_history(event, world, client_for):
    client = client_for(world.admin)
    response = client.get(reverse("audit:search"), {"q": "Sörmland", "action": "organisation.updated"})
    assert list(response.context["page"].object_list) == [event]
    response = client.get(reverse("audit:search"), {"q": "Ingenting sådant"})
    assert list(response.context["page"].object_list) == []
    response = client.get(reverse("audit:search"), {"date_from": "2000-01-01", "organisation": world.sormland.pk})
    assert event in response.context["page"].object_list


def test_django_admin_cannot_change_history(event, world, client):
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(change, {"action": "forged"}).status_code in (302, 403)
    assert client.post(delete, {"post": "yes"}).status_code in (302, 403)
    assert AuditEvent.objects.get(pk=event.pk).action == "organisation.updated"
