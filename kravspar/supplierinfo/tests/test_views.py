"""Document management (administrators), acknowledgement (supplier contacts) and the
acknowledgement overview (Inköp and administrators): who may see and do what."""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse

from kravspar.audit.models import AuditEvent
from kravspar.supplierinfo import selectors, services
from kravspar.supplierinfo.models import Acknowledgement, PolicyDocument, RegionContact
from kravspar.supplierinfo.tests.conftest import PDF, named_file
from kravspar.testing.factories import SupplierFactory, UserFactory

ACK = reverse("supplierinfo:acknowledge")
DOCS = reverse("supplierinfo:document_list")
CREATE = reverse("supplierinfo:document_create")


def manage_urls(document):
    return [
        reverse("supplierinfo:document_edit", args=[document.uuid]),
        reverse("supplierinfo:version_create", args=[document.uuid]),
        reverse("supplierinfo:document_withdraw", args=[document.uuid]),
        CREATE,
    ]


# --- managing documents ------------------------------------------------------------------------


def test_anonymous_cannot_manage_or_see_the_management_pages(client, world, policy):
    for url in [*manage_urls(policy), DOCS, reverse("supplierinfo:document_detail", args=[policy.uuid])]:
        response = client.get(url)
        assert response.status_code == 302 and "/logga-in/" in response["Location"], url
    response = client.post(CREATE, {"title": "X", "kind": "policy"})
    assert response.status_code == 302 and "/logga-in/" in response["Location"]
    assert PolicyDocument.objects.count() == 1


@pytest.mark.parametrize("persona", ["officer", "orderer_vm", "reader", "supplier_contact"])
def test_only_administrators_manage_documents(client_for, world, policy, persona):
    client = client_for(getattr(world, persona))
    for url in manage_urls(policy):
        assert client.get(url).status_code == 403, url
    assert client.post(CREATE, {"title": "X", "kind": "policy"}).status_code == 403
    url = reverse("supplierinfo:document_withdraw", args=[policy.uuid])
    assert client.post(url, {"reason": "Bort"}).status_code == 403
    assert client.post(reverse("supplierinfo:document_restore", args=[policy.uuid])).status_code == 403
    url = reverse("supplierinfo:region_contact_edit", args=[world.sormland.uuid])
    assert client.get(url).status_code == 403
    assert client.post(url, {"phone": "1"}).status_code == 403
    policy.refresh_from_db()
    assert not policy.is_withdrawn and PolicyDocument.objects.count() == 1
    assert not RegionContact.objects.exists()


@pytest.mark.parametrize("persona", ["orderer_vm", "reader", "env_vm", "supplier_contact"])
def test_document_pages_are_for_inkop_and_administrators(client_for, world, policy, persona):
    client = client_for(getattr(world, persona))
    assert client.get(DOCS).status_code == 403
    assert client.get(reverse("supplierinfo:document_detail", args=[policy.uuid])).status_code == 403


def test_officer_reads_documents_without_management_buttons(client_for, world, policy):
    client = client_for(world.officer)
    html = client.get(reverse("supplierinfo:document_detail", args=[policy.uuid])).content.decode()
    assert "Inköpspolicy" in html
    assert reverse("supplierinfo:version_create", args=[policy.uuid]) not in html
    assert reverse("supplierinfo:document_withdraw", args=[policy.uuid]) not in html


def test_administrator_creates_publishes_with_a_file_and_sees_history(client_for, world):
    client = client_for(world.admin)
    response = client.post(CREATE, {"title": "Uppförandekod", "kind": "code_of_conduct", "description": "Koden."})
    document = PolicyDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supplierinfo:version_create", args=[document.uuid])
    response = client.post(
        response["Location"],
        {"label": "2021", "valid_from": "2021-01-01", "file": named_file("kod.pdf", PDF), "change_note": "Första"},
    )
    assert response.status_code == 302
    version = document.versions.get()
    assert version.content_type == "application/pdf" and version.published_by == world.admin
    html = client.get(reverse("supplierinfo:document_detail", args=[document.uuid])).content.decode()
    assert "kod.pdf" in html
    assert "policy_document.version_published" in html  # the history section
    assert "policy_document.created" in html


def test_edit_keeps_what_was_typed_on_error_and_refuses_stale_versions(client_for, world, policy):
    client = client_for(world.admin)
    url = reverse("supplierinfo:document_edit", args=[policy.uuid])
    policy.refresh_from_db()
    response = client.post(url, {"title": "", "kind": "policy", "description": "Ny text", "version": policy.version})
    assert response.status_code == 400
    assert "Ny text" in response.content.decode()
    assert response.context["form"].errors["title"]
    response = client.post(url, {"title": "A", "kind": "policy", "version": policy.version - 1})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    policy.refresh_from_db()
    assert policy.title == "Inköpspolicy"


def test_upload_of_the_wrong_type_is_refused_and_nothing_is_lost(client_for, world, policy):
    client = client_for(world.admin)
    url = reverse("supplierinfo:version_create", args=[policy.uuid])
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 50
    response = client.post(
        url, {"label": "2026", "valid_from": "2026-01-01", "file": named_file("policy.pdf", png), "change_note": "Ny"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    html = response.content.decode()
    assert 'value="2026"' in html and "Ny</textarea>" in html
    assert policy.versions.count() == 2


def test_upload_that_is_too_big_is_refused(client_for, world, policy, settings):
    settings.KRAVSPAR_MAX_EVIDENCE_BYTES = 10
    client = client_for(world.admin)
    url = reverse("supplierinfo:version_create", args=[policy.uuid])
    response = client.post(url, {"label": "2026", "valid_from": "2026-01-01", "file": named_file("p.pdf", PDF)})
    assert response.status_code == 400
    assert "10" in response.context["form"].errors["file"][0]
    assert policy.versions.count() == 2


def test_version_form_asks_for_a_file_or_a_valid_link(client_for, world, policy):
    client = client_for(world.admin)
    url = reverse("supplierinfo:version_create", args=[policy.uuid])
    response = client.post(url, {"label": "2026", "valid_from": "2026-01-01"})
    assert response.status_code == 400 and response.context["form"].errors["file"]
    response = client.post(url, {"label": "2026", "valid_from": "2026-01-01", "url": "javascript:alert(1)"})
    assert response.status_code == 400 and response.context["form"].errors["url"]
    response = client.post(url, {"label": "2026", "valid_from": "", "url": "https://x.se/"})
    assert response.status_code == 400 and response.context["form"].errors["valid_from"]
    assert policy.versions.count() == 2


def test_withdrawing_asks_for_confirmation_and_a_reason(client_for, world, policy):
    client = client_for(world.admin)
    url = reverse("supplierinfo:document_withdraw", args=[policy.uuid])
    response = client.get(url)
    assert response.status_code == 200
    policy.refresh_from_db()
    assert not policy.is_withdrawn  # a GET only asks
    response = client.post(url, {"reason": "", "version": policy.version})
    assert response.status_code == 400
    response = client.post(url, {"reason": "Ersatt av 2026 års policy", "version": policy.version})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.is_withdrawn and policy.withdrawn_reason == "Ersatt av 2026 års policy"
    assert "<h3>Inköpspolicy</h3>" not in Client().get(reverse("supplierinfo:public")).content.decode()
    # Restoring is one POST from the document page.
    response = client.post(reverse("supplierinfo:document_restore", args=[policy.uuid]))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert not policy.is_withdrawn


def test_management_views_refuse_get_for_restore(client_for, world, policy):
    client = client_for(world.admin)
    assert client.get(reverse("supplierinfo:document_restore", args=[policy.uuid])).status_code == 405


def test_unknown_document_is_not_found(client_for, world):
    client = client_for(world.admin)
    assert client.get(reverse("supplierinfo:document_detail", args=["not-a-uuid"])).status_code == 404
    url = reverse("supplierinfo:document_detail", args=["7b0a4f5e-0000-4000-8000-000000000000"])
    assert client.get(url).status_code == 404


def test_document_list_search_filters_and_query_count(client_for, world, policy, django_assert_max_num_queries):
    for n in range(30):
        document = services.document_create(actor=None, title=f"Riktlinje {n}", kind="guideline")
        services.version_publish(
            actor=None, document=document, label="1", valid_from=datetime.date(2025, 1, 1), url="https://x.se/"
        )
    client = client_for(world.officer)
    with django_assert_max_num_queries(8):
        response = client.get(DOCS)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 31
    response = client.get(DOCS, {"q": "inköps"})
    assert [d.title for d in response.context["page"].object_list] == ["Inköpspolicy"]
    response = client.get(DOCS, {"kind": "guideline", "sida": 2}, HTTP_HX_REQUEST="true")
    assert response.templates[0].name == "supplierinfo/_document_results.html"
    response = client.get(DOCS, {"state": "withdrawn"})
    assert response.context["page"].paginator.count == 0
    response = client.get(DOCS, {"q": "zzz"})
    assert response.context["page"].paginator.count == 0
    assert 'class="empty"' in response.content.decode()


# --- region contact details ----------------------------------------------------------------------


def test_administrator_edits_region_contact_details(client_for, world):
    client = client_for(world.admin)
    url = reverse("supplierinfo:region_contact_edit", args=[world.vastmanland.uuid])
    response = client.post(url, {"phone": "021-17 30 00", "email": "inte-en-adress"})
    assert response.status_code == 400 and response.context["form"].errors["email"]
    response = client.post(url, {"phone": "021-17 30 00", "email": "region@regionvastmanland.se"})
    assert response.status_code == 302
    assert RegionContact.objects.get().phone == "021-17 30 00"
    assert "region@regionvastmanland.se" in client.get(reverse("supplierinfo:public")).content.decode()


def test_contact_details_only_for_regions(client_for, world, company_of_vastmanland):
    client = client_for(world.admin)
    url = reverse("supplierinfo:region_contact_edit", args=[company_of_vastmanland.uuid])
    assert client.get(url).status_code == 404


# --- acknowledging ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, world, policy):
    response = client.get(ACK)
    assert response.status_code == 302 and "/logga-in/" in response["Location"]


@pytest.mark.parametrize("persona", ["admin", "officer", "orderer_vm", "reader"])
def test_buyers_cannot_acknowledge(client_for, world, policy, persona):
    client = client_for(getattr(world, persona))
    current = selectors.current_versions().get()
    assert client.get(ACK).status_code == 403
    assert client.post(ACK, {"version": str(current.uuid)}).status_code == 403
    assert not Acknowledgement.objects.exists()


def test_supplier_contact_acknowledges_each_current_version(client_for, world, policy, code_of_conduct, contact_a):
    client = client_for(contact_a)
    response = client.get(ACK)
    assert response.status_code == 200
    assert response.context["remaining"] == 2
    current = policy.versions.get(label="2024")
    response = client.post(ACK, {"version": str(current.uuid)})
    assert response.status_code == 302
    assert Acknowledgement.objects.get().user == contact_a
    response = client.get(ACK)
    assert response.context["remaining"] == 1
    # Twice is harmless.
    client.post(ACK, {"version": str(current.uuid)})
    assert Acknowledgement.objects.count() == 1


def test_supplier_contact_acknowledges_only_for_themself(client_for, world, policy, contact_a, contact_b):
    current = selectors.current_versions().get()
    client = client_for(contact_a)
    client.post(ACK, {"version": str(current.uuid), "user": str(contact_b.pk), "user_id": str(contact_b.pk)})
    assert list(Acknowledgement.objects.values_list("user__username", flat=True)) == ["supplier"]
    assert selectors.unacknowledged_versions_for(contact_b).count() == 1


def test_earlier_or_unknown_versions_are_not_acknowledged(client_for, world, policy, contact_a):
    client = client_for(contact_a)
    old = policy.versions.get(label="2019")
    for value in (str(old.uuid), "nonsense", ""):
        response = client.post(ACK, {"version": value}, follow=True)
        assert response.status_code == 200
        assert list(response.context["messages"])
    assert not Acknowledgement.objects.exists()


def test_acknowledging_needs_the_csrf_token(world, policy, contact_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(contact_a)
    current = selectors.current_versions().get()
    assert client.post(ACK, {"version": str(current.uuid)}).status_code == 403
    assert not Acknowledgement.objects.exists()


def test_acknowledge_page_empty_state(client_for, world, contact_a):
    response = client_for(contact_a).get(ACK)
    assert response.status_code == 200
    assert response.context["versions"] == []


def test_acknowledge_panel_for_the_supplier_home(world, policy, code_of_conduct, contact_a, rf):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = contact_a
    html = render_to_string("supplierinfo/_acknowledge_panel.html", {"request": request})
    assert "Inköpspolicy" in html and "Uppförandekod för leverantörer" in html
    assert ACK in html
    for version in selectors.current_versions():
        services.acknowledge(actor=contact_a, version=version)
    html = render_to_string("supplierinfo/_acknowledge_panel.html", {"request": request})
    assert "Inköpspolicy" not in html
    request.user = world.officer
    html = render_to_string("supplierinfo/_acknowledge_panel.html", {"request": request})
    assert "Inköpspolicy" not in html


# --- who has acknowledged --------------------------------------------------------------------------


def ack_url(policy, version):
    return reverse("supplierinfo:version_acknowledgements", args=[policy.uuid, version.uuid])


@pytest.mark.parametrize("persona", ["orderer_vm", "reader", "env_vm", "supplier_contact"])
def test_only_inkop_and_administrators_see_who_has_acknowledged(client_for, world, policy, persona):
    version = policy.versions.get(label="2024")
    assert client_for(getattr(world, persona)).get(ack_url(policy, version)).status_code == 403


def test_anonymous_cannot_see_who_has_acknowledged(client, world, policy):
    version = policy.versions.get(label="2024")
    assert client.get(ack_url(policy, version)).status_code == 302


def test_version_of_another_document_is_not_found(client_for, world, policy, code_of_conduct):
    version = code_of_conduct.versions.get()
    assert client_for(world.officer).get(ack_url(policy, version)).status_code == 404


def test_officer_sees_who_has_and_has_not_acknowledged_by_supplier(
    client_for, world, policy, contact_a, contact_a2, contact_b, django_assert_max_num_queries
):
    version = policy.versions.get(label="2024")
    services.acknowledge(actor=contact_b, version=version)
    for n in range(40):
        supplier = SupplierFactory.create(name=f"Zeta {n:02d} AB")
        UserFactory.create(username=f"z{n}", supplier=supplier, roles=["leverantor"])
    client = client_for(world.officer)
    with django_assert_max_num_queries(12):
        response = client.get(ack_url(policy, version))
    assert response.status_code == 200
    assert response.context["counts"] == {"total": 43, "acknowledged": 1, "missing": 42}
    html = response.content.decode()
    assert f"<caption>{contact_b.supplier.name}</caption>" in html
    assert f"<caption>{contact_a.supplier.name}</caption>" in html
    response = client.get(ack_url(policy, version), {"status": "yes"})
    assert [p.username for p in response.context["page"].object_list] == ["supplier_b"]
    response = client.get(ack_url(policy, version), {"status": "no", "q": contact_a.supplier.name})
    assert {p.username for p in response.context["page"].object_list} == {"supplier", "supplier_a2"}
    response = client.get(ack_url(policy, version), {"sida": 2})
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 43 - 25


def test_history_of_acknowledgement_is_recorded(world, policy, contact_a):
    version = selectors.current_versions().get()
    services.acknowledge(actor=contact_a, version=version)
    event = AuditEvent.objects.get(action="policy_document.acknowledged")
    assert event.actor == contact_a and event.object_id == str(version.uuid)


def test_uploads_use_io_objects(world):
    # named_file gives an in-memory file with a name, as a browser would send it.
    f = named_file("x.pdf", PDF)
    assert isinstance(f, io.BytesIO) and f.name == "x.pdf"
