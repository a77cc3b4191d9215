"""Load the demo data: the two regions, the joint Inköp unit, a few ordering units and
one person per role. Idempotent: what exists is left as it is."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from kravspar.accounts.management.commands.setup_roles import setup_roles
from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.accounts.services import person_create
from kravspar.organisations.counties import County
from kravspar.organisations.models import Organisation, OrganisationKind, Unit, UnitKind
from kravspar.organisations.services import organisation_create, unit_create

DEMO_PASSWORD = "kravspar-demo-2026"

REGIONS = [
    {
        "name": "Region Sörmland",
        "org_number": "2321000032",
        "street_address": "Repslagaregatan 19",
        "postal_code": "611 88",
        "city": "Nyköping",
        "county": County.SODERMANLAND,
        "units": [
            ("Inköp", UnitKind.PURCHASING),
            ("Mälarsjukhuset, kirurgkliniken", UnitKind.ORDERING),
            ("Nyköpings lasarett, kök och restaurang", UnitKind.ORDERING),
            ("Miljöenheten", UnitKind.ENVIRONMENT),
        ],
    },
    {
        "name": "Region Västmanland",
        "org_number": "2321000172",
        "street_address": "Västmanlands sjukhus Västerås",
        "postal_code": "721 89",
        "city": "Västerås",
        "county": County.VASTMANLAND,
        "units": [
            ("Västmanlands sjukhus, ortopedkliniken", UnitKind.ORDERING),
            ("Kollektivtrafikförvaltningen", UnitKind.ORDERING),
            ("Miljöenheten", UnitKind.ENVIRONMENT),
        ],
    },
]

# username, first, last, role, organisation, unit
PEOPLE = [
    ("admin", "Anna", "Administratör", Role.ADMINISTRATOR, "2321000032", "Inköp"),
    ("inkopare", "Ingrid", "Inköpare", Role.PROCUREMENT_OFFICER, "2321000032", "Inköp"),
    ("bestallare", "Björn", "Beställare", Role.ORDERER, "2321000172", "Västmanlands sjukhus, ortopedkliniken"),
    ("bestallare.sormland", "Sara", "Beställare", Role.ORDERER, "2321000032", "Mälarsjukhuset, kirurgkliniken"),
    ("miljo", "Mikael", "Miljöspecialist", Role.ENVIRONMENT_SPECIALIST, "2321000172", "Miljöenheten"),
    ("lasare", "Lena", "Läsare", Role.READER, "2321000032", "Inköp"),
]


@transaction.atomic
def seed_demo() -> list[tuple[str, str]]:
    setup_roles()
    orgs: dict[str, Organisation] = {}
    for spec in REGIONS:
        org = Organisation.objects.filter(org_number=spec["org_number"]).first()
        if org is None:
            org = organisation_create(
                actor=None,
                kind=OrganisationKind.REGION,
                name=spec["name"],
                org_number=spec["org_number"],
                vat_number=f"SE{spec['org_number']}01",
                street_address=spec["street_address"],
                postal_code=spec["postal_code"],
                city=spec["city"],
                county=spec["county"],
            )
        orgs[str(spec["org_number"])] = org
    for spec in REGIONS:
        org = orgs[str(spec["org_number"])]
        for name, kind in spec["units"]:
            if not Unit.objects.filter(organisation=org, name=name).exists():
                # The joint Inköp unit serves both regions (and, through them, their companies).
                serves = [o for o in orgs.values() if o != org] if kind == UnitKind.PURCHASING else []
                unit_create(actor=None, organisation=org, name=name, kind=kind, serves=serves)
    logins = []
    for username, first, last, role, org_number, unit_name in PEOPLE:
        if not User.objects.filter(username=username).exists():
            org = orgs[org_number]
            person_create(
                actor=None,
                username=username,
                email=f"{username}@demo.kravspar.se",
                first_name=first,
                last_name=last,
                organisation=org,
                unit=Unit.objects.get(organisation=org, name=unit_name),
                roles=[role],
                password=DEMO_PASSWORD,
            )
        logins.append((username, str(role.label)))
    return logins


class Command(BaseCommand):
    help = "Load the demo organisations, units and people (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = seed_demo()
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in logins:
            self.stdout.write(f"  {username:<22} {role}")
        self.stdout.write("")
