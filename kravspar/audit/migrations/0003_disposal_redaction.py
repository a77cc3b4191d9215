"""Lawful disposal (gallring) in an append-only history.

The triggers of 0002 refused every UPDATE. These still refuse every DELETE and every UPDATE
but one: an UPDATE that leaves every column as it was except ``object_repr``, ``before`` and
``after``, where ``object_repr`` may only become the literal 'gallrad' and ``before``/``after``
keep their keys and may only have top-level values replaced by the JSON string "gallrad".
Nothing can be added, reworded or moved, only destroyed, and only as disposal does it
(``kravspar/records/redaction.py``). On SQLite the unchanged columns are listed one by one:
a column added later must be added here (``records/tests/test_redaction.py`` fails until it is).
"""

from django.db import migrations

SQLITE_JSON_REDACTED = """(
    NEW.{c} IS OLD.{c} OR (
        json_valid(OLD.{c}) AND json_valid(NEW.{c})
        AND json_type(OLD.{c}) = 'object' AND json_type(NEW.{c}) = 'object'
        AND (SELECT count(*) FROM json_each(NEW.{c})) = (SELECT count(*) FROM json_each(OLD.{c}))
        AND NOT EXISTS (
            SELECT 1 FROM json_each(NEW.{c}) AS n LEFT JOIN json_each(OLD.{c}) AS o ON o.key = n.key
            WHERE o.key IS NULL
               OR NOT ((n.type = 'text' AND n.atom = 'gallrad') OR (n.type = o.type AND n.value IS o.value))
        )
    )
)"""

SQLITE_IS_REDACTION = f"""(
    NEW.id IS OLD.id AND NEW.uuid IS OLD.uuid AND NEW.created_at IS OLD.created_at
    AND NEW.actor_id IS OLD.actor_id AND NEW.actor_label IS OLD.actor_label AND NEW.action IS OLD.action
    AND NEW.object_type IS OLD.object_type AND NEW.object_id IS OLD.object_id
    AND NEW.organisation_id IS OLD.organisation_id
    AND (NEW.object_repr IS OLD.object_repr OR NEW.object_repr = 'gallrad')
    AND {SQLITE_JSON_REDACTED.format(c='"before"')}
    AND {SQLITE_JSON_REDACTED.format(c='"after"')}
    AND (NEW.object_repr IS NOT OLD.object_repr OR NEW."before" IS NOT OLD."before" OR NEW."after" IS NOT OLD."after")
)"""

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    f"""CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       WHEN NOT {SQLITE_IS_REDACTION}
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    """CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]

POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION audit_json_redacted(old_value jsonb, new_value jsonb) RETURNS boolean AS $$
       SELECT old_value IS NOT DISTINCT FROM new_value OR (
           jsonb_typeof(old_value) = 'object' AND jsonb_typeof(new_value) = 'object'
           AND (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(old_value) AS k)
               IS NOT DISTINCT FROM (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(new_value) AS k)
           AND NOT EXISTS (
               SELECT 1 FROM jsonb_each(new_value) AS n
               WHERE n.value <> '"gallrad"'::jsonb AND n.value IS DISTINCT FROM old_value -> n.key
           )
       ) $$ LANGUAGE sql IMMUTABLE""",
    """CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
       BEGIN
           IF TG_OP = 'UPDATE'
              AND (to_jsonb(NEW) - 'object_repr' - 'before' - 'after')
                  = (to_jsonb(OLD) - 'object_repr' - 'before' - 'after')
              AND (NEW.object_repr = OLD.object_repr OR NEW.object_repr = 'gallrad')
              AND audit_json_redacted(OLD."before", NEW."before")
              AND audit_json_redacted(OLD."after", NEW."after")
              AND (NEW.object_repr <> OLD.object_repr
                   OR NEW."before" IS DISTINCT FROM OLD."before"
                   OR NEW."after" IS DISTINCT FROM OLD."after")
           THEN
               RETURN NEW;
           END IF;
           RAISE EXCEPTION 'audit events are append-only';
       END; $$ LANGUAGE plpgsql""",
]
POSTGRES_DOWN = [
    """CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
    "DROP FUNCTION IF EXISTS audit_json_redacted(jsonb, jsonb)",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
