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
