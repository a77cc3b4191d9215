"""The one way to change the history: replace named top-level values of an event's
``before``/``after`` (and its ``object_repr``) by the literal "gallrad".

The database allows nothing else. Migration ``audit.0003_disposal_redaction`` replaces the
append-only triggers with ones that still refuse every DELETE and every UPDATE, except one
that leaves every other column as it was and changes values only to "gallrad". So a bug, a
shell session or hand-written SQL can at most destroy a value, never forge one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection

from kravspar.audit.models import AuditEvent
from kravspar.records.models import DISPOSED

REDACT_SQL = {
    False: 'UPDATE audit_auditevent SET "before" = %s, "after" = %s, object_repr = %s WHERE id = %s',
    True: 'UPDATE audit_auditevent SET "before" = CAST(%s AS jsonb), "after" = CAST(%s AS jsonb), '
    "object_repr = %s WHERE id = %s",
}


def _redacted(data: Any, keys: set[str], value: Any) -> tuple[Any, bool]:
    if not isinstance(data, dict):
        return data, False
    changed = False
    out = dict(data)
    for key in keys & set(data):
        if data[key] != DISPOSED and (value is None or data[key] == value):
            out[key] = DISPOSED
            changed = True
    return out, changed


def audit_redact(
    *, events: Iterable[AuditEvent], keys: Iterable[str], value: Any = None, repr_too: bool = False
) -> int:
    """Replace ``keys`` in each event's before/after by "gallrad" (only where they hold
    ``value``, when given), and the object's text too with ``repr_too``. Returns how many
    events changed; an event already redacted is left alone, so running twice changes nothing."""
    wanted = set(keys)
    sql = REDACT_SQL[connection.vendor == "postgresql"]
    changed = 0
    with connection.cursor() as cursor:
        for event in events:
            before, b = _redacted(event.before, wanted, value)
            after, a = _redacted(event.after, wanted, value)
            new_repr = DISPOSED if repr_too else event.object_repr
            if not (a or b or new_repr != event.object_repr):
                continue
            cursor.execute(
                sql,
                [_json(before), _json(after), new_repr, event.pk],
            )
            changed += 1
    return changed


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)
