"""Registering a supplier: found again by name or organisation number, never twice."""

import pytest
from django.core.exceptions import ValidationError

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import NotAllowedError
from kravspar.suppliers.models import SizeClass, Supplier
from kravspar.suppliers.services import supplier_get_or_create


def test_a_supplier_is_found_again_whatever_the_case_and_spacing(world):
    dairy, created = supplier_get_or_create(actor=world.officer, name="Ängens  Mejeri AB", size_class=SizeClass.SMALL)
    assert created
    assert (dairy.name, dairy.name_key) == ("Ängens Mejeri AB", "ängens mejeri ab")
    event = AuditEvent.objects.get(action="supplier.created", object_id=str(dairy.uuid))
    assert event.actor == world.officer
    again, created = supplier_get_or_create(actor=world.officer, name="ÄNGENS MEJERI AB")
    assert (again, created) == (dairy, False)
    assert Supplier.objects.filter(name_key="ängens mejeri ab").count() == 1


def test_the_organisation_number_wins_over_the_name(world):
    first, _ = supplier_get_or_create(actor=None, name="Städbolaget AB", org_number="556054-1889")
    assert first.org_number == "5560541889"
    renamed, created = supplier_get_or_create(actor=None, name="Städbolaget i Västerås AB", org_number="5560541889")
    assert (renamed, created) == (first, False)


def test_a_wrong_organisation_number_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        supplier_get_or_create(actor=None, name="Felnummer AB", org_number="5560541888")
    assert "org_number" in exc.value.message_dict
    assert not Supplier.objects.filter(name="Felnummer AB").exists()


def test_a_supplier_contact_cannot_register_suppliers(world):
    with pytest.raises(NotAllowedError):
        supplier_get_or_create(actor=world.supplier_contact, name="Konkurrenten AB")
