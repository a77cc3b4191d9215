"""core.bulk writes rows as the ORM would: defaults filled in, random uuids that are real
version-4 UUIDs (generated without building UUID objects where the database has no uuid
type), values given by the caller adapted."""

import datetime
import uuid

import pytest
from django.utils import timezone

from kravspar.core.bulk import insert_rows
from kravspar.invoices.models import ImportBatch
from kravspar.procurements.models import Procurement

pytestmark = pytest.mark.django_db


def test_rows_get_distinct_version_4_uuids_and_the_defaults() -> None:
    given = uuid.uuid4()
    insert_rows(
        Procurement,
        [{"registry_number": f"B-{n}", "title": f"Rad {n}", "kind": "goods"} for n in range(50)],
    )
    insert_rows(Procurement, [{"uuid": given, "registry_number": "B-given", "title": "Given", "kind": "goods"}])
    rows = list(Procurement.objects.values_list("registry_number", "uuid", "version", "status", "created_at"))
    assert len(rows) == 51
    uuids = {u for _n, u, *_rest in rows}
    assert len(uuids) == 51
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in uuids)
    assert Procurement.objects.get(registry_number="B-given").uuid == given
    assert {(v, s) for _n, _u, v, s, _c in rows} == {(1, Procurement._meta.get_field("status").default)}
    assert all(c is not None for *_rest, c in rows)


def test_each_row_keeps_its_own_times_whether_rows_share_one_or_not() -> None:
    """A time the rows share is adapted once per insert; a row with another time keeps it."""
    now = timezone.now()
    other = now - datetime.timedelta(days=1, minutes=7)
    given = [(now, now), (now, other), (other, now), (other, None), (now, now)]
    insert_rows(
        ImportBatch,
        [{"source": "api", "label": f"B-{n}", "started_at": s, "finished_at": f} for n, (s, f) in enumerate(given)],
    )
    rows = ImportBatch.objects.order_by("label").values_list("started_at", "finished_at")
    assert list(rows) == given


def test_a_duplicate_row_is_djangos_integrity_error_on_both_databases() -> None:
    """On PostgreSQL the rows go in with COPY, past Django's cursor wrapper: a caller that
    retries per document still sees Django's ``IntegrityError``, and nothing of the insert."""
    from django.db import IntegrityError, transaction

    given = uuid.uuid4()
    insert_rows(Procurement, [{"uuid": given, "registry_number": "D-1", "title": "Först", "kind": "goods"}])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(
            Procurement,
            [
                {"uuid": uuid.uuid4(), "registry_number": "D-2", "title": "Ny", "kind": "goods"},
                {"uuid": given, "registry_number": "D-3", "title": "Samma uuid", "kind": "goods"},
            ],
        )
    assert list(Procurement.objects.values_list("registry_number", flat=True)) == ["D-1"]


def test_text_with_copys_special_characters_comes_back_as_given() -> None:
    """COPY's text format has its own escapes (tab, newline, backslash, ``\\N``): values that
    contain them are written by psycopg's dumpers and read back unchanged."""
    from kravspar.invoices.models import ImportProblem

    batch = ImportBatch.objects.create(source="upload", file_count=1, started_at=timezone.now())
    texts = ["tab\there", "rad\nbrytning", "bak\\snedstreck", "\\N", "", "citat ' och \""]
    insert_rows(
        ImportProblem,
        [
            {"batch_id": batch.pk, "file_name": f"f{n}.xml", "severity": "warning", "code": "x", "message": text}
            for n, text in enumerate(texts)
        ],
    )
    assert [p.message for p in ImportProblem.objects.filter(batch=batch).order_by("file_name")] == texts


def test_a_values_table_joins_exactly_its_rows() -> None:
    """``values_table`` (VALUES on SQLite, arrays through unnest on PostgreSQL) and
    ``in_values``: the same rows found on both, text with quotes and commas included, and no
    row for a pair whose halves each exist but not together."""
    from django.db import connection

    from kravspar.core.bulk import in_values, values_table

    insert_rows(
        Procurement,
        [
            {"registry_number": number, "title": title, "kind": "goods"}
            for number, title in [("V-1", "Städ, 'stor'"), ("V-2", "Mat"), ("V-3", "Städ, 'stor'")]
        ],
    )
    joined, params = values_table([("V-1", "Städ, 'stor'"), ("V-2", "Städ, 'stor'"), ("V-9", "Mat")], ("text", "text"))
    member, member_params = in_values(["V-2", "V-3", "V-404"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.registry_number FROM procurements_procurement p JOIN {joined} "
            "ON p.registry_number = w.column1 AND p.title = w.column2 ORDER BY 1",
            params,
        )
        assert [r[0] for r in cursor.fetchall()] == ["V-1"]
        cursor.execute(
            f"SELECT registry_number FROM procurements_procurement WHERE registry_number {member} ORDER BY 1",
            member_params,
        )
        assert [r[0] for r in cursor.fetchall()] == ["V-2", "V-3"]
    placeholders = (joined + member).count("%s")
    assert placeholders == (3 if connection.vendor == "postgresql" else 9)  # 2 arrays + 1, or 6 + 3
