"""apply_retention on a generated data set: contracts of two regions ending on different days,
one terminated early and one extended, each with evidence files; only Region Sörmland has a
rule. It disposes of exactly the due items, with one history event each, and a second run
changes nothing. Step-2 labour documents and union contacts follow their own rules."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from kravspar.audit.models import AuditEvent
from kravspar.contracts.models import ContractExtension, ContractStatus
from kravspar.core.dates import add_months
from kravspar.findings.tests.conftest import make_activity
from kravspar.followups import uploads
from kravspar.followups.models import Evidence
from kravspar.records import services
from kravspar.records.models import DISPOSED, Anchor, RecordType, RetentionRule
from kravspar.records.tests.conftest import make_contract, stored
from kravspar.testing.factories import SupplierFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = datetime.date(2030, 6, 30)


def generate(world: Any, count: int = 8) -> dict[int, datetime.date]:
    """``count`` contracts ending five months apart from January 2027, alternately Sörmland's
    and Västmanland's, two evidence files each; every third is terminated a year early and the
    second has a used 12-month extension. Returns each evidence id with its contract's end."""
    supplier = SupplierFactory.create()
    ends: dict[int, datetime.date] = {}
    for i in range(count):
        ends_on = add_months(datetime.date(2027, 1, 31), 5 * i)
        buyer = world.sormland if i % 2 == 0 else world.vastmanland
        contract = make_contract(f"GEN-{i:03}", ends_on, buyer, supplier, title=f"Generated {i}")
        end = ends_on
        if i % 3 == 2:
            contract.status, contract.ended_on = ContractStatus.TERMINATED, add_months(ends_on, -12)
            contract.save()
            end = contract.ended_on
        if i == 2 or i == 4:
            ContractExtension.objects.create(contract=contract, number=1, months=12, decided_on=ends_on)
            end = end if contract.status == ContractStatus.TERMINATED else add_months(ends_on, 12)
        activity = make_activity(contract)
        for n in range(2):
            upload = SimpleUploadedFile(f"protokoll-{i}-{n}-anna.pdf", PDF)
            evidence = uploads.evidence_add(actor=world.admin, activity=activity, upload=upload)
            ends[evidence.pk] = end
    return ends


def test_apply_retention_disposes_of_exactly_the_due_evidence_twice(
    world: Any, settings: Any, django_capture_on_commit_callbacks: Any, make_rule: Any
) -> None:
    ends = generate(world)
    make_rule(RecordType.EVIDENCE, decision="RS-2024-0456 DHP Inköp 4.2")
    sormland_evidence = set(
        Evidence.objects.filter(activity__contract__buyers=world.sormland).values_list("pk", flat=True)
    )
    expected = {pk for pk, end in ends.items() if pk in sormland_evidence and add_months(end, 24) <= TODAY}
    assert 0 < len(expected) < len(sormland_evidence)  # the data set has due and not-yet-due items
    names = {e.pk: (e.file.name, e.original_name) for e in Evidence.objects.all()}

    dry = io.StringIO()
    call_command("apply_retention", "--dry-run", "--today", str(TODAY), stdout=dry)
    assert f"{len(expected)} item(s) due" in dry.getvalue()
    assert not Evidence.objects.filter(original_name=DISPOSED).exists()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", "--today", str(TODAY), stdout=io.StringIO())
    disposed = set(Evidence.objects.filter(original_name=DISPOSED).values_list("pk", flat=True))
    assert disposed == expected
    assert stored(settings) == {names[pk][0] for pk in names if pk not in expected}
    events = AuditEvent.objects.filter(action="records.disposed")
    assert events.count() == len(expected)
    assert all(e.after["decision"] == "RS-2024-0456 DHP Inköp 4.2" for e in events)
    # The history of the follow-ups no longer names the disposed files, and still names the rest.
    added = AuditEvent.objects.filter(action="activity.evidence_added")
    assert {e.after["file"] for e in added} == {DISPOSED} | {names[pk][1] for pk in names if pk not in expected}
    assert all(e.after["sha256"] != DISPOSED for e in added)

    history = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retention_apply(today=TODAY) == []
    assert AuditEvent.objects.count() == history
    assert set(Evidence.objects.filter(original_name=DISPOSED).values_list("pk", flat=True)) == expected


def test_no_rule_no_disposal(world: Any) -> None:
    generate(world, count=2)
    assert services.retention_apply(today=datetime.date(2100, 1, 1)) == []


def test_the_schedule_is_validated_and_kept_by_administrators(world: Any, make_rule: Any) -> None:
    from django.core.exceptions import ValidationError

    from kravspar.core.errors import NotAllowedError

    with pytest.raises(ValidationError) as error:
        make_rule(RecordType.EVIDENCE, anchor=Anchor.FOLLOWUP_CLOSED, period=0, decision=" ")
    assert set(error.value.message_dict) == {"anchor", "period", "decision"}
    with pytest.raises(NotAllowedError):
        make_rule(RecordType.EVIDENCE, actor=world.officer, decision="X")
    rule = make_rule(RecordType.EVIDENCE, decision="X")
    services.retention_rule_update(
        actor=world.admin,
        rule=rule,
        expected_version=1,
        anchor=Anchor.CONTRACT_END,
        period=3,
        unit="years",
        decision="Y",
    )
    event = AuditEvent.objects.get(action="retention_rule.updated")
    assert (event.before, event.after) == ({"period": 2, "decision": "X"}, {"period": 3, "decision": "Y"})
    assert RetentionRule.objects.get().version == 2


def test_the_demo_schedule_is_seeded_once_per_region(world: Any) -> None:
    from kravspar.records import demo

    demo.seed()
    demo.seed()
    assert RetentionRule.objects.count() == 2 * len(demo.RULES)


def test_a_disposed_evidence_file_is_gone_from_its_page_link(world: Any, client_for: Any, make_rule: Any) -> None:
    from django.urls import reverse

    generate(world, count=1)
    make_rule(RecordType.EVIDENCE, period=1, decision="D")
    evidence = Evidence.objects.first()
    assert evidence is not None
    url = reverse("followups:evidence_download", args=[evidence.activity.uuid, evidence.uuid])
    assert client_for(world.admin).get(url).status_code == 200
    assert len(services.retention_apply(today=TODAY)) == 2
    assert client_for(world.admin).get(url).status_code == 404
