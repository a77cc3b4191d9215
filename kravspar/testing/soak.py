"""The small installation the short soak (``bench/soak.py --setup minimal``, run by the
PostgreSQL test run) loads instead of the demo: the two regions with their Peppol ids, Inköp
serving both, one ordering unit, one supplier, and the demo's personas with the demo's
usernames and password, so that the soak's action mix is the same in both set-ups; and one
contract with a price list for the first supplier the invoice generator writes, priced below
the generated invoices' price and with a small value, so that the imports' price check raises
economy deviations (over-priced lines, spend past the value) whose history the soak checks."""

from __future__ import annotations

import datetime
from decimal import Decimal

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
    # The price check's contract: the generator's first seller and both buyers; the soak's
    # invoices charge 12.50 for gloves agreed at 10.00, and its spend soon passes the value.
    from kravspar.contracts.models import Contract
    from kravspar.invoices.generate import SUPPLIERS
    from kravspar.spend.models import PriceListArticle

    seller = SupplierFactory.create(name=SUPPLIERS[0].name, org_number=SUPPLIERS[0].org_number)
    contract = Contract.objects.create(
        contract_number="RS-2025-0900",
        title="Handskar",
        signed_on=datetime.date(2025, 1, 10),
        starts_on=datetime.date(2025, 2, 1),
        ends_on=datetime.date(2027, 12, 31),
        value=Decimal(200),
        strategy_missing=False,
    )
    contract.buyers.set([sormland, vastmanland])
    contract.suppliers.set([seller])
    PriceListArticle.objects.bulk_create(
        PriceListArticle(
            contract=contract, seller_item_id=f"ART-{n}", name="Handskar", unit_code="EA", net_price=Decimal("10.00")
        )
        for n in range(50)
    )
