"""The secrecy pages: marking through the page, the mark's page with its decisions, the
provision list, and the download log for administrators and the DPO only."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from kravspar.secrecy.models import DownloadKind, DownloadLog, DownloadReason, MarkKind, SecrecyMark

LOG = reverse("secrecy:downloads")


def test_an_officer_marks_an_evidence_file_and_records_a_decision(world: Any, cast: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    url = reverse("secrecy:mark", args=["evidence", cast.evidence.uuid])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"provision": "", "reason": ""})
    assert refused.status_code == 400 and "Bestämmelse: välj en bestämmelse i listan." in refused.content.decode()
    assert client.post(url, {"provision": cast.provision.pk, "reason": "Lönespecifikation."}).status_code == 302
    mark = SecrecyMark.objects.get(kind=MarkKind.EVIDENCE)
    page = reverse("secrecy:detail", args=[mark.uuid])
    today = datetime.date.today().isoformat()
    decided = client.post(
        page,
        {
            "action": "decide",
            "requested_on": today,
            "decided_on": today,
            "outcome": "refused",
            "provision": cast.provision.pk,
        },
    )
    assert decided.status_code == 302 and mark.decisions.get().outcome == "refused"
    body = client.get(page).content.decode()
    assert "Avslag" in body and "OSL 39 kap. 3 §" in body


def test_removing_a_mark_on_its_page_needs_a_reason_and_a_known_action(
    world: Any, marked: Any, client_for: Any
) -> None:
    client = client_for(world.officer)
    mark = marked[MarkKind.DEVIATION]
    page = reverse("secrecy:detail", args=[mark.uuid])
    refused = client.post(page, {"action": "unmark", "reason": " "})
    assert refused.status_code == 400 and "Skäl: ange varför markeringen tas bort." in refused.content.decode()
    assert client.post(page, {"action": "other", "reason": "Fel ärende."}).status_code == 400
    mark.refresh_from_db()
    assert mark.active
    assert client.post(page, {"action": "unmark", "reason": "Fel ärende."}).status_code == 302
    mark.refresh_from_db()
    assert not mark.active and mark.removal_reason == "Fel ärende."


@pytest.mark.parametrize("persona", ["reader", "orderer_vm", "supplier_contact"])
def test_readers_orderers_and_suppliers_cannot_mark(world: Any, cast: Any, client_for: Any, persona: str) -> None:
    url = reverse("secrecy:mark", args=["evidence", cast.evidence.uuid])
    response = client_for(getattr(world, persona)).post(url, {"provision": cast.provision.pk, "reason": "x"})
    assert response.status_code in (403, 404)
    assert not SecrecyMark.objects.exists()


def test_the_register_of_marks_is_for_those_who_mark(world: Any, cast: Any, marked: Any, client_for: Any) -> None:
    assert cast.deviation.title in client_for(world.officer).get(reverse("secrecy:list")).content.decode()
    assert client_for(world.reader).get(reverse("secrecy:list")).status_code == 403
    mark = marked[MarkKind.DEVIATION]
    assert client_for(cast.outsider).get(reverse("secrecy:detail", args=[mark.uuid])).status_code == 404


def test_administrators_keep_the_provisions_through_the_page(world: Any, client_for: Any) -> None:
    data = {"code": "OSL 30 kap. 23 §", "title": "Tillsyn", "officers_on_contract": "on", "active": "on"}
    assert client_for(world.officer).post(reverse("secrecy:provision_create"), data).status_code == 403
    assert client_for(world.admin).post(reverse("secrecy:provision_create"), data).status_code == 302
    assert "OSL 30 kap. 23 §" in client_for(world.officer).get(reverse("secrecy:provisions")).content.decode()


@pytest.mark.parametrize(("persona", "status"), [("admin", 200), ("dpo", 200), ("officer", 403), ("reader", 403)])
def test_the_download_log_is_for_administrators_and_the_dpo(
    world: Any, cast: Any, client_for: Any, persona: str, status: int
) -> None:
    person = getattr(cast, persona, None) or getattr(world, persona)
    assert client_for(person).get(LOG).status_code == status


def test_the_download_log_filters_pages_and_keeps_its_query_count(
    world: Any, cast: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        DownloadLog.objects.create(
            user=world.officer if i % 2 else cast.contact,
            kind=DownloadKind.EVIDENCE,
            reason=DownloadReason.PERSONAL_DATA,
            object_uuid=cast.evidence.uuid,
            file_name=f"lonebesked-{i}.pdf",
            contract=cast.evidence.activity.contract,
        )
    client = client_for(cast.dpo)
    with django_assert_max_num_queries(8):
        page = client.get(LOG)
    assert len(page.context["page"].object_list) == 25
    filtered = client.get(LOG, {"user": world.officer.pk, "q": "lonebesked-1"})
    assert {row.file_name for row in filtered.context["page"].object_list} == {
        "lonebesked-1.pdf",
        "lonebesked-11.pdf",
        "lonebesked-13.pdf",
        "lonebesked-15.pdf",
        "lonebesked-17.pdf",
        "lonebesked-19.pdf",
    }
