"""Evidence files: none is left behind when storing fails, a file uploaded by mistake can
be removed (with a reason, in the history) while the follow-up is open, and orphans are
pruned by a command."""

import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from kravspar.audit.models import AuditEvent
from kravspar.followups import services, uploads
from kravspar.followups.models import Evidence
from kravspar.followups.tests.test_views import PDF, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_failed_save_leaves_no_file_behind(world, client_for, quality_activity, settings, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(uploads, "audit_record", broken)
    with pytest.raises(RuntimeError):
        upload(client_for(world.orderer_vm), quality_activity, "protokoll.pdf", PDF)
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []


def remove_url(evidence):
    return reverse("followups:evidence_remove", args=[evidence.activity.uuid, evidence.uuid])


def test_a_file_uploaded_by_mistake_is_removed_with_a_reason(world, client_for, quality_activity, settings):
    client = client_for(world.orderer_vm)
    upload(client, quality_activity, "fel-fil.pdf", PDF)
    evidence = Evidence.objects.get()
    page = client.get(remove_url(evidence))
    assert page.status_code == 200 and "fel-fil.pdf" in page.content.decode()
    # No reason: refused, nothing removed, the page says why.
    refused = client.post(remove_url(evidence), {"reason": " "})
    assert refused.status_code == 400 and Evidence.objects.exists()
    response = client.post(remove_url(evidence), {"reason": "Fel fil, hörde till ett annat avtal."})
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    event = AuditEvent.objects.get(action="activity.evidence_removed")
    assert event.before["sha256"] == evidence.sha256
    assert event.after["reason"].startswith("Fel fil")


def test_the_file_is_deleted_once_the_removal_commits(
    world, quality_activity, settings, django_capture_on_commit_callbacks
):
    evidence = uploads.evidence_add(
        actor=world.orderer_vm, activity=quality_activity, upload=SimpleUploadedFile("x.pdf", PDF)
    )
    assert len(stored_files(settings)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        uploads.evidence_remove(actor=world.orderer_vm, evidence=evidence, reason="Fel fil.")
    assert stored_files(settings) == []


def test_evidence_of_a_follow_up_under_review_or_done_stays(world, client_for, quality_activity):
    client = client_for(world.orderer_vm)
    upload(client, quality_activity, "protokoll.pdf", PDF)
    evidence = Evidence.objects.get()
    activity = services.activity_start(actor=world.orderer_vm, activity=evidence.activity)
    services.activity_complete(actor=world.orderer_vm, activity=activity, outcome="compliant")
    assert "ta-bort" not in client.get(reverse("followups:detail", args=[activity.uuid])).content.decode()
    response = client.post(remove_url(evidence), {"reason": "Ångrar mig."})
    assert response.status_code == 400
    assert Evidence.objects.exists()


def test_outsiders_cannot_remove_evidence(world, client_for, quality_activity):
    upload(client_for(world.orderer_vm), quality_activity, "protokoll.pdf", PDF)
    evidence = Evidence.objects.get()
    assert client_for(world.orderer_sl).post(remove_url(evidence), {"reason": "x"}).status_code == 404
    assert client_for(world.reader).post(remove_url(evidence), {"reason": "x"}).status_code in (403, 404)
    assert Evidence.objects.exists()


def test_prune_orphan_files_deletes_only_old_unreferenced_files(world, client_for, quality_activity, settings):
    upload(client_for(world.orderer_vm), quality_activity, "protokoll.pdf", PDF)
    kept = Evidence.objects.get().file.path
    root = Path(settings.MEDIA_ROOT)
    old_orphan = root / "evidence" / "orphan-old.pdf"
    new_orphan = root / "evidence" / "orphan-new.pdf"
    for path in (old_orphan, new_orphan):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PDF)
    two_days_ago = time.time() - 48 * 3600
    os.utime(old_orphan, (two_days_ago, two_days_ago))
    os.utime(kept, (two_days_ago, two_days_ago))

    out = io.StringIO()
    call_command("prune_orphan_files", "--dry-run", stdout=out)
    assert "would delete evidence/orphan-old.pdf" in out.getvalue()
    assert old_orphan.exists()

    out = io.StringIO()
    call_command("prune_orphan_files", stdout=out)
    assert "1 orphaned file(s)" in out.getvalue()
    assert not old_orphan.exists()
    assert new_orphan.exists()  # younger than a day: maybe an upload in progress
    assert Path(kept).exists()
