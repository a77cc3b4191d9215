"""The administrators' pages (schedule, register of processing, a person's extract) refuse
everyone else; the privacy page is public in Swedish and English and linked from the footer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from kravspar.audit.models import AuditEvent
from kravspar.records.models import RetentionRule

pytestmark = pytest.mark.django_db


def test_outsiders_are_refused_every_administrator_page(world: Any, client_for: Any) -> None:
    urls = [
        reverse("records:schedule"),
        reverse("records:register"),
        reverse("records:person_extract", args=[world.officer.uuid]),
    ]
    for person in (world.officer, world.reader, world.orderer_vm, world.supplier_contact):
        client = client_for(person)
        for url in urls:
            assert client.get(url).status_code == 403, (person.username, url)
        assert client.post(urls[0], {"decision": "x"}).status_code == 403
    assert not RetentionRule.objects.exists()


def test_the_data_protection_officer_reads_the_register_and_nothing_else_here(world: Any, client_for: Any) -> None:
    from kravspar.accounts.roles import Role
    from kravspar.testing.factories import UserFactory

    dpo = UserFactory.create(
        username="dpo", organisation=world.sormland, unit=world.inkop, roles=[Role.DATA_PROTECTION_OFFICER]
    )
    client = client_for(dpo)
    page = client.get(reverse("records:register"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Register över behandlingar" in html
    assert f'href="{reverse("records:register")}"' in html  # in the navigation
    assert f'href="{reverse("records:schedule")}"' not in html  # the schedule is the administrators'
    # Read-only: the schedule, its changes and people's extracts stay refused.
    assert client.get(reverse("records:schedule")).status_code == 403
    form = {"organisation": world.sormland.uuid, "record_type": "evidence", "anchor": "contract_end"}
    assert (
        client.post(reverse("records:schedule"), {**form, "period": 2, "unit": "years", "decision": "x"}).status_code
        == 403
    )
    assert client.get(reverse("records:person_extract", args=[world.officer.uuid])).status_code == 403
    assert client.post(reverse("records:register")).status_code == 405
    assert not RetentionRule.objects.exists()
    assert not AuditEvent.objects.filter(action="person.extract_downloaded").exists()


def test_the_schedule_and_register_read_a_fixed_number_of_queries(
    world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    from kravspar.records import demo

    client = client_for(world.admin)
    client.get(reverse("records:schedule"))  # warm the session and the caches
    demo.seed()  # six rules
    # Session, person, roles, the rules with their organisations, the form's organisations: no
    # query per rule (six would break the bound).
    with django_assert_max_num_queries(6):
        assert client.get(reverse("records:schedule")).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(reverse("records:register")).status_code == 200


def test_the_administrator_keeps_the_schedule_with_clear_messages(world: Any, client_for: Any) -> None:
    client = client_for(world.admin)
    form = {"organisation": world.sormland.uuid, "record_type": "evidence", "period": 2, "unit": "years"}
    refused = client.post(reverse("records:schedule"), {**form, "anchor": "followup_closed", "decision": "x"})
    assert refused.status_code == 400
    # In Swedish, the default language.
    assert "Räknat från: den här handlingstypen kan inte räknas från den dagen." in refused.content.decode()
    assert not RetentionRule.objects.exists()
    response = client.post(reverse("records:schedule"), {**form, "anchor": "contract_end", "decision": "RS 4.2"})
    assert response.status_code == 302
    rule = RetentionRule.objects.get()
    edit = {"period": 3, "unit": "years", "anchor": "contract_end", "decision": "RS 4.3", "version": 1}
    assert client.post(reverse("records:rule_edit", args=[rule.uuid]), edit).status_code == 302
    assert client.post(reverse("records:rule_edit", args=[rule.uuid]), edit).status_code == 409  # stale version
    assert AuditEvent.objects.filter(action__startswith="retention_rule.").count() == 2
    page = client.get(reverse("records:register")).content.decode()
    assert "RS 4.3" in page


def test_a_persons_extract_holds_what_refers_to_them_and_is_in_the_history(world: Any, client_for: Any) -> None:
    response = client_for(world.admin).get(reverse("records:person_extract", args=[world.officer.uuid]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    extract = json.loads(response.content)
    assert extract["person"]["username"] == "officer"
    assert AuditEvent.objects.filter(action="person.extract_downloaded", object_id=str(world.officer.uuid)).exists()
    person_page = client_for(world.admin).get(reverse("accounts:person_detail", args=[world.officer.uuid]))
    assert reverse("records:person_data", args=[world.officer.uuid]) in person_page.content.decode()


def test_the_privacy_page_is_public_in_both_languages_and_in_the_footer(client: Any) -> None:
    sv = client.get(reverse("records:privacy")).content.decode()
    en = client.get(reverse("records:privacy_en")).content.decode()
    assert "Vad vi lagrar" in sv and reverse("records:privacy") in sv
    assert "What we store" in en
