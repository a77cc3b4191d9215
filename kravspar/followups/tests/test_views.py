"""The activity page, its buttons and forms, evidence, and who may see and do what."""

import io
import zipfile

import pytest
from django.urls import reverse

from kravspar.accounts.roles import Role
from kravspar.followups.models import Activity, ActivityStatus, Evidence
from kravspar.testing.factories import UnitFactory, UserFactory

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def orderer_other_unit(world):
    """A beställare in Region Västmanland, but at another clinic than the responsible one."""
    unit = UnitFactory.create(organisation=world.vastmanland, name="Barnkliniken")
    return UserFactory.create(username="orderer_vm2", organisation=world.vastmanland, unit=unit, roles=[Role.ORDERER])


def detail(a):
    return reverse("followups:detail", args=[a.uuid])


def transition(a, action):
    return reverse("followups:transition", args=[a.uuid, action])


def upload(client, a, name, content):
    f = io.BytesIO(content)
    f.name = name
    return client.post(reverse("followups:evidence_upload", args=[a.uuid]), {"file": f})


def test_responsible_orderer_starts_and_completes_with_evidence(world, client_for, quality_activity):
    client = client_for(world.orderer_vm)
    assert client.get(detail(quality_activity)).status_code == 200
    response = client.post(transition(quality_activity, "start"), {"version": quality_activity.version})
    assert response.status_code == 302
    response = upload(client, quality_activity, "protokoll.pdf", PDF)
    assert response.status_code == 302
    evidence = Evidence.objects.get(activity=quality_activity)
    assert evidence.content_type == "application/pdf"
    assert len(evidence.sha256) == 64
    quality_activity.refresh_from_db()
    response = client.post(
        transition(quality_activity, "complete"), {"version": quality_activity.version, "outcome": "compliant"}
    )
    assert response.status_code == 302
    quality_activity.refresh_from_db()
    assert quality_activity.status == ActivityStatus.DONE


def test_orderer_of_another_region_gets_404(world, client_for, quality_activity):
    client = client_for(world.orderer_sl)
    assert client.get(detail(quality_activity)).status_code == 404
    assert client.post(transition(quality_activity, "start"), {}).status_code == 404


def test_orderer_of_the_right_region_but_another_unit_sees_but_may_not_record(
    world, client_for, quality_activity, orderer_other_unit
):
    client = client_for(orderer_other_unit)
    response = client.get(detail(quality_activity))
    assert response.status_code == 200
    assert transition(quality_activity, "start").encode() not in response.content
    assert client.post(transition(quality_activity, "start"), {}).status_code == 403
    assert upload(client, quality_activity, "x.pdf", PDF).status_code == 403
    quality_activity.refresh_from_db()
    assert quality_activity.status == ActivityStatus.PLANNED


def test_complete_without_outcome_keeps_what_was_typed(world, client_for, quality_activity):
    client = client_for(world.orderer_vm)
    client.post(transition(quality_activity, "start"), {})
    quality_activity.refresh_from_db()
    response = client.post(
        transition(quality_activity, "complete"),
        {"version": quality_activity.version, "outcome": "deviations", "note": ""},
    )
    assert response.status_code == 400
    assert response.context["complete_form"].errors


def test_conflict_keeps_the_typed_notes(world, client_for, quality_activity):
    client = client_for(world.orderer_vm)
    stale = quality_activity.version
    client.post(reverse("followups:notes", args=[quality_activity.uuid]), {"version": stale, "notes": "Mine"})
    response = client.post(
        reverse("followups:notes", args=[quality_activity.uuid]), {"version": stale, "notes": "What I typed"}
    )
    assert response.status_code == 400
    assert "What I typed" in response.content.decode()
    assert response.context["notes_form"].non_field_errors()


def test_oversized_evidence_is_refused(world, client_for, quality_activity, settings):
    settings.KRAVSPAR_MAX_EVIDENCE_BYTES = 100
    response = upload(client_for(world.orderer_vm), quality_activity, "big.pdf", PDF + b"0" * 200)
    assert response.status_code == 400
    assert response.context["evidence_form"].errors["file"]
    assert not Evidence.objects.exists()


def test_an_exe_renamed_to_pdf_is_refused(world, client_for, quality_activity):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
    response = upload(client_for(world.orderer_vm), quality_activity, "report.pdf", exe)
    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_a_zip_that_is_not_an_office_file_is_refused_and_a_docx_accepted(world, client_for, quality_activity):
    client = client_for(world.orderer_vm)
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("evil.exe", b"MZ")
    assert upload(client, quality_activity, "report.docx", plain_zip.getvalue()).status_code == 400
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert upload(client, quality_activity, "report.docx", docx.getvalue()).status_code == 302
    assert upload(client, quality_activity, "lista.csv", "namn;värde\nå;1\n".encode()).status_code == 302
    assert sorted(Evidence.objects.values_list("content_type", flat=True)) == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/csv",
    ]


def test_evidence_download_only_for_those_who_see_the_activity(world, client_for, quality_activity):
    upload(client_for(world.orderer_vm), quality_activity, "protokoll.pdf", PDF)
    evidence = Evidence.objects.get()
    url = reverse("followups:evidence_download", args=[quality_activity.uuid, evidence.uuid])
    response = client_for(world.officer).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(world.orderer_sl).get(url).status_code == 404
    # An evidence uuid under another activity's URL is not found either.
    other = Activity.objects.exclude(pk=quality_activity.pk).first()
    url = reverse("followups:evidence_download", args=[other.uuid, evidence.uuid])
    assert client_for(world.officer).get(url).status_code == 404


def test_evidence_is_not_under_the_static_root(settings, world, client_for, quality_activity):
    upload(client_for(world.orderer_vm), quality_activity, "protokoll.pdf", PDF)
    path = Evidence.objects.get().file.path
    assert str(settings.STATIC_ROOT) not in path
    assert "protokoll" not in path  # stored under a random name


def test_replan_button_for_inkop_only(world, client_for, planned):
    url = reverse("followups:contract_replan", args=[planned.uuid])
    assert client_for(world.orderer_vm).post(url).status_code == 403
    assert client_for(world.officer).post(url).status_code == 302
