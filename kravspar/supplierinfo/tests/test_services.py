"""Services for documents, versions, acknowledgements and region contact details."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import DomainError, NotAllowedError
from kravspar.organisations.models import OrganisationKind
from kravspar.supplierinfo import demo, selectors, services
from kravspar.supplierinfo.models import Acknowledgement, PolicyDocument, PolicyDocumentVersion, RegionContact
from kravspar.supplierinfo.tests.conftest import PDF, pdf_upload
from kravspar.testing.factories import OrganisationFactory

TODAY = datetime.date(2026, 1, 1)


def publish(actor, document, label, **kwargs):
    kwargs.setdefault("url", f"https://example.se/{label}")
    return services.version_publish(actor=actor, document=document, label=label, valid_from=TODAY, **kwargs)


# --- documents -----------------------------------------------------------------------------


def test_administrator_creates_a_document_and_history_records_it(world):
    document = services.document_create(actor=world.admin, title="  Inköpspolicy ", kind="policy")
    assert document.title == "Inköpspolicy"
    event = AuditEvent.objects.get(object_id=str(document.uuid))
    assert event.action == "policy_document.created"
    assert event.actor == world.admin


@pytest.mark.parametrize("persona", ["officer", "orderer_vm", "reader", "supplier_contact"])
def test_only_administrators_manage_documents(world, policy, persona):
    actor = getattr(world, persona)
    with pytest.raises(NotAllowedError):
        services.document_create(actor=actor, title="X", kind="policy")
    with pytest.raises(NotAllowedError):
        services.document_update(actor=actor, document=policy, title="Y")
    with pytest.raises(NotAllowedError):
        publish(actor, policy, "2030")
    with pytest.raises(NotAllowedError):
        services.document_withdraw(actor=actor, document=policy, reason="Gammal")
    assert PolicyDocument.objects.count() == 1
    assert policy.versions.count() == 2


def test_document_needs_a_title_and_a_known_kind(world):
    with pytest.raises(ValidationError) as exc:
        services.document_create(actor=world.admin, title=" ", kind="poster")
    assert set(exc.value.message_dict) == {"title", "kind"}
    assert not PolicyDocument.objects.exists()


def test_update_refuses_a_stale_version(world, policy):
    policy.refresh_from_db()
    services.document_update(actor=world.admin, document=policy, version=policy.version, title="Ny titel")
    with pytest.raises(DomainError):
        services.document_update(actor=world.admin, document=policy, version=policy.version, title="Annan titel")
    policy.refresh_from_db()
    assert policy.title == "Ny titel"


def test_withdraw_needs_a_reason_and_hides_the_document_until_restored(world, policy):
    with pytest.raises(ValidationError) as exc:
        services.document_withdraw(actor=world.admin, document=policy, reason="  ")
    assert "reason" in exc.value.message_dict
    services.document_withdraw(actor=world.admin, document=policy, reason="Ersatt av ny policy")
    assert not selectors.current_versions().exists()
    assert not selectors.published_documents().exists()
    with pytest.raises(DomainError):
        services.document_withdraw(actor=world.admin, document=policy, reason="Igen")
    with pytest.raises(ValidationError):
        publish(world.admin, policy, "2030")
    services.document_restore(actor=world.admin, document=policy)
    assert selectors.current_versions().get().label == "2024"
    actions = list(AuditEvent.objects.filter(object_id=str(policy.uuid)).values_list("action", flat=True))
    assert "policy_document.withdrawn" in actions
    assert "policy_document.restored" in actions


# --- versions ------------------------------------------------------------------------------


def test_the_latest_published_version_is_current(world, policy):
    current = selectors.current_versions().get(document=policy)
    assert current.label == "2024"
    publish(world.admin, policy, "2026")
    assert selectors.current_versions().get(document=policy).label == "2026"


def test_a_document_without_versions_is_not_published(world):
    services.document_create(actor=world.admin, title="Tom", kind="other")
    assert not selectors.published_documents().exists()
    assert not selectors.current_versions().exists()


def test_version_labels_are_unique_per_document(world, policy):
    with pytest.raises(ValidationError) as exc:
        publish(world.admin, policy, "2024")
    assert "label" in exc.value.message_dict


def test_a_version_is_a_file_or_a_link_not_both_nor_neither(world, policy):
    with pytest.raises(ValidationError) as exc:
        services.version_publish(actor=world.admin, document=policy, label="A", valid_from=TODAY)
    assert "file" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.version_publish(
            actor=world.admin, document=policy, label="B", valid_from=TODAY, url="https://x.se/", upload=pdf_upload()
        )
    assert "file" in exc.value.message_dict
    assert policy.versions.count() == 2


@pytest.mark.parametrize("url", ["javascript:alert(1)", "regionsormland.se/policy", "ftp://example.se/x.pdf"])
def test_links_must_be_web_addresses(world, policy, url):
    with pytest.raises(ValidationError) as exc:
        publish(world.admin, policy, "2030", url=url)
    assert "url" in exc.value.message_dict


def test_valid_from_is_required(world, policy):
    with pytest.raises(ValidationError) as exc:
        services.version_publish(actor=world.admin, document=policy, label="X", valid_from=None, url="https://x.se/")
    assert "valid_from" in exc.value.message_dict


def test_uploaded_file_is_checked_fingerprinted_and_stored_outside_the_web_root(world, settings, policy):
    version = publish(world.admin, policy, "2026", url="", upload=pdf_upload("../../policy.pdf"))
    assert version.content_type == "application/pdf"
    assert version.size == len(PDF)
    assert len(version.sha256) == 64
    assert version.original_name == "policy.pdf"
    path = Path(version.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert "policy" not in path.name  # a random name on disk
    assert not path.is_relative_to(Path(settings.STATIC_ROOT))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bild.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20),  # an image is not a policy document
        ("program.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),  # a binary named .pdf
        ("arkiv.docx", b"PK\x03\x04not really a zip"),
    ],
)
def test_wrong_file_types_are_refused_by_content(world, policy, name, content):
    with pytest.raises(ValidationError) as exc:
        publish(world.admin, policy, "2030", url="", upload=pdf_upload(name, content))
    assert "file" in exc.value.message_dict
    assert policy.versions.count() == 2


def test_too_big_and_empty_files_are_refused(world, policy, settings):
    settings.KRAVSPAR_MAX_EVIDENCE_BYTES = 20
    with pytest.raises(ValidationError) as exc:
        publish(world.admin, policy, "2030", url="", upload=pdf_upload(content=PDF))
    assert "file" in exc.value.message_dict
    with pytest.raises(ValidationError):
        publish(world.admin, policy, "2031", url="", upload=pdf_upload(content=b""))
    assert policy.versions.count() == 2


def test_publishing_writes_history_on_the_document(world, policy):
    events = AuditEvent.objects.filter(object_id=str(policy.uuid), action="policy_document.version_published")
    assert [e.after["version"] for e in events.order_by("id")] == ["2019", "2024"]


# --- acknowledgements ------------------------------------------------------------------------


def test_supplier_contact_acknowledges_the_current_version_once(world, policy, contact_a):
    current = selectors.current_versions().get()
    assert list(selectors.unacknowledged_versions_for(contact_a)) == [current]
    ack, created = services.acknowledge(actor=contact_a, version=current)
    assert created and ack.user == contact_a
    again, created = services.acknowledge(actor=contact_a, version=current)
    assert again == ack and not created
    assert Acknowledgement.objects.count() == 1
    assert not selectors.unacknowledged_versions_for(contact_a).exists()
    assert AuditEvent.objects.filter(action="policy_document.acknowledged", actor=contact_a).count() == 1


def test_a_new_version_must_be_acknowledged_again(world, policy, contact_a):
    services.acknowledge(actor=contact_a, version=selectors.current_versions().get())
    new = publish(world.admin, policy, "2026")
    assert list(selectors.unacknowledged_versions_for(contact_a)) == [new]


def test_an_earlier_version_cannot_be_acknowledged(world, policy, contact_a):
    old = policy.versions.get(label="2019")
    with pytest.raises(services.NotCurrentError):
        services.acknowledge(actor=contact_a, version=old)
    assert not Acknowledgement.objects.exists()


def test_a_withdrawn_document_cannot_be_acknowledged(world, policy, contact_a):
    current = selectors.current_versions().get()
    services.document_withdraw(actor=world.admin, document=policy, reason="Ersatt")
    with pytest.raises(services.NotCurrentError):
        services.acknowledge(actor=contact_a, version=current)
    assert not selectors.unacknowledged_versions_for(contact_a).exists()


@pytest.mark.parametrize("persona", ["admin", "officer", "orderer_vm", "reader"])
def test_buyers_cannot_acknowledge(world, policy, persona):
    user = getattr(world, persona)
    with pytest.raises(NotAllowedError):
        services.acknowledge(actor=user, version=selectors.current_versions().get())
    assert not selectors.unacknowledged_versions_for(user).exists()
    assert not Acknowledgement.objects.exists()


def test_a_supplier_person_without_the_role_cannot_acknowledge(world, policy, contact_a):
    contact_a.groups.clear()
    contact_a = type(contact_a).objects.get(pk=contact_a.pk)  # drop the cached roles
    with pytest.raises(NotAllowedError):
        services.acknowledge(actor=contact_a, version=selectors.current_versions().get())


def test_acknowledgement_rows_group_contacts_by_supplier(world, policy, contact_a, contact_a2, contact_b):
    current = selectors.current_versions().get()
    services.acknowledge(actor=contact_b, version=current)
    rows = list(selectors.acknowledgement_rows(current))
    assert {r.username for r in rows} == {"supplier", "supplier_a2", "supplier_b"}
    names = [r.supplier.name for r in rows]
    assert names == sorted(names)
    assert [r.username for r in selectors.acknowledgement_rows(current, status="yes")] == ["supplier_b"]
    assert {r.username for r in selectors.acknowledgement_rows(current, status="no")} == {"supplier", "supplier_a2"}
    assert selectors.acknowledgement_counts(current) == {"total": 3, "acknowledged": 1, "missing": 2}
    # Buyers are never listed as supplier contacts.
    assert world.officer not in selectors.supplier_contacts()


# --- region contact details --------------------------------------------------------------------


def test_region_contact_details_are_validated_and_versioned(world):
    with pytest.raises(ValidationError) as exc:
        services.region_contact_save(actor=world.admin, organisation=world.sormland, email="post@", website="x")
    assert set(exc.value.message_dict) == {"email", "website"}
    contact = services.region_contact_save(
        actor=world.admin, organisation=world.sormland, phone="0155-24 50 00", email="post@regionsormland.se"
    )
    services.region_contact_save(
        actor=world.admin, organisation=world.sormland, version=contact.version, phone="0155-24 50 01"
    )
    with pytest.raises(DomainError):
        services.region_contact_save(
            actor=world.admin, organisation=world.sormland, version=contact.version, phone="0155-1"
        )
    contact.refresh_from_db()
    assert contact.phone == "0155-24 50 01"
    assert contact.email == "post@regionsormland.se"


def test_contact_details_are_for_regions_only_and_administrators_only(world):
    company = OrganisationFactory.create(kind=OrganisationKind.COMPANY, parent=world.sormland)
    with pytest.raises(ValidationError):
        services.region_contact_save(actor=world.admin, organisation=company, phone="1")
    with pytest.raises(NotAllowedError):
        services.region_contact_save(actor=world.officer, organisation=world.sormland, phone="1")
    assert not RegionContact.objects.exists()


# --- demo --------------------------------------------------------------------------------------


def test_demo_is_idempotent_and_gives_the_feed_history(world):
    demo.seed()
    counts = (PolicyDocument.objects.count(), PolicyDocumentVersion.objects.count(), RegionContact.objects.count())
    demo.seed()
    assert (
        PolicyDocument.objects.count(),
        PolicyDocumentVersion.objects.count(),
        RegionContact.objects.count(),
    ) == counts
    assert counts == (3, 4, 2)
    kinds = set(PolicyDocument.objects.values_list("kind", flat=True))
    assert kinds == {"policy", "guideline", "code_of_conduct"}
    assert PolicyDocument.objects.filter(versions__label="2019").filter(versions__label="2024").count() == 1
    assert all(v.is_link for v in PolicyDocumentVersion.objects.all())


def test_a_failed_publish_leaves_no_file_behind(world, settings, policy, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the history could not be written")

    monkeypatch.setattr(services, "audit_record", fail)
    with pytest.raises(RuntimeError):
        publish(world.admin, policy, "2026", url="", upload=pdf_upload())
    assert policy.versions.count() == 2
    folder = Path(settings.MEDIA_ROOT) / "policy-documents"
    assert not folder.exists() or not any(folder.iterdir())
