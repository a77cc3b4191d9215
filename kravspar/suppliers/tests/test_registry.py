"""The supplier registry: identifiers validated and normalised, one supplier per
organisation number, foreign suppliers by their own id and country."""

import pytest
from django.core.exceptions import ValidationError

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import ConcurrentEditError, NotAllowedError
from kravspar.suppliers.services import supplier_create, supplier_update


def errors_of(**fields):
    with pytest.raises(ValidationError) as exc:
        supplier_create(actor=None, **fields)
    return exc.value.message_dict


def test_a_swedish_supplier_gets_normalised_identifiers(world):
    supplier = supplier_create(
        actor=world.officer,
        name="Städbolaget AB",
        org_number="556054-1889",
        vat_number="SE 5560541889 01",
        postal_code="72189",
        county="19",
        municipality="Västerås",
        size_class="small",
        collective_agreement="agreement",
        collective_agreement_name="Serviceentreprenadavtalet",
        f_tax=True,
    )
    assert supplier.org_number == "5560541889"
    assert supplier.vat_number == "SE556054188901"
    assert (supplier.peppol_scheme, supplier.peppol_value) == ("0007", "5560541889")
    assert supplier.postal_code == "721 89"
    assert AuditEvent.objects.filter(action="supplier.created", actor=world.officer).exists()


def test_a_wrong_check_digit_names_the_field(world):
    errors = errors_of(name="Fel AB", org_number="556054-1888")
    assert errors["org_number"][0].startswith(("Organisation number", "Organisationsnummer"))
    assert "556054-1888" in errors["org_number"][0]


def test_an_organisation_number_is_registered_once(world):
    supplier_create(actor=None, name="Städbolaget AB", org_number="5560541889")
    errors = errors_of(name="Städbolaget i Västerås AB", org_number="5560541889")
    assert "Städbolaget AB" in errors["org_number"][0]


def test_a_number_or_a_foreign_id_with_its_country_is_required(world):
    assert "org_number" in errors_of(name="Ingen AB")
    assert "foreign_id" in errors_of(name="Puhdas Oy", country="FI")
    assert "country" in errors_of(name="Nowhere Ltd", country="XX", foreign_id="123")
    foreign = supplier_create(
        actor=None, name="Puhdas Oy", country="fi", foreign_id="1234567-8", vat_number="fi 12345678"
    )
    assert (foreign.country, foreign.vat_number, foreign.peppol_value) == ("FI", "FI12345678", "")


def test_other_fields_are_checked(world):
    errors = errors_of(
        name="Städbolaget AB",
        org_number="5560541889",
        vat_number="SE123",
        county="99",
        collective_agreement="agreement",
        peppol_scheme="9999",
        peppol_value="abc",
    )
    assert {"vat_number", "county", "collective_agreement_name", "peppol_scheme"} <= set(errors)
    assert all(messages[0].split(":")[0] for messages in errors.values())


def test_the_agreement_name_is_dropped_when_there_is_none(world):
    supplier = supplier_create(
        actor=None, name="A AB", org_number="5560541889", collective_agreement="none", collective_agreement_name="X"
    )
    assert supplier.collective_agreement_name == ""


def test_update_is_recorded_and_refuses_a_stale_version(world):
    supplier = supplier_create(actor=None, name="Städbolaget AB", org_number="5560541889")
    supplier_update(actor=world.officer, supplier=supplier, expected_version=1, municipality="Eskilstuna")
    supplier.refresh_from_db()
    assert supplier.municipality == "Eskilstuna" and supplier.version == 2
    assert AuditEvent.objects.filter(action="supplier.updated", object_id=str(supplier.uuid)).exists()
    with pytest.raises(ConcurrentEditError):
        supplier_update(actor=world.officer, supplier=supplier, expected_version=1, municipality="Västerås")


def test_only_inkop_keeps_the_registry(world):
    for person in (world.orderer_vm, world.reader, world.supplier_contact):
        with pytest.raises(NotAllowedError):
            supplier_create(actor=person, name="X AB", org_number="5560541889")
