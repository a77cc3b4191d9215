"""The maintained tables: administrators keep the central collective agreements and the EU
thresholds on pages with their history; every buyer may read them; nobody else changes them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import NotAllowedError
from kravspar.labour import tables
from kravspar.labour.models import CollectiveAgreement, EUThreshold

D = datetime.date


def agreement_post(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Vårdnära serviceavtalet",
        "parties": "Almega – Kommunal",
        "sector": "Vårdnära service",
        "valid_from": "2025-04-01",
        "valid_to": "2027-03-31",
        "cpv_prefixes": "98341, 9091",
        "source": "Avtalsrörelsen 2025",
    } | overrides


def test_an_administrator_adds_and_changes_an_agreement_with_history(world: Any, client_for: Any) -> None:
    client = client_for(world.admin)
    response = client.post(reverse("labour:agreement_create"), agreement_post())
    assert response.status_code == 302
    agreement = CollectiveAgreement.objects.get(name="Vårdnära serviceavtalet")
    assert agreement.cpv_prefixes == ["98341", "9091"] and agreement.is_active

    url = reverse("labour:agreement", args=[agreement.uuid])
    response = client.post(url, agreement_post(sector="Städ och service", version=agreement.version))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.sector == "Städ och service" and not agreement.is_active  # unticked: inactive
    page = client.get(url).content.decode()
    assert "Kollektivavtal ändrat" in page and "Städ och service" in page

    # A stale version is refused as a concurrent edit.
    response = client.post(url, agreement_post(version=agreement.version - 1))
    assert response.status_code == 400
    assert "Någon annan" in response.content.decode()


def test_an_agreement_needs_name_parties_sector_and_digits_as_cpv(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        tables.agreement_create(
            actor=world.admin, name=" ", parties="", sector="x", valid_from=D(2026, 1, 1), cpv_prefixes=["90a"]
        )
    assert set(exc.value.message_dict) == {"name", "parties", "cpv_prefixes"}
    assert exc.value.message_dict["parties"] == ["Parter: detta får inte vara tomt."]


@pytest.mark.parametrize("persona", ["officer", "reader", "orderer_vm"])
def test_buyers_read_the_tables_but_only_administrators_change_them(world: Any, client_for: Any, persona: str) -> None:
    user = getattr(world, persona)
    client = client_for(user)
    agreement = CollectiveAgreement.objects.get(name="Serviceentreprenadavtalet")
    threshold = EUThreshold.objects.order_by("id").first()
    assert threshold is not None
    assert client.get(reverse("labour:agreements")).status_code == 200
    page = client.get(reverse("labour:agreement", args=[agreement.uuid]))
    assert page.status_code == 200 and b'method="post"' not in page.content.split(b"<main")[1]
    assert client.get(reverse("labour:thresholds")).status_code == 200
    assert client.get(reverse("labour:threshold", args=[threshold.uuid])).status_code == 200
    assert client.get(reverse("labour:agreement_create")).status_code == 403
    assert client.get(reverse("labour:threshold_create")).status_code == 403
    response = client.post(reverse("labour:agreement", args=[agreement.uuid]), agreement_post(version=1))
    assert response.status_code == 403
    with pytest.raises(NotAllowedError):
        tables.agreement_update(actor=user, agreement=agreement, expected_version=None, sector="x")
    with pytest.raises(NotAllowedError):
        tables.threshold_set(
            actor=user,
            valid_from=D(2026, 1, 1),
            valid_to=D(2027, 12, 31),
            buyer_category="sub_central",
            contract_kind="services",
            amount_eur="216000",
            amount_sek="1",
            source="x",
        )


def test_a_supplier_contact_reaches_no_table(world: Any, client_for: Any) -> None:
    client = client_for(world.supplier_contact)
    agreement = CollectiveAgreement.objects.get(name="Serviceentreprenadavtalet")
    assert client.get(reverse("labour:agreements")).status_code == 403
    assert client.get(reverse("labour:agreement", args=[agreement.uuid])).status_code == 403
    assert client.get(reverse("labour:thresholds")).status_code == 403


def test_an_administrator_corrects_a_threshold_in_kronor_as_written(world: Any, client_for: Any) -> None:
    client = client_for(world.admin)
    row = EUThreshold.objects.get(valid_from=D(2026, 1, 1), buyer_category="sub_central", contract_kind="services")
    page = client.get(reverse("labour:thresholds")).content.decode()
    assert "preliminära" in page  # the 2026–2027 kronor values are marked provisional
    post = {
        "valid_from": "2026-01-01",
        "valid_to": "2027-12-31",
        "buyer_category": "sub_central",
        "contract_kind": "services",
        "amount_eur": "216 000",
        "amount_sek": "2 400 123",
        "source": "Kommissionens meddelande 2025/C",
    }
    response = client.post(reverse("labour:threshold", args=[row.uuid]), post)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.amount_sek == Decimal(2_400_123) and row.version == 2
    assert client.get(reverse("labour:threshold", args=[row.uuid])).content.decode().count("EU-tröskelvärde satt") == 1

    response = client.post(reverse("labour:threshold_create"), post | {"amount_sek": "två miljoner", "amount_eur": "0"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["amount_sek"] == ["Tröskelvärde (SEK): skriv ett helt belopp, t.ex. 2 447 280."]
    assert errors["amount_eur"] == ["Tröskelvärde (EUR): skriv ett belopp över noll."]


def test_the_command_reads_amounts_as_text_and_refuses_nonsense(db: Any) -> None:
    args = ["--from=2028-01-01", "--to=2029-12-31", "--category=sub_central", "--kind=works", "--source=EU"]
    call_command("set_eu_threshold", *args, "--eur=5 400 000", "--sek=61 000 000", stdout=StringIO())
    row = EUThreshold.objects.get(valid_from=D(2028, 1, 1), contract_kind="works")
    assert row.amount_sek == Decimal(61_000_000)
    with pytest.raises(CommandError):
        call_command("set_eu_threshold", *args, "--eur=NaN", "--sek=1", stdout=StringIO())
    assert AuditEvent.objects.filter(action="labour.threshold_set").count() == 1
