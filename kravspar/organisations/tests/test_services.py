"""Organisation and unit services: validation, history, concurrent edits."""

import pytest
from django.core.exceptions import ValidationError

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import ConcurrentEditError, NotAllowedError
from kravspar.organisations import services
from kravspar.organisations.models import Organisation, OrganisationKind, UnitKind


def test_admin_registers_a_company_with_derived_peppol_id_and_history(world):
    org = services.organisation_create(
        actor=world.admin,
        kind=OrganisationKind.COMPANY,
        parent=world.vastmanland,
        name="Västmanlands Fastighets AB",
        org_number="556677-8899",
        postal_code="72189",
    )
    assert org.org_number == "5566778899"
    assert org.peppol_id == "0007:5566778899"
    assert org.postal_code == "721 89"
    event = AuditEvent.objects.get(object_id=str(org.uuid))
    assert event.action == "organisation.created"
    assert event.actor == world.admin
    assert event.organisation == org
    assert event.after["name"] == "Västmanlands Fastighets AB"
    assert event.after["parent"] == "Region Västmanland"


def test_wrong_check_digit_is_refused_and_nothing_is_saved(world):
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            actor=world.admin, kind=OrganisationKind.REGION, name="Region Fel", org_number="232100-0033"
        )
    assert "org_number" in exc.value.message_dict
    assert "232100-0033" in exc.value.message_dict["org_number"][0]
    assert Organisation.objects.count() == before
    assert not AuditEvent.objects.filter(action="organisation.created").exists()


def test_duplicate_org_number_names_the_existing_organisation(world):
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            actor=world.admin, kind=OrganisationKind.REGION, name="Dubblett", org_number="2321000032"
        )
    assert "Region Sörmland" in exc.value.message_dict["org_number"][0]


def test_region_cannot_have_a_parent_and_a_company_parent_must_be_a_region(world, company_of_vastmanland):
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            actor=world.admin,
            kind=OrganisationKind.REGION,
            parent=world.sormland,
            name="Region Under",
            org_number="5566778899",
        )
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            actor=world.admin,
            kind=OrganisationKind.FOUNDATION,
            parent=company_of_vastmanland,
            name="Stiftelsen",
            org_number="5566778899",
        )
    assert "parent" in exc.value.message_dict


def test_unknown_peppol_scheme_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            actor=world.admin,
            kind=OrganisationKind.OTHER,
            name="Utländsk",
            org_number="5566778899",
            peppol_scheme="1234",
            peppol_value="abc",
        )
    assert "peppol_scheme" in exc.value.message_dict


def test_update_records_only_what_changed(world):
    org = services.organisation_update(
        actor=world.admin, organisation=world.sormland, expected_version=world.sormland.version, city="Nyköping"
    )
    assert org.version == world.sormland.version + 1
    event = AuditEvent.objects.get(action="organisation.updated")
    assert event.before == {"city": ""}
    assert event.after == {"city": "Nyköping"}


def test_update_without_changes_writes_no_history(world):
    services.organisation_update(
        actor=world.admin, organisation=world.sormland, expected_version=world.sormland.version, name="Region Sörmland"
    )
    assert not AuditEvent.objects.filter(action="organisation.updated").exists()


def test_concurrent_edit_loses_nothing(world):
    """Two administrators open the same form; the second save is refused, the first stays."""
    seen_version = world.sormland.version
    services.organisation_update(
        actor=world.admin, organisation=world.sormland, expected_version=seen_version, city="A"
    )
    with pytest.raises(ConcurrentEditError):
        services.organisation_update(
            actor=world.admin, organisation=world.sormland, expected_version=seen_version, city="B"
        )
    world.sormland.refresh_from_db()
    assert world.sormland.city == "A"


def test_only_administrators_change_organisations(world):
    for person in (world.officer, world.orderer_vm, world.reader, world.env_vm, world.supplier_contact):
        with pytest.raises(NotAllowedError):
            services.organisation_update(
                actor=person, organisation=world.vastmanland, expected_version=None, city="Hackat"
            )
        with pytest.raises(NotAllowedError):
            services.unit_create(actor=person, organisation=world.vastmanland, name="X", kind=UnitKind.ORDERING)
    world.vastmanland.refresh_from_db()
    assert world.vastmanland.city == ""


def test_deactivate_and_reactivate_are_recorded(world):
    services.organisation_set_active(actor=world.admin, organisation=world.vastmanland, active=False)
    services.organisation_set_active(actor=world.admin, organisation=world.vastmanland, active=False)  # no-op
    services.organisation_set_active(actor=world.admin, organisation=world.vastmanland, active=True)
    actions = list(
        AuditEvent.objects.filter(object_id=str(world.vastmanland.uuid)).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["organisation.deactivated", "organisation.reactivated"]


def test_unit_names_are_unique_per_organisation_and_serves_is_recorded(world):
    unit = services.unit_create(
        actor=world.admin,
        organisation=world.vastmanland,
        name="Inköp Västmanland",
        kind=UnitKind.PURCHASING,
        serves=[world.sormland],
    )
    event = AuditEvent.objects.get(action="unit.created")
    assert event.after["serves"] == ["Region Sörmland"]
    assert event.organisation == world.vastmanland
    with pytest.raises(ValidationError):
        services.unit_create(
            actor=world.admin, organisation=world.vastmanland, name="inköp västmanland", kind=UnitKind.ORDERING
        )
    updated = services.unit_update(actor=world.admin, unit=unit, expected_version=unit.version, serves=[])
    assert list(updated.serves.all()) == []
    assert AuditEvent.objects.get(action="unit.updated").after == {"serves": []}


def test_unit_concurrent_edit(world):
    version = world.unit_vm.version
    services.unit_update(actor=world.admin, unit=world.unit_vm, expected_version=version, name="Ny")
    with pytest.raises(ConcurrentEditError):
        services.unit_update(actor=world.admin, unit=world.unit_vm, expected_version=version, name="Annan")


def test_unit_kind_must_be_known(world):
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=world.admin, organisation=world.vastmanland, name="Z", kind="bogus")
    assert "kind" in exc.value.message_dict


def test_many_organisations_are_registered_like_one_at_a_time(world):
    """The bulk service validates each item as organisation_create does, refuses a clash with
    a stored organisation or an earlier item, and writes the same history row per new one."""
    results = services.organisations_create_many(
        actor=None,
        items=[
            {"kind": OrganisationKind.OTHER, "name": " Kommun A ", "org_number": "212000-0084"},
            {"kind": OrganisationKind.OTHER, "name": "Kommun A igen", "org_number": "2120000084"},
            {"kind": OrganisationKind.OTHER, "name": "Dubbel", "org_number": world.vastmanland.org_number},
            {"kind": OrganisationKind.OTHER, "name": "", "org_number": "212000-0093"},
            {"kind": OrganisationKind.OTHER, "name": "Kommun B", "org_number": "2120000092"},
        ],
    )
    first, again, stored, bad, second = results
    assert isinstance(first, Organisation) and isinstance(second, Organisation)
    assert Organisation.objects.get(pk=first.pk).name == "Kommun A"
    assert Organisation.objects.get(pk=second.pk).peppol_id == "0007:2120000092"
    assert isinstance(again, ValidationError) and "Kommun A" in again.message_dict["org_number"][0]
    assert isinstance(stored, ValidationError) and world.vastmanland.name in stored.message_dict["org_number"][0]
    assert isinstance(bad, ValidationError) and set(bad.message_dict) == {"name", "org_number"}
    event = AuditEvent.objects.get(object_id=str(second.uuid))
    assert (event.action, event.actor_label, event.organisation_id) == ("organisation.created", "system", second.pk)
    assert event.after["name"] == "Kommun B" and event.after["org_number"] == "2120000092"
    assert AuditEvent.objects.filter(action="organisation.created", object_id=str(first.uuid)).count() == 1


def test_bulk_registration_needs_the_permission(world):
    with pytest.raises(NotAllowedError):
        services.organisations_create_many(
            actor=world.reader, items=[{"kind": OrganisationKind.OTHER, "name": "X", "org_number": "2120000092"}]
        )
    assert not Organisation.objects.filter(org_number="2120000092").exists()
