"""The history tables name fields and values in the reader's language; the stored codes stay
for the API."""

import re

from django.db import transaction
from django.urls import reverse
from django.utils import translation

from kravspar.audit.display import changes_in_words
from kravspar.audit.models import AuditEvent
from kravspar.audit.services import audit_record
from kravspar.organisations.models import UnitKind

# What a history cell must never show: a Python literal, a snake_case code, an action code.
RAW = re.compile(r"[\[\]{}]|\bTrue\b|\bFalse\b|\bNone\b|\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z_]+\b")


def record(world, **kwargs):
    with transaction.atomic():
        return audit_record(actor=world.admin, obj=world.inkop, organisation=world.sormland, **kwargs)


def words(event):
    with translation.override("sv"):
        return [(c.label, c.before, c.after) for c in changes_in_words(event)]


def test_choices_booleans_lists_and_dicts_read_as_words(world):
    event = record(
        world,
        action="unit.updated",
        before={"kind": UnitKind.ORDERING, "roles": ["lasare"]},
        after={
            "kind": UnitKind.PURCHASING,
            "roles": ["lasare", "inkopare"],
            "Leveransprecision": {"methods": ["spot_check", "supplier_meeting"], "timing": "recurring"},
            "aim_4": {"relevant": True, "how": "Kollektivavtal"},
            "severity": "major",
            "id": 17,
        },
    )
    shown = words(event)
    with translation.override("sv"):
        kind = (str(UnitKind.ORDERING.label), str(UnitKind.PURCHASING.label))
    assert kind[0] != "ordering"
    assert any((before, after) == kind for _label, before, after in shown)
    assert ("Roller", "Läsare", "Läsare, Inköpare") in shown
    entry = "Metoder: Stickprov, Leverantörsmöte; Tidpunkt: Återkommande var N:e månad"
    assert ("Leveransprecision", None, entry) in shown
    assert ("Syfte 4: Goda arbetsvillkor", None, "Relevant: Ja; Hur: Kollektivavtal") in shown
    assert ("Allvarlighetsgrad", None, "Allvarlig") in shown
    assert all(label != "id" for label, _b, _a in shown)
    for label, before, after in shown:
        assert not RAW.search(f"{label} {before or ''} {after}"), (label, before, after)
    # The API keeps the codes.
    assert AuditEvent.objects.get(pk=event.pk).after["severity"] == "major"


def test_numbers_dates_and_times(world):
    event = record(
        world,
        action="contract.updated",
        after={"value": "4800000", "signed_on": "2026-03-01", "sent_at": "2026-03-01T09:30:00+00:00", "version": "21"},
    )
    shown = {label: after for label, _before, after in words(event)}
    assert shown["Version"] == "21"
    assert "4\xa0800\xa0000" in "".join(shown.values())
    assert "2026-03-01 10:30" in shown.values()  # Stockholm time


def test_history_pages_show_words_not_codes(client, world):
    after = {"kind": "purchasing", "serves": ["A", "B"]}
    record(world, action="unit.updated", before={"kind": "ordering"}, after=after)
    client.force_login(world.admin)
    for url in (reverse("audit:search"), reverse("organisations:unit_detail", args=[world.inkop.uuid])):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
        assert ">unit.updated<" not in html and "Enhet ändrad" in html  # the code only as a filter value
        assert "purchasing</" not in html and "[&#x27;A&#x27;" not in html
        assert "A, B" in html


def test_lists_of_codes_under_a_key_no_field_claims_read_as_labels(world):
    from kravspar.findings.models import DeviationStatus

    event = record(world, action="unit.updated", after={"statuses_seen": ["action_plan_agreed"]})
    with translation.override("sv"):
        expected = str(DeviationStatus.ACTION_PLAN_AGREED.label)
    ((_label, _before, after),) = words(event)
    assert after == expected and "action_plan_agreed" not in after
