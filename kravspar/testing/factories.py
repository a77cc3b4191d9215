"""factory_boy factories for the domain's object graphs."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group
from stdnum import luhn

from kravspar.accounts.models import User
from kravspar.organisations.models import Organisation, OrganisationKind, Unit, UnitKind
from kravspar.suppliers.models import Supplier

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test fixtures only

# Valid Swedish organisation numbers (Luhn) for fictional organisations.
_ORG_NUMBERS = iter(f"55{n:07d}" for n in range(1000000, 9999999))


def _next_org_number() -> str:
    base = next(_ORG_NUMBERS)
    return base + luhn.calc_check_digit(base)


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    kind = OrganisationKind.REGION
    name = factory.Sequence(lambda n: f"Region Test {n}")
    org_number = factory.LazyFunction(_next_org_number)
    peppol_scheme = "0007"
    peppol_value = factory.LazyAttribute(lambda o: o.org_number)


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")
    kind = UnitKind.ORDERING


class SupplierFactory(factory.django.DjangoModelFactory[Supplier]):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Leverantör {n} AB")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.se")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.groups.set([Group.objects.get_or_create(name=str(r))[0] for r in extracted])
