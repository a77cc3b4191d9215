"""Load the demo data: the two regions, the joint Inköp unit, a few ordering units, one
person per role (two procurement officers, for four-eyes approval), the regions'
environmental goals, their 131 real procurements of 2021 from Upphandlingsmyndigheten's
statistics, and three procurements in planning at different stages. Idempotent: what
exists is left as it is."""

import datetime
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import Any

from django.contrib.auth import base_user
from django.core.management.base import BaseCommand
from django.db import transaction

from kravspar.accounts.management.commands.setup_roles import setup_roles
from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.accounts.services import person_create
from kravspar.contracts.demo import seed_contracts
from kravspar.core.demo_clock import told_from
from kravspar.cpv.models import CpvCode
from kravspar.followups.demo import seed_followup
from kravspar.followups.demo_imported import seed_imported
from kravspar.followups.demo_year import seed_year
from kravspar.labour import demo as labour_demo
from kravspar.organisations.counties import County
from kravspar.organisations.models import Organisation, OrganisationKind, Unit, UnitKind
from kravspar.organisations.services import organisation_create, unit_create, unit_update
from kravspar.procurements import services as procurement_services
from kravspar.procurements.models import EnvironmentalGoal, Procurement
from kravspar.procurements.policy import goals_for
from kravspar.procurements.statistics import import_statistics
from kravspar.requirements.models import RequirementTemplate
from kravspar.requirements.services import requirement_add
from kravspar.spend import demo_invoices

DEMO_PASSWORD = "kravspar-demo-2026"

REGIONS = [
    {
        "name": "Region Sörmland",
        "org_number": "2321000032",
        # The postal address is the large-recipient code alone; Repslagargatan 19 is the
        # visiting address (supplierinfo's contact details).
        "street_address": "",
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
    # A second officer in the joint Inköp unit, to approve what Ingrid submits (four eyes).
    ("inkopare2", "Ingvar", "Inköpare", Role.PROCUREMENT_OFFICER, "2321000032", "Inköp"),
    ("bestallare", "Björn", "Beställare", Role.ORDERER, "2321000172", "Västmanlands sjukhus, ortopedkliniken"),
    ("bestallare.sormland", "Sara", "Beställare", Role.ORDERER, "2321000032", "Mälarsjukhuset, kirurgkliniken"),
    ("miljo", "Mikael", "Miljöspecialist", Role.ENVIRONMENT_SPECIALIST, "2321000172", "Miljöenheten"),
    ("lasare", "Lena", "Läsare", Role.READER, "2321000032", "Inköp"),
]


@contextmanager
def demo_password_hashed_once() -> Iterator[None]:
    """Every demo login has the same published password: within the block it is hashed
    once, and each account the demo creates gets that hash (the services still call
    ``set_password``; Argon2 costs about 0.3 s of CPU per hash, a dozen accounts). Any
    other password is hashed as usual. Restored when the block ends, also on failure."""
    real = base_user.make_password  # type: ignore[attr-defined]  # (not in django-stubs)
    hashed: dict[str, str] = {}

    def make_password(password: str | None, *args: Any, **kwargs: Any) -> str:
        if password != DEMO_PASSWORD or args or kwargs:
            return real(password, *args, **kwargs)
        if password not in hashed:
            hashed[password] = real(password)
        return hashed[password]

    base_user.make_password = make_password  # type: ignore[attr-defined]
    try:
        yield
    finally:
        base_user.make_password = real  # type: ignore[attr-defined]


@transaction.atomic
def seed_demo(*, today: datetime.date | None = None) -> list[tuple[str, str, str]]:
    """``today`` is the day the demo's dated story is told from (the simulated year);
    by default the day it is loaded. Any day works, past or future: the seeding runs on the
    demo's clock (``core.demo_clock``), so the services' date rules hold relative to it."""
    with told_from(today), demo_password_hashed_once():
        return _seed_demo(today=today)


def _seed_demo(*, today: datetime.date | None) -> list[tuple[str, str, str]]:
    orgs, logins = seed_people()
    seed_goals(orgs)
    import_statistics(STATISTICS_FILES)
    seed_planning(orgs)
    seed_contracts()
    seed_followup(orgs, today=today)
    seed_imported(today=today)
    seed_year(today=today)
    # Each later capability seeds its own demo data, in the order they build on each other.
    # An app whose seed() takes ``today`` tells its story from that day too.
    for app in (
        "supplierinfo",
        "portal",
        "questionnaires",
        "invoices",
        "spend",
        "reports",
        "opendata",
        "labour",
        "records",
    ):
        seed = import_module(f"kravspar.{app}.demo").seed
        dated = "today" in inspect.signature(seed).parameters
        logins.extend(seed(today=today) if dated else seed())
    # Last, when every contract exists: each one in force gets the invoices of the last twelve
    # months it ran, imported and matched (after the spend demo's price lists and matching).
    demo_invoices.seed(today=today)
    return logins


def seed_people() -> tuple[dict[str, Organisation], list[tuple[str, str, str]]]:
    """The roles, the two regions with their units, and the demo's people: the regions by
    organisation number, and the logins as (username, role, name)."""
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
        logins.append((username, str(role.label), f"{first} {last}"))
    # The orderers are their clinics' follow-up contacts: plans name them.
    for orderer in User.objects.filter(username__in=["bestallare", "bestallare.sormland"]).select_related("unit"):
        unit = orderer.unit
        if unit is not None and unit.followup_contact_id is None:
            unit_update(actor=None, unit=unit, expected_version=None, followup_contact=orderer)
    return orgs, logins


# --- Environmental goals ----------------------------------------------------------------
# Each programme with the years it runs. Region Västmanland: the five target areas of its
# environmental programme 2018–2022, with the targets the region published (transport CO2
# −32 %, all to be reached by 2022), and the environmental goal areas of the sustainability
# programme 2023–2030 that replaced it. Region Sörmland: the four goal areas of its
# sustainability programme 2024–2027, summarised for the demo.
GOALS = {
    ("2321000172", "Miljöprogram 2018–2022"): (
        datetime.date(2018, 1, 1),
        datetime.date(2022, 12, 31),
        [
            (
                "E1",
                "Minska klimatpåverkan från energianvändningen i fastigheterna med 10,5 %",
                "Målområde energi. I upphandling: energieffektiva produkter och installationer, förnybar energi.",
            ),
            (
                "T1",
                "Minska klimatpåverkan från transporter med 32 %",
                "Målområde transporter: tjänsteresor, sjukresor och godstransporter. I upphandling: fossilfria "
                "drivmedel, fordon med låga utsläpp, samordnade leveranser.",
            ),
            (
                "R1",
                "Minska materialförbrukning och avfall genom cirkulära flöden",
                "Målområde resursförbrukning och inköp: miljökrav i upphandling, återanvändning, "
                "mindre engångsmaterial.",
            ),
            (
                "L1",
                "Minska läkemedlens miljöpåverkan",
                "Målområde läkemedel: miljöhänsyn vid val och upphandling av läkemedel, minskade utsläpp av lustgas.",
            ),
            (
                "F1",
                "Minska koldioxidintensiteten i kapitalförvaltningen med 75 %",
                "Målområde finansförvaltning. Berör sällan upphandling; bedöm ändå om avtalet påverkar målet.",
            ),
        ],
    ),
    ("2321000172", "Hållbarhetsprogram 2023–2030"): (
        datetime.date(2023, 1, 1),
        datetime.date(2030, 12, 31),
        [
            (
                "1",
                "Hållbara inköp och resurseffektivitet",
                "Miljökrav i upphandling, cirkulära flöden och mindre engångsmaterial. (Sammanfattning för demo – "
                "kontrollera formuleringen mot det antagna programmet.)",
            ),
            (
                "2",
                "Klimat",
                "Minskad klimatpåverkan från energi, transporter och det regionen köper. (Sammanfattning för demo.)",
            ),
            (
                "3",
                "Biologisk mångfald och giftfri miljö",
                "Utfasning av särskilt farliga ämnen; hänsyn till biologisk mångfald. (Sammanfattning för demo.)",
            ),
        ],
    ),
    ("2321000032", "Hållbarhetsprogram 2024–2027"): (
        datetime.date(2024, 1, 1),
        datetime.date(2027, 12, 31),
        [
            (
                "1",
                "Minskad klimatpåverkan",
                "Fossilfria transporter och energi; lägre utsläpp från det regionen köper. (Sammanfattning för "
                "demo – kontrollera formuleringen mot det antagna programmet.)",
            ),
            (
                "2",
                "Hållbar resursanvändning",
                "Cirkulära flöden, mindre avfall och engångsmaterial, återbruk. (Sammanfattning för demo.)",
            ),
            (
                "3",
                "Giftfri miljö och miljöanpassad läkemedelsanvändning",
                "Utfasning av särskilt farliga ämnen i varor och kemikalier; läkemedlens miljöpåverkan. "
                "(Sammanfattning för demo.)",
            ),
            (
                "4",
                "Socialt ansvarstagande i leveranskedjan",
                "Goda arbetsvillkor hos leverantörer och underleverantörer; uppförandekod och uppföljning. "
                "(Sammanfattning för demo.)",
            ),
        ],
    ),
}


def seed_goals(orgs: dict[str, Organisation]) -> None:
    for (org_number, programme), (valid_from, valid_to, goals) in GOALS.items():
        org = orgs[org_number]
        for code, title, description in goals:
            if not EnvironmentalGoal.objects.filter(organisation=org, programme=programme, code=code).exists():
                procurement_services.goal_create(
                    actor=None,
                    organisation=org,
                    programme=programme,
                    code=code,
                    title=title,
                    description=description,
                    valid_from=valid_from,
                    valid_to=valid_to,
                )


# --- The regions' real procurements of 2021 ---------------------------------------------
STATISTICS_DIR = Path(__file__).resolve().parents[3] / "procurements" / "data"
STATISTICS_FILES = [
    STATISTICS_DIR / "uhm2021_procurements_sormland_vastmanland.csv",
    STATISTICS_DIR / "uhm2021_contracted_value_sormland_vastmanland.csv",
    STATISTICS_DIR / "uhm2021_suppliers_sormland_vastmanland.csv",
]


# --- Three procurements in planning -------------------------------------------------------


def _template(title: str) -> RequirementTemplate | None:
    return RequirementTemplate.objects.filter(title=title, is_active=True).first()


def _assess_aims(procurement: Procurement, aims: dict[int, tuple[bool, str]]) -> None:
    for aim, (relevant, how) in aims.items():
        procurement_services.aim_assess(actor=None, procurement=procurement, aim=aim, relevant=relevant, how=how)


def seed_planning(orgs: dict[str, Organisation]) -> None:
    """No strategy yet (RS-2026-0031), a strategy being drafted (RV-2026-0058), and a
    strategy waiting for approval (RS-2026-0044), submitted by Ingrid so that Ingvar, the
    second officer, can approve it."""
    sormland, vastmanland = orgs["2321000032"], orgs["2321000172"]
    ingrid = User.objects.get(username="inkopare")
    kitchen = Unit.objects.get(organisation=sormland, name="Nyköpings lasarett, kök och restaurang")
    orthopaedics = Unit.objects.get(organisation=vastmanland, name="Västmanlands sjukhus, ortopedkliniken")
    surgery = Unit.objects.get(organisation=sormland, name="Mälarsjukhuset, kirurgkliniken")

    if not Procurement.objects.filter(registry_number="RS-2026-0031").exists():
        meat = procurement_services.procurement_create(
            actor=None,
            buyers=[sormland],
            ordering_units=[kitchen],
            registry_number="RS-2026-0031",
            title="Livsmedel – kött, chark och fågel",
            description="Ramavtal för sjukhusköken i Nyköping och Eskilstuna. Förstudie pågår.",
            kind="goods",
            procedure="open",
            agreement_type="framework",
            officer=ingrid,
            cpv_main=CpvCode.objects.get(code="15110000"),
            estimated_value=24_000_000,
            duration_months=48,
            criticality=2,
            supply_risk=2,
        )
        _assess_aims(meat, {5: (True, "Djurskydd enligt svensk lagstiftning ställs som krav på allt kött.")})

    if not Procurement.objects.filter(registry_number="RV-2026-0058").exists():
        cleaning = procurement_services.procurement_create(
            actor=None,
            buyers=[vastmanland],
            ordering_units=[orthopaedics],
            registry_number="RV-2026-0058",
            title="Städtjänster Västmanlands sjukhus",
            description="Lokalvård på vårdavdelningar och mottagningar, Västerås och Köping.",
            kind="services",
            procedure="open",
            agreement_type="contract",
            officer=ingrid,
            cpv_main=CpvCode.objects.get(code="90911200"),
            estimated_value=38_000_000,
            duration_months=48,
            criticality=3,
            supply_risk=2,
        )
        _assess_aims(
            cleaning,
            {
                1: (True, "Fast pris per kvadratmeter; avtalstrohet följs upp mot fakturor."),
                3: (True, "Miljömärkta kemikalier och mikrofiberteknik minskar kemikalieanvändningen."),
                4: (True, "Städbranschen har hög risk: arbetsrättsliga villkor enligt LOU 17 kap."),
            },
        )
        quality = requirement_add(
            actor=None,
            procurement=cleaning,
            title="Städkvalitet enligt SS 627801 (INSTA 800)",
            type="quality",
            text="Lokalvården ska hålla kvalitetsnivå 3 enligt SS 627801 i vårdlokaler och nivå 2 i övriga lokaler.",
            evidence="Kvalitetsmätning enligt INSTA 800 varje kvartal, utförd av beställaren eller oberoende part.",
            verified_when="after_contract",
            aims=[1],
        )
        labour = requirement_add(
            actor=None, procurement=cleaning, template=_template("Lön, semester och arbetstid enligt kollektivavtal")
        )
        for title in ("Kemiska produkter enligt REACH och CLP", "Uppförandekod för leverantörer"):
            template = _template(title)
            if template is not None:
                requirement_add(actor=None, procurement=cleaning, template=template)
        procurement_services.strategy_entry_set(
            actor=None,
            procurement=cleaning,
            requirement=quality,
            methods=["spot_check", "supplier_meeting"],
            timing="recurring",
            interval_months=3,
            change_reason="Städkvaliteten mäts varje kvartal enligt INSTA 800; stickprov gör mätningen jämförbar.",
        )
        procurement_services.strategy_entry_set(
            actor=None,
            procurement=cleaning,
            requirement=labour,
            methods=["self_assessment", "desk_audit"],
            timing="at_months",
            at_months=[3, 12],
            change_reason="Lönerna kontrolleras tidigt, efter tre månader, och sedan årligen.",
        )

    if not Procurement.objects.filter(registry_number="RS-2026-0044").exists():
        transport = procurement_services.procurement_create(
            actor=None,
            buyers=[sormland, vastmanland],
            ordering_units=[surgery, orthopaedics],
            registry_number="RS-2026-0044",
            title="Godstransporter mellan sjukhus och vårdcentraler",
            description="Gemensam upphandling: dagliga transporter av prover, förbrukningsmaterial och tvätt.",
            kind="services",
            procedure="open",
            agreement_type="contract",
            officer=ingrid,
            cpv_main=CpvCode.objects.get(code="60100000"),
            estimated_value=52_000_000,
            duration_months=48,
            criticality=3,
            supply_risk=2,
        )
        _assess_aims(
            transport,
            {
                1: (True, "Pris per körning och index; fakturor kontrolleras mot prislistan."),
                2: (True, "Uppdelning i två geografiska anbudsområden ger fler möjliga anbudsgivare."),
                3: (True, "Fossilfria drivmedel och Euro VI minskar utsläppen från transporterna."),
                4: (
                    True,
                    "Transportbranschen: lön, semester och arbetstid enligt kollektivavtal, även underleverantörer.",
                ),
                5: (False, "Inga animaliska produkter köps."),
                6: (True, "Anbudsområden i vardera länet gör det möjligt för lokala åkerier att lämna anbud."),
            },
        )
        plan: list[tuple[str, list[str], str, dict[str, Any]]] = [
            ("Tunga fordon i transportuppdraget uppfyller Euro VI", ["document_review"], "at_start", {}),
            (
                "Fossilfria drivmedel i transportuppdraget",
                ["document_review", "invoice_check"],
                "recurring",
                {"interval_months": 12},
            ),
            (
                "Lön, semester och arbetstid enligt kollektivavtal",
                ["self_assessment", "desk_audit"],
                "at_months",
                {"at_months": [3, 15]},
            ),
            ("E-faktura via Peppol BIS Billing 3.0", ["invoice_check"], "recurring", {"interval_months": 3}),
            ("Prisjustering mot index", ["invoice_check"], "recurring", {"interval_months": 12}),
            ("Leveransprecision", ["supplier_meeting", "spot_check"], "recurring", {"interval_months": 4}),
        ]
        for title, methods, timing, extra in plan:
            template = _template(title)
            if template is None:
                continue
            requirement = requirement_add(actor=None, procurement=transport, template=template)
            procurement_services.strategy_entry_set(
                actor=None,
                procurement=transport,
                requirement=requirement,
                methods=methods,
                timing=timing,
                change_reason="Kraven på fordon och drivmedel följs upp på fordonslistor och tankningsdata.",
                **extra,
            )
        for goal in goals_for(transport):
            transport_goal = "klimat" in goal.title.casefold()
            procurement_services.goal_assess(
                actor=None,
                procurement=transport,
                goal=goal,
                addressed=transport_goal,
                how=(
                    "Krav på fossilfria drivmedel och Euro VI; samordnade rutter."
                    if transport_goal
                    else "Målet berörs inte av transportupphandlingen."
                ),
            )
        procurement_services.strategy_update(
            actor=None,
            procurement=transport,
            kickoff_meeting=True,
            supplier_must_participate=True,
            during_procurement=(
                "Vid utvärdering: fordonslista med uppgifter ur vägtrafikregistret (Euro VI, drivmedel) och "
                "leverantörens bekräftelse av arbetsrättsliga villkor."
            ),
        )
        labour_demo.assess_planned(procurement=transport)  # LOU 17 kap.: the gate asks it
        procurement_services.strategy_submit(actor=ingrid, procurement=transport)


class Command(BaseCommand):
    help = (
        "Load the demo organisations, units, people, environmental goals, the regions' 2021 procurements "
        "and three procurements in planning (idempotent)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="Tell the demo's dated story as if today were this day (YYYY-MM-DD); default: today.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logins = seed_demo(today=options.get("today"))
        self.stdout.write(
            "\nProcurements in planning: RS-2026-0031 (no strategy yet), RV-2026-0058 (strategy drafted), "
            "RS-2026-0044 (waiting for approval: submitted by inkopare, log in as inkopare2 to approve)."
        )
        self.stdout.write(
            "Follow-up: contract RV-2025-0107 has a plan, follow-ups done and two major deviations, "
            "one fined and one waived; the regions' 2021 procurements are registered as contracts."
        )
        self.stdout.write(
            "A simulated current year: about 140 live framework contracts (RS-/RV-…-08NN) with follow-ups "
            "done, due soon and overdue, and deviations at every stage."
        )
        # The logins last, where the reader looks when the server starts.
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, name in logins:
            self.stdout.write(f"  {username:<22} {role:<18} {name}")
        self.stdout.write("")
