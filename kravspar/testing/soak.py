"""The small installation the short soak (``bench/soak.py --setup minimal``, run by the
PostgreSQL test run) loads instead of the demo: the two regions with their Peppol ids, Inköp
serving both, one ordering unit, one supplier, and the demo's personas with the demo's
usernames and password, so that the soak's action mix is the same in both set-ups."""

from __future__ import annotations

from kravspar.accounts.management.commands.setup_roles import setup_roles
from kravspar.accounts.roles import Role
from kravspar.organisations.models import UnitKind
from kravspar.testing.factories import OrganisationFactory, SupplierFactory, UnitFactory, UserFactory

DEMO_PASSWORD = "kravspar-demo-2026"  # noqa: S105 - seed_demo.DEMO_PASSWORD, the demo's public password


def setup_minimal() -> None:
    setup_roles()
    sormland = OrganisationFactory.create(name="Region Sörmland", org_number="2321000032", peppol_value="2321000032")
    vastmanland = OrganisationFactory.create(
        name="Region Västmanland", org_number="2321000172", peppol_value="2321000172"
    )
    inkop = UnitFactory.create(organisation=sormland, name="Inköp", kind=UnitKind.PURCHASING)
    inkop.serves.set([vastmanland])
    clinic = UnitFactory.create(organisation=vastmanland, name="Ortopedkliniken")
    supplier = SupplierFactory.create(name="Glans Städ AB")
    people = [
        ("admin", sormland, inkop, Role.ADMINISTRATOR, None),
        ("inkopare", sormland, inkop, Role.PROCUREMENT_OFFICER, None),
        ("bestallare", vastmanland, clinic, Role.ORDERER, None),
        ("lasare", sormland, inkop, Role.READER, None),
        ("leverantor", None, None, Role.SUPPLIER_CONTACT, supplier),
    ]
    for username, organisation, unit, role, of_supplier in people:
        UserFactory.create(
            username=username,
            organisation=organisation,
            unit=unit,
            supplier=of_supplier,
            roles=[role],
            password=DEMO_PASSWORD,
        )
