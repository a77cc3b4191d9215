"""Issue 14's done-when: secrecy-marked items are out of reach, persona by persona, in pages,
the API, exports and open data, while their existence (title, date, provision) stays visible
to those who see the parent record. (The step-2 documents' own persona test is
labour/tests/test_followup.py::TestWhoOpensAStepTwoDocument, which also checks their
downloads are logged.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kravspar.findings.models import Deviation
from kravspar.opendata.withholding import publishable_deviations_q
from kravspar.secrecy.models import DownloadLog, DownloadReason, MarkKind
from kravspar.secrecy.tests.conftest import FILE_NAME

SECRET = "Bertil fick 98 kr i timmen."  # the deviation's description: its content

# Who may see the marked items under the default rule: the Inköp officer on the contract
# (responsible for its follow-up) and supplier A's contact (the supplier they concern).
# Everyone else, buyers who see the contract included, gets 404 for the file and the API,
# the stub for the deviation's page, and nothing in exports.
PERSONAS = [
    # persona, evidence file, deviation page shows content, deviation API, library file
    ("officer", 200, True, 200, 200),
    ("other_officer", 404, False, 404, 404),
    ("admin", 404, False, 404, 404),
    ("reader", 404, False, 404, 404),
    ("orderer_vm", 404, False, 404, 404),
    ("orderer_sl", 404, False, 404, 404),
    ("env_vm", 404, False, 404, 404),
    ("dpo", 404, False, 404, 404),
    ("contact", 404, False, 404, 200),
    ("outsider", 404, False, 404, 404),
]


def person(world: Any, cast: Any, name: str) -> Any:
    return getattr(cast, name, None) or getattr(world, name)


@pytest.mark.parametrize(("persona", "evidence", "deviation_page", "deviation_api", "library"), PERSONAS)
def test_marked_items_per_persona(
    world: Any,
    cast: Any,
    marked: Any,
    client_for: Any,
    persona: str,
    evidence: int,
    deviation_page: bool,
    deviation_api: int,
    library: int,
) -> None:
    client = client_for(person(world, cast, persona))
    evidence_url = reverse("followups:evidence_download", args=[cast.evidence.activity.uuid, cast.evidence.uuid])
    assert client.get(evidence_url).status_code == evidence

    page = client.get(reverse("findings:detail", args=[cast.deviation.uuid]))
    body = page.content.decode() if page.status_code == 200 else ""
    assert (SECRET in body) is deviation_page
    if page.status_code == 200 and not deviation_page:
        # The existence stays visible to whoever sees the contract: title, date, provision.
        assert cast.deviation.title in body and "Sekretessmarkerad enligt OSL 39 kap. 3 §" in body

    assert client.get(f"/api/v1/deviations/{cast.deviation.uuid}").status_code == deviation_api
    listed = client.get("/api/v1/deviations")
    if listed.status_code == 200:
        uuids = {item["uuid"] for item in listed.json()["items"]}
        assert (str(cast.deviation.uuid) in uuids) is (deviation_api == 200)

    assert client.get(reverse("portal:document_file", args=[cast.document.uuid])).status_code == library

    export = client.get(reverse("reports:export", args=["avvikelser", "csv"]))
    if export.status_code == 200:
        text = b"".join(export.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
        assert (cast.deviation.title in text) is deviation_page


def test_the_deviation_list_shows_the_existence_without_the_details(
    world: Any, cast: Any, marked: Any, client_for: Any
) -> None:
    body = client_for(world.reader).get(reverse("findings:list")).content.decode()
    assert cast.deviation.title in body and "Sekretessmarkerad enligt OSL 39 kap. 3 §" in body
    officer_body = client_for(world.officer).get(reverse("findings:list")).content.decode()
    assert "Sekretessmarkerad enligt" not in officer_body


def test_a_marked_deviation_is_never_published_as_open_data(world: Any, cast: Any, marked: Any, with_plan: Any) -> None:
    import datetime

    with_plan(cast.deviation, datetime.date.today() + datetime.timedelta(days=20))
    assert not Deviation.objects.filter(publishable_deviations_q(), pk=cast.deviation.pk).exists()
    from kravspar.secrecy import services

    services.mark_remove(actor=world.officer, mark=marked[MarkKind.DEVIATION], reason="Bedömd som offentlig.")
    assert Deviation.objects.filter(publishable_deviations_q(), pk=cast.deviation.pk).exists()


def test_a_provision_can_widen_the_circle_to_a_role(world: Any, cast: Any, marked: Any, client_for: Any) -> None:
    from kravspar.secrecy import services

    provision = cast.provision
    services.provision_save(
        actor=world.admin,
        provision=provision,
        code=provision.code,
        title=provision.title,
        roles=["administrator"],
        officers_on_contract=True,
        concerned_supplier=False,
    )
    url = reverse("followups:evidence_download", args=[cast.evidence.activity.uuid, cast.evidence.uuid])
    assert client_for(world.admin).get(url).status_code == 200
    assert client_for(cast.contact).get(reverse("portal:document_file", args=[cast.document.uuid])).status_code == 404


def test_downloads_of_marked_files_are_logged(world: Any, cast: Any, marked: Any, client_for: Any) -> None:
    url = reverse("followups:evidence_download", args=[cast.evidence.activity.uuid, cast.evidence.uuid])
    client_for(world.reader).get(url)  # refused: nothing to log
    assert not DownloadLog.objects.exists()
    response = client_for(world.officer).get(url)
    assert response.status_code == 200
    row = DownloadLog.objects.get()
    assert (row.user, row.file_name, row.reason, row.contract, row.mark) == (
        world.officer,
        FILE_NAME,
        DownloadReason.MARKED,
        cast.evidence.activity.contract,
        marked[MarkKind.EVIDENCE],
    )


def test_an_unmarked_evidence_file_is_not_logged(world: Any, cast: Any, client_for: Any) -> None:
    url = reverse("followups:evidence_download", args=[cast.evidence.activity.uuid, cast.evidence.uuid])
    assert client_for(world.reader).get(url).status_code == 200
    assert not DownloadLog.objects.exists()


def test_the_portal_api_gates_and_logs_a_marked_library_file(
    world: Any, cast: Any, marked: Any, client_for: Any
) -> None:
    url = f"/api/v1/portal/documents/{cast.document.uuid}/file"
    assert client_for(cast.outsider).get(url).status_code == 404
    assert client_for(cast.contact).get(url).status_code == 200
    row = DownloadLog.objects.get()
    assert (row.user, row.reason, row.mark) == (cast.contact, DownloadReason.MARKED, marked[MarkKind.SUPPLIER_DOCUMENT])


@pytest.mark.parametrize(("persona", "listed"), [("officer", True), ("reader", False), ("orderer_vm", False)])
def test_the_evidence_api_lists_a_marked_file_only_inside_the_circle(
    world: Any, cast: Any, marked: Any, client_for: Any, persona: str, listed: bool
) -> None:
    response = client_for(getattr(world, persona)).get(f"/api/v1/activities/{cast.evidence.activity.uuid}/evidence")
    assert response.status_code == 200
    assert (str(cast.evidence.uuid) in {e["uuid"] for e in response.json()}) is listed
