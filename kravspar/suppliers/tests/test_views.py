"""Supplier registry pages: every buyer role reads, Inköp registers and changes."""

import pytest
from django.urls import reverse

from kravspar.suppliers.models import Supplier
from kravspar.suppliers.services import supplier_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def cleaner(world):
    return supplier_create(actor=None, name="Städbolaget AB", org_number="5560541889", county="19", size_class="small")


def test_every_buyer_role_reads_the_registry(world, client_for, cleaner):
    for person in (world.orderer_vm, world.reader, world.env_vm):
        client = client_for(person)
        assert "Städbolaget AB" in client.get(reverse("suppliers:list")).content.decode()
        page = client.get(reverse("suppliers:detail", kwargs={"key": cleaner.uuid}))
        assert page.status_code == 200
        assert client.get(reverse("suppliers:edit", kwargs={"key": cleaner.uuid})).status_code == 403
        assert client.get(reverse("suppliers:create")).status_code == 403


def test_a_supplier_contact_does_not_read_the_registry(world, client_for, cleaner):
    client = client_for(world.supplier_contact)
    assert client.get(reverse("suppliers:list")).status_code == 403
    assert client.get(reverse("suppliers:detail", kwargs={"key": cleaner.uuid})).status_code == 404


def test_search_and_filters(world, client_for, cleaner):
    supplier_create(actor=None, name="Ängens Mejeri AB", org_number="5560160680", size_class="micro")
    client = client_for(world.officer)
    url = reverse("suppliers:list")
    assert client.get(url + "?q=ÄNGENS").context["page"].paginator.count == 1
    assert client.get(url + "?q=556054-1889").context["page"].paginator.count == 1
    assert client.get(url + "?size_class=small&county=19").context["page"].paginator.count == 1
    fragment = client.get(url + "?q=mejeri", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Ängens Mejeri AB" in fragment


def test_the_officer_registers_a_supplier_and_a_wrong_number_is_named(world, client_for):
    client = client_for(world.officer)
    response = client.post(
        reverse("suppliers:create"),
        {"name": "Fel AB", "org_number": "556054-1888", "country": "SE", "f_tax": "unknown"},
    )
    assert response.status_code == 400
    assert "org_number" in response.context["form"].errors
    response = client.post(
        reverse("suppliers:create"), {"name": "Rätt AB", "org_number": "556054-1889", "country": "SE", "f_tax": "true"}
    )
    assert response.status_code == 302
    assert Supplier.objects.get(name="Rätt AB").f_tax is True


def test_a_concurrent_edit_keeps_what_was_typed(world, client_for, cleaner):
    from kravspar.suppliers.services import supplier_update

    supplier_update(actor=None, supplier=cleaner, expected_version=1, municipality="Eskilstuna")
    client = client_for(world.officer)
    response = client.post(
        reverse("suppliers:edit", kwargs={"key": cleaner.uuid}),
        {
            "name": "Städbolaget AB",
            "org_number": "5560541889",
            "country": "SE",
            "municipality": "Västerås",
            "version": 1,
        },
    )
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    assert 'value="Västerås"' in response.content.decode()


def test_the_list_query_count_does_not_grow(world, client_for, django_assert_num_queries):
    client = client_for(world.officer)
    Supplier.objects.bulk_create([Supplier(name=f"L {n} AB") for n in range(3)])
    client.get(reverse("suppliers:list"))
    with django_assert_num_queries(6):  # ... and one for every row's supplier status
        client.get(reverse("suppliers:list"))
    Supplier.objects.bulk_create([Supplier(name=f"M {n} AB") for n in range(30)])
    with django_assert_num_queries(6):
        client.get(reverse("suppliers:list"))
