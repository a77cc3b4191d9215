"""Search-as-you-type pickers (issues 15 and 17): the options while typing, bounded and
limited to what the person sees; the filters that use them, with and without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kravspar.contracts.services import contract_register_direct
from kravspar.contracts.tests.conftest import contract_fields
from kravspar.core import pickers
from kravspar.cpv.selectors import cpv_search
from kravspar.organisations.models import Organisation
from kravspar.testing.factories import SupplierFactory

pytestmark = pytest.mark.django_db

ORGANISATIONS = reverse("organisations:options")
SUPPLIERS = reverse("suppliers:options")
CONTRACTS = reverse("contracts:list")


def options(response: Any) -> list[str]:
    assert response.status_code == 200
    return [label for _key, label, _obj in response.context["options"]]


def test_organisations_by_name_or_number_only_those_the_person_sees(world: Any, client_for: Any) -> None:
    officer = client_for(world.officer)
    assert options(officer.get(ORGANISATIONS, {"q": "västman"})) == ["Region Västmanland (232100-0172)"]
    assert options(officer.get(ORGANISATIONS, {"q": "232100-0032"})) == ["Region Sörmland (232100-0032)"]
    html = officer.get(ORGANISATIONS, {"q": "Region"}).content.decode()
    assert 'role="listbox"' in html and 'role="option"' in html
    orderer = client_for(world.orderer_vm)  # sees Västmanland only
    assert options(orderer.get(ORGANISATIONS, {"q": "Region"})) == ["Region Västmanland (232100-0172)"]


def test_the_options_are_bounded(world: Any, client_for: Any, django_assert_max_num_queries: Any) -> None:
    for n in range(pickers.LIMIT + 5):
        SupplierFactory.create(name=f"Städbolag {n:02d} AB")
    client = client_for(world.officer)
    with django_assert_max_num_queries(6):
        response = client.get(SUPPLIERS, {"q": "städbolag"})
    assert len(options(response)) == pickers.LIMIT and response.context["more"]
    assert options(client.get(SUPPLIERS, {"q": "s"})) == []  # one letter asks for nothing


def test_outsiders_get_no_options(world: Any, client_for: Any, client: Any) -> None:
    SupplierFactory.create(name="Städbolaget AB")
    assert client.get(SUPPLIERS, {"q": "städ"}).status_code == 302  # to the login
    assert client.get(ORGANISATIONS, {"q": "region"}).status_code == 302
    contact = client_for(world.supplier_contact)
    assert contact.get(SUPPLIERS, {"q": "städ"}).status_code == 403
    assert contact.get(ORGANISATIONS, {"q": "region"}).status_code == 403


@pytest.fixture
def two_contracts(world: Any) -> tuple[Any, Any]:
    cleaner = SupplierFactory.create(name="Städbolaget AB", org_number="5560541889")
    painter = SupplierFactory.create(name="Målerifirman AB", org_number="")
    SupplierFactory.create(name="Städbolaget Nord AB", org_number="5560160680")  # on no contract
    first = contract_register_direct(
        actor=world.officer, suppliers=[cleaner], buyers=[world.vastmanland], **contract_fields()
    )
    second = contract_register_direct(
        actor=world.officer,
        suppliers=[painter],
        buyers=[world.sormland],
        **contract_fields(contract_number="AVT-2026-002", title="Målning"),
    )
    return first, second


def numbers(response: Any) -> list[str]:
    return [c.contract_number for c in response.context["page"].object_list]


def test_the_contract_filter_without_javascript(world: Any, client_for: Any, two_contracts: Any) -> None:
    """Typed and submitted as a plain form: a name, part of one, a number or a label is one supplier."""
    client = client_for(world.officer)
    for typed in ("Målerifirman AB", "måleri", "Städbolaget AB (556054-1889)", "556054-1889", "5560541889"):
        response = client.get(CONTRACTS, {"supplier": typed})
        assert not response.context["form"].errors, typed
        assert len(numbers(response)) == 1, typed
    assert numbers(client.get(CONTRACTS, {"supplier": "måleri"})) == ["AVT-2026-002"]
    # A link with the uuid still works, and the field shows the label.
    cleaner = two_contracts[0].suppliers.get()
    response = client.get(CONTRACTS, {"supplier": str(cleaner.uuid)})
    assert numbers(response) == ["AVT-2026-001"]
    assert 'value="Städbolaget AB (556054-1889)"' in response.content.decode()
    # "Städbolaget" names one supplier among the contracts' (the other has no contract here).
    assert numbers(client.get(CONTRACTS, {"supplier": "Städbolaget"})) == ["AVT-2026-001"]
    assert numbers(client.get(CONTRACTS, {"organisation": "Region Sörmland"})) == ["AVT-2026-002"]
    # Nothing or several: a clear message at the field.
    assert "supplier" in client.get(CONTRACTS, {"supplier": "Finns inte AB"}).context["form"].errors
    several = client.get(CONTRACTS, {"organisation": "Region"}).context["form"].errors["organisation"][0]
    assert "Region" in several


def test_the_contract_filter_lists_no_select_of_every_supplier(world: Any, client_for: Any, two_contracts: Any) -> None:
    html = client_for(world.officer).get(CONTRACTS).content.decode()
    assert "Målerifirman" not in html.split('id="results"')[0]  # only in the results, not in a select
    assert 'role="combobox"' in html and 'aria-controls="id_supplier-options"' in html
    assert 'id="id_supplier-options"' in html and "kravspar/js/picker.js" in html
    assert f'data-picker="{SUPPLIERS}"' in html


def test_an_outsider_cannot_pick_a_supplier_of_contracts_they_do_not_see(
    world: Any, client_for: Any, two_contracts: Any
) -> None:
    """Västmanland's orderer does not see Sörmland's painting contract: its supplier is no choice."""
    response = client_for(world.orderer_vm).get(CONTRACTS, {"supplier": "Målerifirman AB"})
    assert "supplier" in response.context["form"].errors


def test_cpv_words_rank_by_the_swedish_term(world: Any, client_for: Any) -> None:
    assert cpv_search("städ", limit=5)[0].code == "90910000"  # Städning
    assert cpv_search("Städning", limit=5)[0].code == "90910000"
    html = client_for(world.officer).get(reverse("cpv:search"), {"q": "städ"}).content.decode()
    assert html.index('data-value="90910000"') < html.index('data-value="90919300"')
    # Typed without the picker, a word is the code the picker lists first.
    response = client_for(world.officer).get(reverse("procurements:list"), {"cpv": "städ"})
    assert response.context["form"].cleaned_data["cpv"] == "90910000"


def test_a_picked_organisation_filters_procurements(world: Any, client_for: Any) -> None:
    response = client_for(world.officer).get(reverse("procurements:list"), {"organisation": world.vastmanland.pk})
    assert response.context["form"].cleaned_data["organisation"] == world.vastmanland
    assert 'value="Region Västmanland (232100-0172)"' in response.content.decode()


# --- The other lists' filters (issue 15): pickers, not a select of every organisation --------

PICKER_LISTS = {
    # page: the picker fields it has
    reverse("invoices:list"): ["organisation", "supplier"],
    reverse("spend:queue"): ["organisation"],
    reverse("spend:off_contract"): ["organisation"],
    reverse("spend:figures"): ["organisation"],
    reverse("ledger:upload"): ["organisation", "mapping"],
    reverse("accounts:person_list"): ["organisation"],
    reverse("audit:search"): ["organisation"],
}


@pytest.fixture
def many_organisations(world: Any) -> None:
    """Organisations and suppliers in numbers that a select would list, each one a query
    if the page looked at them one by one."""
    from kravspar.testing.factories import OrganisationFactory

    for n in range(40):
        OrganisationFactory.create(name=f"Kommunbolaget {n:02d} AB")
        SupplierFactory.create(name=f"Leverantören {n:02d} AB")


@pytest.mark.parametrize("url", list(PICKER_LISTS))
def test_the_list_filters_are_pickers_with_bounded_queries(
    url: str, world: Any, client_for: Any, many_organisations: None, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.admin)
    client.get(url)  # the session and the translations are loaded once
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kommunbolaget" not in html and "Leverantören" not in html  # no select of every record
    assert "kravspar/js/picker.js" in html
    for name in PICKER_LISTS[url]:
        assert f'aria-controls="id_{name}-options"' in html and f'id="id_{name}-options"' in html
        assert f'name="{name}"' in html and 'role="combobox"' in html


@pytest.mark.parametrize("url", [u for u in PICKER_LISTS if u != reverse("ledger:upload")])
def test_the_list_filters_take_a_typed_name_without_javascript(
    url: str, world: Any, client_for: Any, many_organisations: None, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.admin)
    client.get(url)
    with django_assert_max_num_queries(20):
        response = client.get(url, {"organisation": "västmanland"})
    assert response.context["form"].cleaned_data["organisation"] == world.vastmanland
    assert 'value="västmanland"' in response.content.decode()  # what was typed stays in the field
    several = client.get(url, {"organisation": "Kommunbolaget"}).context["form"].errors["organisation"][0]
    assert "Kommunbolaget" in several


def test_the_people_list_filters_by_the_picked_organisation(world: Any, client_for: Any) -> None:
    client = client_for(world.admin)
    url = reverse("accounts:person_list")
    people = {p.username for p in client.get(url, {"organisation": "Region Västmanland"}).context["page"].object_list}
    assert people == {"orderer_vm", "env_vm"}
    # A link with the uuid, as the old select sent it, still filters.
    linked = client.get(url, {"organisation": str(world.vastmanland.uuid)}).context["page"].object_list
    assert {p.username for p in linked} == people
    assert list(client.get(url, {"organisation": "Finns inte"}).context["page"].object_list) == []


def test_the_ledger_upload_takes_a_typed_organisation(world: Any, client_for: Any) -> None:
    """The upload form's organisation is required: a name resolves, nothing typed is an error."""
    from kravspar.ledger.forms import UploadForm

    organisations = Organisation.objects.all()
    form = UploadForm({"organisation": "Region Sörmland"}, organisations=organisations)
    form.is_valid()
    assert "organisation" not in form.errors
    assert form.cleaned_data["organisation"] == world.sormland
    assert "organisation" in UploadForm({"organisation": ""}, organisations=organisations).errors
    # The column mapping of an organisation is opened by typing its name.
    response = client_for(world.admin).get(reverse("ledger:upload"), {"mapping": "Region Sörmland"})
    assert response.status_code == 302
    assert response["Location"] == reverse("ledger:mapping", args=[world.sormland.uuid])
