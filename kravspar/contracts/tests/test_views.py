"""Contract pages from each persona's side: Inköp registers and changes, a beställare
in Västmanland sees only contracts Västmanland may call off from, a supplier sees none."""

import pytest
from django.urls import reverse

from kravspar.contracts import services
from kravspar.contracts.models import Contract
from kravspar.contracts.tests.conftest import contract_fields
from kravspar.followups.planning import contract_replan
from kravspar.suppliers.models import Supplier

pytestmark = pytest.mark.django_db


def detail(contract):
    return reverse("contracts:detail", kwargs={"key": contract.uuid})


def test_the_officer_registers_a_contract_from_an_awarded_procurement(world, client_for, awarded, cleaner):
    client = client_for(world.officer)
    url = reverse("contracts:create") + f"?upphandling={awarded.uuid}"
    page = client.get(url)
    assert page.status_code == 200 and "Städtjänster" in page.content.decode()
    data = contract_fields(signed_on="2026-01-15", starts_on="2026-02-01", ends_on="2028-01-31")
    data |= {"suppliers": [cleaner.pk], "buyers": [world.sormland.pk, world.vastmanland.pk]}
    response = client.post(url, data)
    contract = Contract.objects.get(contract_number="AVT-2026-001")
    assert response.status_code == 302 and response["Location"] == detail(contract)
    assert contract.procurement == awarded and not contract.strategy_missing
    page = client.get(detail(contract)).content.decode()
    assert "Städkvalitet" in page and ("Spot check" in page or "Stickprov" in page)
    # The follow-up plan is on the contract's page at once, each follow-up with its unit.
    first = contract.activities.order_by("due_on", "id").first()
    assert first is not None and reverse("followups:detail", args=[first.uuid]) in page
    assert "Beställaren – " in page and "<td>Inköp</td>" in page
    # The procurement's ordering units call off the contract, and its page names them.
    units = list(awarded.ordering_units.all())
    assert units and set(contract.ordering_units.all()) == set(units)
    assert "Beställande enheter" in page and all(u.name in page for u in units)


def test_wrong_dates_are_shown_on_the_form(world, client_for, cleaner):
    client = client_for(world.officer)
    data = contract_fields(signed_on="2026-03-01", starts_on="2026-02-01", ends_on="2028-01-31")
    data |= {"suppliers": [cleaner.pk], "buyers": [world.sormland.pk]}
    response = client.post(reverse("contracts:create"), data)
    assert response.status_code == 400
    assert "starts_on" in response.context["form"].errors
    assert not Contract.objects.exists()


def test_vastmanland_does_not_see_a_contract_of_sormland_alone(world, client_for, sormland_contract):
    client = client_for(world.orderer_vm)
    assert client.get(detail(sormland_contract)).status_code == 404
    assert "SL-2020-17" not in client.get(reverse("contracts:list")).content.decode()
    for name in ("edit", "extend", "status", "subcontractor_create"):
        assert client.get(reverse(f"contracts:{name}", kwargs={"key": sormland_contract.uuid})).status_code == 404


def test_an_orderer_sees_but_cannot_change_a_joint_contract(world, client_for, joint_contract):
    client = client_for(world.orderer_vm)
    page = client.get(detail(joint_contract))
    assert (
        page.status_code == 200
        and reverse("contracts:edit", kwargs={"key": joint_contract.uuid}) not in page.content.decode()
    )
    for name in ("edit", "extend", "status", "subcontractor_create"):
        url = reverse(f"contracts:{name}", kwargs={"key": joint_contract.uuid})
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403
    assert client.get(reverse("contracts:create")).status_code == 403


def test_a_supplier_contact_sees_no_contracts(world, client_for, joint_contract):
    client = client_for(world.supplier_contact)
    assert client.get(reverse("contracts:list")).status_code == 403
    assert client.get(detail(joint_contract)).status_code == 404


def test_a_concurrent_edit_keeps_what_was_typed(world, client_for, joint_contract):
    client = client_for(world.officer)
    url = reverse("contracts:edit", kwargs={"key": joint_contract.uuid})
    stale = joint_contract.version
    services.contract_update(
        actor=world.admin, contract=joint_contract, expected_version=stale, title="Ändrad av admin"
    )
    data = contract_fields(signed_on="2026-01-15", starts_on="2026-02-01", ends_on="2028-01-31", title="Mitt förslag")
    data |= {
        "suppliers": list(joint_contract.suppliers.values_list("pk", flat=True)),
        "buyers": [world.sormland.pk, world.vastmanland.pk],
        "version": stale,
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert 'value="Mitt förslag"' in response.content.decode()
    joint_contract.refresh_from_db()
    assert joint_contract.title == "Ändrad av admin"


def test_using_an_extension_after_confirmation(world, client_for, joint_contract):
    client = client_for(world.officer)
    url = reverse("contracts:extend", kwargs={"key": joint_contract.uuid})
    page = client.get(url).content.decode()
    assert "2029-01-31" in page  # the new end is shown before confirming
    response = client.post(url, {"decided_on": "2027-10-01", "version": joint_contract.version})
    assert response.status_code == 302
    assert joint_contract.extensions.count() == 1


def test_terminating_asks_for_a_reason(world, client_for, joint_contract):
    client = client_for(world.officer)
    url = reverse("contracts:status", kwargs={"key": joint_contract.uuid})
    response = client.post(url, {"to": "terminated", "reason": "", "version": joint_contract.version})
    assert response.status_code == 400 and response.context["form"].errors
    response = client.post(
        url, {"to": "terminated", "reason": "Hävt enligt 14.2 c.", "version": joint_contract.version}
    )
    assert response.status_code == 302
    joint_contract.refresh_from_db()
    assert joint_contract.status == "terminated"


def test_subcontractors_are_shown_as_confidential_to_those_who_see_the_contract(
    world, client_for, joint_contract, cleaner
):
    client = client_for(world.officer)
    response = client.post(
        reverse("contracts:subcontractor_create", kwargs={"key": joint_contract.uuid}),
        {
            "supplier": cleaner.pk,
            "name": "Kemtvätt Öst AB",
            "org_number": "556036-0793",
            "country": "SE",
            "role": "Mattvätt",
        },
    )
    assert response.status_code == 302
    page = client_for(world.orderer_vm).get(detail(joint_contract)).content.decode()
    assert "Kemtvätt Öst AB" in page


def make_contracts(world, count, start):
    for n in range(start, start + count):
        supplier = Supplier.objects.create(name=f"Leverantör {n} AB", org_number="")
        contract = services.contract_register_direct(
            actor=world.officer,
            suppliers=[supplier],
            buyers=[world.sormland, world.vastmanland],
            **contract_fields(contract_number=f"AVT-{n}"),
        )
        services.contract_use_extension(actor=world.officer, contract=contract, decided_on=contract.signed_on)


def test_the_list_query_count_does_not_grow(world, client_for, django_assert_num_queries):
    client = client_for(world.officer)
    make_contracts(world, 2, 0)
    client.get(reverse("contracts:list"))
    # session, user, roles, visible organisations (3), count, page, suppliers, buyers, the supplier
    # status of every row; the organisation and supplier filters are pickers that list nothing
    with django_assert_num_queries(11):
        first = client.get(reverse("contracts:list"))
    make_contracts(world, 10, 100)
    with django_assert_num_queries(11):
        second = client.get(reverse("contracts:list"))
    assert len(first.context["page"].object_list) == 2 and len(second.context["page"].object_list) == 12


def test_the_htmx_search_returns_only_the_results(world, client_for, joint_contract, sormland_contract):
    client = client_for(world.officer)
    response = client.get(reverse("contracts:list") + "?q=tvätt", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "SL-2020-17" in body and "AVT-2026-001" not in body
    response = client.get(reverse("contracts:list") + "?q=städbolaget&strategy_missing=on")
    assert response.context["page"].paginator.count == 2


def test_the_detail_query_count_does_not_grow(world, client_for, awarded, cleaner, django_assert_num_queries):
    client = client_for(world.officer)
    contract = services.contract_create_from_procurement(
        actor=world.officer, procurement=awarded, suppliers=[cleaner], buyers=[world.sormland], **contract_fields()
    )

    def add_subs(n):
        for i in range(n):
            services.subcontractor_add(
                actor=world.officer, contract=contract, supplier=cleaner, name=f"Sub {i}", role="R"
            )
        services.contract_use_extension(actor=world.officer, contract=contract, decided_on=contract.signed_on)
        contract_replan(actor=world.officer, contract=contract)  # the extension's follow-ups join the plan

    add_subs(1)
    client.get(detail(contract))
    planned = contract.activities.count()
    # 21: the page's own queries (its ordering units among them), one for the supplier
    # status badge and one for the plan with each follow-up's requirement, responsible
    # unit and person; one for the labour-law needs assessment the gate reads.
    with django_assert_num_queries(21):
        client.get(detail(contract))
    add_subs(5)
    assert contract.activities.count() > planned
    with django_assert_num_queries(21):
        response = client.get(detail(contract))
    assert response.context["plan"]
