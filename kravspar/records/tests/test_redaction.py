"""The history stays append-only for everything but disposal: the database itself allows an
UPDATE only when it replaces named values by "gallrad" and leaves every other column alone.
Run on SQLite and on PostgreSQL (scripts/with_postgres.py)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from kravspar.audit.models import AuditEvent
from kravspar.audit.services import audit_record
from kravspar.records.models import DISPOSED
from kravspar.records.redaction import audit_redact

pytestmark = pytest.mark.django_db(transaction=False)

REDACTABLE = {"object_repr", "before", "after"}


@pytest.fixture
def event(world: Any) -> AuditEvent:
    with transaction.atomic():
        return audit_record(
            actor=world.officer,
            action="activity.evidence_added",
            obj=world.vastmanland,
            organisation=world.sormland,
            before={"file": "lonebesked-anna.pdf", "size": 10},
            after={"file": "lonebesked-anna-v2.pdf", "size": 12, "nested": {"name": "Anna"}},
        )


def reload(event: AuditEvent) -> AuditEvent:
    return AuditEvent.objects.get(pk=event.pk)


def refused(sql: str, params: list[Any]) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def json_param(value: Any) -> tuple[str, Any]:
    import json

    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    return cast, json.dumps(value)


def test_disposal_replaces_exactly_the_named_values_and_twice_changes_nothing(event: AuditEvent) -> None:
    assert audit_redact(events=[event], keys=["file"]) == 1
    after = reload(event)
    assert after.before == {"file": DISPOSED, "size": 10}
    assert after.after == {"file": DISPOSED, "size": 12, "nested": {"name": "Anna"}}
    assert (after.action, after.actor_id, after.created_at) == (event.action, event.actor_id, event.created_at)
    assert audit_redact(events=[after], keys=["file"]) == 0
    assert audit_redact(events=[after], keys=["nested"], repr_too=True) == 1
    assert reload(event).object_repr == DISPOSED and reload(event).after["nested"] == DISPOSED


def test_only_the_value_named_is_redacted(event: AuditEvent) -> None:
    audit_redact(events=[event], keys=["file"], value="lonebesked-anna.pdf")
    assert reload(event).before["file"] == DISPOSED
    assert reload(event).after["file"] == "lonebesked-anna-v2.pdf"


@pytest.mark.parametrize(
    "new",
    [
        {"file": "forged.pdf", "size": 10},  # a value reworded
        {"file": DISPOSED, "size": 11},  # one redacted, another changed
        {"file": DISPOSED},  # a key removed
        {"file": DISPOSED, "size": 10, "extra": DISPOSED},  # a key added
        {"file": DISPOSED, "SIZE": 10},  # a key renamed
        ["gallrad"],  # the object replaced
    ],
)
def test_every_other_change_of_before_or_after_is_refused(event: AuditEvent, new: Any) -> None:
    cast, value = json_param(new)
    assert refused(f'UPDATE audit_auditevent SET "before" = {cast} WHERE id = %s', [value, event.pk])
    assert reload(event).before == {"file": "lonebesked-anna.pdf", "size": 10}


def test_the_text_may_only_become_gallrad(event: AuditEvent) -> None:
    assert refused("UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["Someone else", event.pk])
    assert refused("UPDATE audit_auditevent SET object_repr = object_repr WHERE id = %s", [event.pk])  # no-op
    assert not refused("UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", [DISPOSED, event.pk])


def _other_value(column: str, event: AuditEvent, world: Any) -> Any:
    field = next(f for f in AuditEvent._meta.concrete_fields if f.column == column)
    value = {
        "id": event.pk + 10_000,
        "uuid": uuid.uuid4(),
        "created_at": timezone.now() + datetime.timedelta(days=1),
        "actor_id": world.admin.pk,
        "organisation_id": world.vastmanland.pk,
    }.get(column, DISPOSED)  # every text column: even the literal "gallrad" is refused
    return field.get_db_prep_value(value, connection) if column not in ("actor_id", "organisation_id") else value


def test_no_other_column_can_change_not_even_to_gallrad(event: AuditEvent, world: Any) -> None:
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, "audit_auditevent")]
    others = [c for c in columns if c not in REDACTABLE]
    assert {"id", "action", "actor_label", "object_id", "created_at"} <= set(others)
    for column in others:
        value = _other_value(column, event, world)
        assert refused(f'UPDATE audit_auditevent SET "{column}" = %s WHERE id = %s', [value, event.pk]), column
        # Nor together with a lawful redaction.
        assert refused(
            f'UPDATE audit_auditevent SET "{column}" = %s, object_repr = %s WHERE id = %s',
            [value, DISPOSED, event.pk],
        ), column


def test_delete_is_refused_and_the_orm_refuses_too(event: AuditEvent) -> None:
    assert refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()
