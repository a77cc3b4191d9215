"""The supplier contact's start page: status, action plans with deadlines, documents to
renew and what they have sent. Nobody else has one."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

from kravspar.findings import services as findings_services
from kravspar.portal.tests.conftest import make_contract, make_deviation_with_plan, make_document

HOME = "/leverantor/"


def test_the_url_name_is_portal_home() -> None:
    assert reverse("portal:home") == HOME


def test_home_shows_status_plans_and_deadlines(contact_a: Any, deviation_a: Any, client_for: Any) -> None:
    body = client_for(contact_a).get(HOME).content.decode()
    assert "Städbolaget AB" in body
    assert "status-yellow" in body  # a major deviation being handled within its deadline
    assert "Lön under kollektivavtalets nivå" in body
    assert deviation_a.deadline.strftime("%Y-%m-%d") in body
    assert reverse("portal:deviation_respond", args=[deviation_a.uuid]) in body
    assert "RS-2025-0001" in body


def test_a_supplier_without_deviations_is_green(contact_a: Any, contract_a: Any, client_for: Any) -> None:
    body = client_for(contact_a).get(HOME).content.decode()
    assert "status-green" in body and "status-red" not in body
    assert "Inga öppna åtgärdsplaner" in body


def test_a_passed_deadline_is_red(world: Any, contact_a: Any, deviation_a: Any, client_for: Any) -> None:
    from kravspar.findings.models import Deviation

    Deviation.objects.filter(pk=deviation_a.pk).update(deadline=datetime.date.today() - datetime.timedelta(days=1))
    assert "status-red" in client_for(contact_a).get(HOME).content.decode()


def test_home_shows_nothing_of_another_supplier(
    contact_a: Any, deviation_a: Any, deviation_b: Any, client_for: Any
) -> None:
    body = client_for(contact_a).get(HOME).content.decode()
    assert "Saknade skyddskläder" not in body and "RS-2025-0002" not in body and "Tvättbolaget" not in body


def test_home_warns_about_expiring_and_stale_documents(contact_a: Any, pdf_bytes: bytes, client_for: Any) -> None:
    today = datetime.date.today()
    make_document(contact_a, pdf_bytes, title="Svanen-licens", valid_until=today + datetime.timedelta(days=10))
    make_document(
        contact_a,
        pdf_bytes,
        title="Uppförandekod 2021",
        kind="governing",
        valid_from=today.replace(year=today.year - 3),
    )
    make_document(contact_a, pdf_bytes, title="ISO 9001", valid_until=today + datetime.timedelta(days=400))
    page = client_for(contact_a).get(HOME).content.decode()
    body = page[page.index('id="documents-heading"') : page.index('id="sent-heading"')]
    assert "Svanen-licens" in body and "Går ut om 10 dagar" in body
    assert "Uppförandekod 2021" in body and "Inaktuellt" in body
    assert "ISO 9001" not in body


def test_home_lists_what_the_supplier_sent(world: Any, contact_a: Any, deviation_a: Any, client_for: Any) -> None:
    findings_services.action_plan_record_response(
        actor=contact_a, deviation=deviation_a, expected_version=None, supplier_response="Vi betalar ut i mars."
    )
    body = client_for(contact_a).get(HOME).content.decode()
    assert "deviation.supplier_response_recorded" in body and "Anna Andersson" in body
    # The buyer's own actions are not the supplier's history.
    assert "deviation.raised" not in body


def test_home_has_bounded_queries(
    world: Any, contact_a: Any, supplier_a: Any, pdf_bytes: bytes, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(6):
        contract = make_contract(world, supplier_a, f"RS-2025-01{n:02d}", f"Avtal {n}")
        make_deviation_with_plan(world, contract, f"Avvikelse {n}")
        make_document(contact_a, pdf_bytes, title=f"Dok {n}", valid_until=datetime.date.today() + datetime.timedelta(5))
    client = client_for(contact_a)
    with django_assert_max_num_queries(30):
        response = client.get(HOME)
    assert response.status_code == 200


def test_buyers_get_403(world: Any, client_for: Any) -> None:
    for persona in ("officer", "orderer_vm", "admin", "reader"):
        assert client_for(getattr(world, persona)).get(HOME).status_code == 403


def test_anonymous_is_sent_to_login(client: Any, world: Any) -> None:
    response = client.get(HOME)
    assert response.status_code == 302 and "/logga-in/" in response["Location"]
