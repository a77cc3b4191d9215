"""Secrecy-marked questionnaire answers, persona by persona: the request's page shows that the
answers are marked, not what they say; the answer files answer 404 outside the provision's
circle and every download inside it is logged."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kravspar.questionnaires.tests import conftest as stories
from kravspar.secrecy import services
from kravspar.secrecy.models import DownloadLog, MarkKind, Provision

# The request stories' fixtures: Region Västmanland's cleaning contract and a submitted request.
contract = stories.contract
planned = stories.planned
make_contract = stories.make_contract
supplier_a = stories.supplier_a
labour_activity = stories.labour_activity
template = stories.template
draft = stories.draft
sent = stories.sent
submitted = stories.submitted

ANSWER = "policy.pdf"  # the answer file's name: part of the answers


@pytest.fixture
def marked_answers(world: Any, submitted: Any) -> Any:
    # The officer is on the contract as the one responsible for its labour follow-up.
    submitted.activity.responsible_person = world.officer
    submitted.activity.save(update_fields=["responsible_person"])
    return services.mark_set(
        actor=world.officer,
        kind=MarkKind.ANSWERS,
        item=submitted,
        provision=Provision.objects.get(code="OSL 31 kap. 16 §"),
        reason="Leverantörens lönenivåer.",
    )


@pytest.mark.parametrize(
    ("persona", "sees"), [("officer", True), ("reader", False), ("admin", False), ("orderer_vm", False)]
)
def test_marked_answers_per_persona(
    world: Any, submitted: Any, marked_answers: Any, client_for: Any, persona: str, sees: bool
) -> None:
    client = client_for(getattr(world, persona))
    page = client.get(reverse("questionnaires:detail", args=[submitted.uuid]))
    body = page.content.decode()
    assert page.status_code == 200 and (ANSWER in body) is sees
    if not sees:
        assert "Sekretessmarkerad enligt OSL 31 kap. 16 §" in body
    stored = submitted.files.get()
    file_url = reverse("questionnaires:file", args=[submitted.uuid, stored.uuid])
    assert client.get(file_url).status_code == (200 if sees else 404)
    assert DownloadLog.objects.filter(object_uuid=stored.uuid).count() == (1 if sees else 0)


def test_the_supplier_the_answers_concern_still_reaches_its_own_file(
    world: Any, submitted: Any, marked_answers: Any, client_for: Any
) -> None:
    stored = submitted.files.get()
    url = reverse("questionnaires:file", args=[submitted.uuid, stored.uuid])
    assert client_for(world.supplier_contact).get(url).status_code == 200
    assert DownloadLog.objects.get().user == world.supplier_contact
