"""Importing Upphandlingsmyndigheten's statistics: an operator imports a workbook, sees
every unreadable row by its number, runs it again without creating anything twice, and
can try it first without writing."""

import datetime
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from kravspar.audit.models import AuditEvent
from kravspar.core.management.commands.seed_demo import STATISTICS_FILES
from kravspar.organisations.models import Organisation, OrganisationKind
from kravspar.procurements.models import AgreementType, Procedure, Procurement, ProcurementKind, ProcurementStatus
from kravspar.procurements.statistics import SOURCE, FileKind, StatisticsFileError, file_kind, import_statistics
from kravspar.suppliers.models import ProcurementSupplier, Sector, SizeClass, Supplier

# The columns of the statistics database, as in the 2021 files.
COMMON = [
    "År",
    "Namn för köpare",
    "Organisationsnummer för köpare",
    "Sektor för köpare",
    "Delsektor för köpare",
    "Juridisk form för köpare",
    "SNI-Avdelning för köpare",
    "Upphandlingsslag",
    "CPV-Huvudgrupp",
    "CPV-Grupp",
    "CPV-Undergrupp",
    "CPV-Kategori",
    "CPV-Underkategori",
    "Huvudsaklig CPV-kod",
    "Rättslig grund",
    "Direktivstyrd",
    "Förfarande",
    "Typ av avtal",
    "Dynamiskt inköpssystem",
    "Elektronisk auktion",
    "Anbudsområden",
    "Samordnad upphandling",
    "Miljömässigt hållbar upphandling",
    "Socialt hållbar upphandling",
    "Innovationsupphandling",
    "Reserverad upphandling",
    "Reserverat genomförande",
    "Annonsdatabas",
    "Överprövad",
    "Upphandlings-ID",
    "Upphandlingens titel",
    "Publiceringsdatum",
]
VALUE_HEADER = [*COMMON, "Kontrakterat värde, Summa"]
SUPPLIER_HEADER = [
    *COMMON,
    "Anbudsområdes-ID",
    "Namn för leverantör",
    "Sektor för leverantör",
    "Företagsstorlek för leverantör",
    "Juridisk form för leverantör",
    "SNI-Avdelning för leverantör",
    "Antal kontrakterade anbud*, Summa",
]

SORMLAND = ("REGION SÖRMLAND", "2321000032")
STOCKHOLM = ("REGION STOCKHOLM", "2321000016")
LUND = ("LUNDS KOMMUN", "2120001355")


def row(header, *, buyer=SORMLAND, ident="MT42", cpv="15100000 Animaliska livsmedel, kött och köttprodukter", **extra):
    values = {
        "År": 2021,
        "Namn för köpare": buyer[0],
        "Organisationsnummer för köpare": buyer[1],
        "Upphandlingsslag": "Varor",
        "Huvudsaklig CPV-kod": cpv,
        "Förfarande": "Öppet förfarande",
        "Typ av avtal": "Ramavtal",
        "Annonsdatabas": "Mercell Annonsdatabas",
        "Upphandlings-ID": ident,
        "Upphandlingens titel": "Livsmedel kött och chark",
        "Publiceringsdatum": "2021-01-03",
    } | extra
    return [values.get(column) for column in header]


def workbook(path, header, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    book.save(path)
    return path


@pytest.fixture
def values_file(tmp_path):
    """Rows 2–9 of a contracted-value workbook, with one problem of each kind."""
    return workbook(
        tmp_path / "contracted_value.xlsx",
        VALUE_HEADER,
        [
            row(VALUE_HEADER, **{"Kontrakterat värde, Summa": 10_000_000}),  # 2: Sörmland, meat
            row(
                VALUE_HEADER,
                buyer=STOCKHOLM,
                ident="SE100",
                cpv="90911200 Städning av byggnader",
                **{
                    "Upphandlingsslag": "Tjänster",
                    "Förfarande": "Förenklat förfarande",
                    "Typ av avtal": "Kontrakt",
                    "Upphandlingens titel": "Städtjänster",
                    "Kontrakterat värde, Summa": 2_500_000,
                },
            ),  # 3: a new region
            row(VALUE_HEADER, buyer=("REGION DALARNA", "2331000180"), ident="MT7"),  # 4: bad check digit
            row(VALUE_HEADER, ident="MT8", cpv="99999999 Påhittad kod"),  # 5: not a CPV code
            row(VALUE_HEADER, ident=None),  # 6: no Upphandlings-ID
            row(
                VALUE_HEADER,
                buyer=LUND,
                ident="MT9",
                cpv="00000000 Uppgift saknas",
                **{"Upphandlingsslag": "Byggentreprenader", "Kontrakterat värde, Summa": 800_000},
            ),  # 7: no CPV in the statistics: imported without one
            row(VALUE_HEADER, **{"Kontrakterat värde, Summa": 10_000_000}),  # 8: row 2 again
            row(
                VALUE_HEADER, buyer=LUND, ident="MT42", **{"Upphandlingsslag": None, "Kontrakterat värde, Summa": 5}
            ),  # 9: MT42 again, another buyer
        ],
    )


def counts():
    return (
        Procurement.objects.count(),
        Organisation.objects.count(),
        Supplier.objects.count(),
        ProcurementSupplier.objects.count(),
        AuditEvent.objects.count(),
    )


def test_import_reports_unreadable_rows_by_number_and_imports_the_rest(world, values_file):
    [report] = import_statistics([values_file])

    assert report.kind == FileKind.CONTRACTED_VALUES
    assert (report.rows, report.procurements_created, report.organisations_created) == (8, 5, 2)
    skipped = {p.row: p.message for p in report.problems if p.skipped}
    assert sorted(skipped) == [5, 6, 8]
    assert "99999999" in skipped[5]
    assert "Upphandlings-ID" in skipped[6]
    noted = {p.row: p.message for p in report.problems if not p.skipped}
    assert sorted(noted) == [4, 7]
    # A buyer number failing the check digit is imported without a buyer, and flagged.
    assert "2331000180" in noted[4]
    assert report.flagged == {"buyer_org_number": 1}
    dalarna = Procurement.objects.get(registry_number="UHM-MT7-2331000180")
    assert (list(dalarna.buyers.all()), dalarna.data_quality) == ([], "buyer_org_number")
    assert not Organisation.objects.filter(org_number="2331000180").exists()

    meat = Procurement.objects.get(registry_number="UHM-MT42")
    assert list(meat.buyers.all()) == [world.sormland]  # found by organisation number, not created again
    assert (meat.status, meat.source, meat.kind) == (ProcurementStatus.CONCLUDED, SOURCE, ProcurementKind.GOODS)
    assert (meat.procedure, meat.agreement_type) == (Procedure.OPEN, AgreementType.FRAMEWORK)
    assert (meat.cpv_main_id, meat.estimated_value) == ("15100000", Decimal(10_000_000))
    assert "2021-01-03" in meat.description

    cleaning = Procurement.objects.get(registry_number="UHM-SE100")
    assert (cleaning.kind, cleaning.procedure, cleaning.agreement_type) == (
        ProcurementKind.SERVICES,
        Procedure.SIMPLIFIED,
        AgreementType.CONTRACT,
    )
    stockholm = Organisation.objects.get(org_number="2321000016")
    assert (stockholm.kind, stockholm.name, stockholm.peppol_id) == (
        OrganisationKind.REGION,
        "REGION STOCKHOLM",
        "0007:2321000016",
    )
    lund = Organisation.objects.get(org_number="2120001355")
    assert lund.kind == OrganisationKind.OTHER
    works = Procurement.objects.get(registry_number="UHM-MT9")
    assert (works.cpv_main_id, works.kind) == (None, ProcurementKind.WORKS)
    # The same Upphandlings-ID at another buyer is another procurement; its kind comes from the CPV division.
    other = Procurement.objects.get(registry_number="UHM-MT42-2120001355")
    assert (list(other.buyers.all()), other.kind) == ([lund], ProcurementKind.GOODS)

    created = AuditEvent.objects.filter(action="procurement.created", actor=None)
    assert created.count() == 5
    event = created.get(object_id=str(meat.uuid))
    assert (event.actor_label, event.object_type, event.organisation) == (
        "system",
        "procurements.procurement",
        world.sormland,
    )
    assert event.after["registry_number"] == "UHM-MT42"
    assert event.after["buyers"] == ["Region Sörmland"]


def test_a_second_run_creates_nothing(world, values_file):
    import_statistics([values_file])
    before = counts()
    [again] = import_statistics([values_file])
    assert counts() == before
    assert (again.procurements_created, again.values_set, again.organisations_created) == (0, 0, 0)
    assert sorted(p.row for p in again.problems if p.skipped) == [5, 6, 8]


def test_a_dry_run_writes_nothing_and_counts_as_a_real_run(world, values_file):
    before = counts()
    [dry] = import_statistics([values_file], dry_run=True)
    assert counts() == before
    [real] = import_statistics([values_file])
    assert (dry.procurements_created, dry.organisations_created, dry.problems) == (
        real.procurements_created,
        real.organisations_created,
        real.problems,
    )


def test_buyer_filter_imports_only_the_named_buyers(world, values_file):
    [report] = import_statistics([values_file], buyers=["212000-1355"])
    # Lund's MT42 gets the plain registry number: Sörmland's MT42 was left out.
    assert set(Procurement.objects.values_list("registry_number", flat=True)) == {"UHM-MT9", "UHM-MT42"}
    # Rows of other buyers are left out without being checked, so their problems are not reported.
    assert (report.other_buyers, report.problems[0].row, len(report.problems)) == (6, 7, 1)


def test_contracted_values_fill_in_procurements_imported_without_one(world, tmp_path):
    header = [*COMMON, "Antal upphandlingar, Summa"]
    procurements = workbook(tmp_path / "number_of_procurements.xlsx", header, [row(header, **{header[-1]: 1})])
    values = workbook(
        tmp_path / "values.xlsx", VALUE_HEADER, [row(VALUE_HEADER, **{"Kontrakterat värde, Summa": 1_234_567})]
    )
    # Given in any order, the procurements are imported first.
    reports = import_statistics([values, procurements])
    assert [r.kind for r in reports] == [FileKind.PROCUREMENTS, FileKind.CONTRACTED_VALUES]
    assert (reports[0].procurements_created, reports[1].values_set) == (1, 1)
    procurement = Procurement.objects.get(registry_number="UHM-MT42")
    assert procurement.estimated_value == Decimal(1_234_567)
    event = AuditEvent.objects.get(action="procurement.updated", object_id=str(procurement.uuid))
    assert (event.before, event.after) == ({"estimated_value": None}, {"estimated_value": "1234567"})
    before = counts()
    import_statistics([values, procurements])
    assert counts() == before


def test_suppliers_are_found_by_name_and_linked_per_lot(world, tmp_path):
    def supplier_row(name, lot, size="Små företag", **extra):
        return row(
            SUPPLIER_HEADER,
            **{
                "Namn för leverantör": name,
                "Anbudsområdes-ID": lot,
                "Företagsstorlek för leverantör": size,
                "Sektor för leverantör": "Privat",
                "Antal kontrakterade anbud*, Summa": 1,
            }
            | extra,
        )

    existing = Supplier.objects.create(name="Charkett Aktiebolag")
    path = workbook(
        tmp_path / "suppliers.xlsx",
        SUPPLIER_HEADER,
        [
            supplier_row("CHARKETT  AKTIEBOLAG", "CAN-1_1"),  # 2: the existing supplier, despite case and spacing
            supplier_row("Skånemejerier AB", "CAN-1_2", size="Stora företag"),  # 3
            supplier_row("Skånemejerier AB", "CAN-1_3", size="Stora företag"),  # 4: a second lot
            supplier_row("Personuppgift", "CAN-1_4", size=None),  # 5: a sole trader, name withheld
            supplier_row("Skånemejerier AB", "CAN-1_2", size="Stora företag"),  # 6: row 3 again
            supplier_row("Ängens Ägg", "CAN-1_5", size="Mikroföretag", **{"Upphandlings-ID": None}),  # 7
        ],
    )
    [report] = import_statistics([path])

    assert (report.procurements_created, report.suppliers_created, report.links_created) == (1, 1, 3)
    assert report.withheld_suppliers == 1
    assert {p.row: p.skipped for p in report.problems} == {6: True, 7: True}
    procurement = Procurement.objects.get(registry_number="UHM-MT42")
    links = list(procurement.supplier_links.select_related("supplier").order_by("lot_reference"))
    assert [(link.supplier.name, link.lot_reference) for link in links] == [
        ("Charkett Aktiebolag", "CAN-1_1"),
        ("Skånemejerier AB", "CAN-1_2"),
        ("Skånemejerier AB", "CAN-1_3"),
    ]
    assert links[0].supplier == existing
    dairy = Supplier.objects.get(name="Skånemejerier AB")
    assert (dairy.size_class, dairy.sector, dairy.source, dairy.name_key) == (
        SizeClass.LARGE,
        Sector.PRIVATE,
        SOURCE,
        "skånemejerier ab",
    )
    assert AuditEvent.objects.filter(action="supplier.created", object_id=str(dairy.uuid)).exists()
    assert AuditEvent.objects.get(action="procurement.suppliers_added").after == {
        "suppliers": ["Charkett Aktiebolag (CAN-1_1)", "Skånemejerier AB (CAN-1_2)", "Skånemejerier AB (CAN-1_3)"]
    }

    before = counts()
    import_statistics([path])
    assert counts() == before


def test_a_file_that_is_not_a_statistics_file_is_refused_before_anything_is_written(world, tmp_path, values_file):
    wrong = workbook(tmp_path / "invoices.xlsx", ["Fakturanummer", "Belopp"], [["1", 100]])
    with pytest.raises(StatisticsFileError):
        file_kind(wrong)
    before = counts()
    with pytest.raises(CommandError):
        call_command("import_procurement_statistics", str(values_file), str(wrong), stdout=StringIO())
    assert counts() == before


def test_the_command_prints_progress_counts_and_problems(world, values_file):
    out = StringIO()
    call_command("import_procurement_statistics", str(values_file), "--progress-every", "4", stdout=out)
    text = out.getvalue()
    assert "contracted_value.xlsx: 4 " in text  # progress after four rows
    for number in (4, 5, 6, 7, 8):
        assert f" {number}: " in text
    out = StringIO()
    call_command("import_procurement_statistics", str(values_file), "--dry-run", stdout=out)
    assert Procurement.objects.count() == 5


def test_the_bundled_rows_are_the_two_regions_131_procurements_of_2021(world):
    reports = import_statistics(STATISTICS_FILES)

    assert [r.kind for r in reports] == [FileKind.PROCUREMENTS, FileKind.CONTRACTED_VALUES, FileKind.SUPPLIERS]
    assert [r.rows for r in reports] == [131, 100, 234]
    assert all(not r.problems for r in reports)
    assert sum(r.organisations_created for r in reports) == 0  # both regions were already registered
    assert world.sormland.procurements.count() == 70
    assert world.vastmanland.procurements.count() == 61
    assert Procurement.objects.filter(source=SOURCE, status=ProcurementStatus.CONCLUDED).count() == 131
    # Publiceringsdatum is the day each was advertised: contracts signed after them follow it.
    assert not Procurement.objects.filter(source=SOURCE, advertised_on__isnull=True).exists()
    assert Procurement.objects.get(registry_number__endswith="MT144").advertised_on == datetime.date(2021, 1, 12)
    values = {
        org.name: sum(p.estimated_value or 0 for p in org.procurements.all())
        for org in (world.sormland, world.vastmanland)
    }
    assert values == {"Region Sörmland": Decimal(1_818_487_715), "Region Västmanland": Decimal(884_306_108)}
    # 122 and 92 names in the statistics; one of Sörmland's is the withheld "Personuppgift".
    assert reports[2].withheld_suppliers == 2
    assert Supplier.objects.filter(procurement_links__procurement__buyers=world.sormland).distinct().count() == 121
    assert Supplier.objects.filter(procurement_links__procurement__buyers=world.vastmanland).distinct().count() == 92
