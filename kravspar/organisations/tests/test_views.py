"""Organisation and unit pages: lists with search, filters and pagination, forms that
explain errors, confirmation before deactivation, and pinned query counts."""

from django.urls import reverse

from kravspar.audit.models import AuditEvent
from kravspar.organisations.models import Organisation, OrganisationKind
from kravspar.testing.factories import OrganisationFactory, UnitFactory

LIST = reverse("organisations:list")


def names(response):
    return [o.name for o in response.context["page"].object_list]


def test_search_by_name_city_or_org_number(world, client_for):
    client = client_for(world.admin)
    assert names(client.get(LIST, {"q": "västman"})) == ["Region Västmanland"]
    assert names(client.get(LIST, {"q": "232100-0032"})) == ["Region Sörmland"]
    assert names(client.get(LIST, {"q": "2321000"})) == ["Region Sörmland", "Region Västmanland"]


def test_filters_kind_county_and_status(world, client_for, company_of_vastmanland):
    client = client_for(world.admin)
    assert names(client.get(LIST, {"kind": OrganisationKind.COMPANY})) == ["Västmanlands Fastighets AB"]
    Organisation.objects.filter(pk=world.vastmanland.pk).update(county="19", is_active=False)
    assert names(client.get(LIST, {"county": "19", "status": "all"})) == ["Region Västmanland"]
    assert "Region Västmanland" not in names(client.get(LIST))
    assert names(client.get(LIST, {"status": "inactive"})) == ["Region Västmanland"]


def test_empty_result_says_what_to_do(world, client_for):
    response = client_for(world.admin).get(LIST, {"q": "finns inte"})
    assert response.context["page"].paginator.count == 0
    assert reverse("organisations:create").encode() in response.content


def test_htmx_search_returns_only_the_results(world, client_for):
    response = client_for(world.admin).get(LIST, {"q": "sörm"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b"Region S\xc3\xb6rmland" in response.content


def test_list_pagination_and_bounded_queries(world, client_for, django_assert_max_num_queries):
    client = client_for(world.admin)
    for _ in range(60):
        UnitFactory(organisation=OrganisationFactory())
    with django_assert_max_num_queries(8):
        first = client.get(LIST)
    assert len(first.context["page"].object_list) == 25
    with django_assert_max_num_queries(8):
        last = client.get(LIST, {"sida": "3"})
    assert len(last.context["page"].object_list) == 62 - 50
    # A page number out of range or not a number shows the nearest real page.
    assert client.get(LIST, {"sida": "999"}).context["page"].number == 3
    assert client.get(LIST, {"sida": "x"}).context["page"].number == 1


def test_detail_page_query_count_does_not_grow_with_units(world, client_for, django_assert_max_num_queries):
    client = client_for(world.admin)
    url = reverse("organisations:detail", args=[world.vastmanland.uuid])
    UnitFactory.create_batch(30, organisation=world.vastmanland)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert len(response.context["units"]) == 31


def test_create_with_wrong_check_digit_keeps_what_was_typed(world, client_for):
    client = client_for(world.admin)
    response = client.post(
        reverse("organisations:create"),
        {"name": "Region Gotland", "kind": "region", "org_number": "212000-0143", "peppol_scheme": "0007"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "org_number" in form.errors
    assert b'value="Region Gotland"' in response.content
    assert not Organisation.objects.filter(name="Region Gotland").exists()


def test_create_then_edit_records_history(world, client_for):
    client = client_for(world.admin)
    response = client.post(
        reverse("organisations:create"),
        {"name": "Region Gotland", "kind": "region", "org_number": "212000-0142", "peppol_scheme": "0007"},
    )
    assert response.status_code == 302, response.context["form"].errors
    org = Organisation.objects.get(name="Region Gotland")
    assert org.peppol_id == "0007:2120000142"
    edit = reverse("organisations:edit", args=[org.uuid])
    form = client.get(edit).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(city="Visby", parent="")
    assert client.post(edit, data).status_code == 302
    org.refresh_from_db()
    assert org.city == "Visby"
    assert list(AuditEvent.objects.filter(object_id=str(org.uuid)).order_by("id").values_list("action", flat=True)) == [
        "organisation.created",
        "organisation.updated",
    ]


def test_concurrent_edit_in_the_form_is_explained(world, client_for):
    client = client_for(world.admin)
    edit = reverse("organisations:edit", args=[world.vastmanland.uuid])
    initial = client.get(edit).context["form"].initial
    stale = {k: v for k, v in initial.items() if v is not None}
    # Someone else saves first.
    client.post(edit, {**stale, "city": "Västerås"})
    response = client.post(edit, {**stale, "city": "Sala"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    world.vastmanland.refresh_from_db()
    assert world.vastmanland.city == "Västerås"


def test_deactivation_asks_first(world, client_for):
    client = client_for(world.admin)
    url = reverse("organisations:set_active", args=[world.vastmanland.uuid])
    assert client.get(url).status_code == 200
    world.vastmanland.refresh_from_db()
    assert world.vastmanland.is_active
    client.post(url)
    world.vastmanland.refresh_from_db()
    assert not world.vastmanland.is_active


def test_unit_create_edit_and_deactivate(world, client_for):
    client = client_for(world.admin)
    response = client.post(
        reverse("organisations:unit_create", args=[world.vastmanland.uuid]),
        {"name": "Kostenheten", "kind": "ordering", "description": "Måltider"},
    )
    assert response.status_code == 302
    unit = world.vastmanland.units.get(name="Kostenheten")
    duplicate = client.post(
        reverse("organisations:unit_create", args=[world.vastmanland.uuid]), {"name": "kostenheten", "kind": "ordering"}
    )
    assert duplicate.status_code == 400 and "name" in duplicate.context["form"].errors
    response = client.post(
        reverse("organisations:unit_edit", args=[unit.uuid]),
        {"name": "Kost och måltid", "kind": "ordering", "description": "", "version": unit.version},
    )
    assert response.status_code == 302
    client.post(reverse("organisations:unit_set_active", args=[unit.uuid]))
    unit.refresh_from_db()
    assert (unit.name, unit.is_active) == ("Kost och måltid", False)
    detail = client.get(reverse("organisations:unit_detail", args=[unit.uuid]))
    actions = [e.action for e in detail.context["history"].object_list]
    assert actions == ["unit.deactivated", "unit.updated", "unit.created"]
