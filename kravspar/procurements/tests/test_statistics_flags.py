"""The national file is imported whole: rows whose buyer number fails the check digit,
rows without a kind and rows repeating an Upphandlings-ID are imported and flagged with the
problem, counted in the report, found again by a second run, and filterable in the list."""

from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from kravspar.organisations.models import Organisation
from kravspar.procurements.models import DataQuality, Procurement
from kravspar.procurements.statistics import SOURCE, import_statistics
from kravspar.procurements.tests.test_statistics import COMMON, row, workbook

HEADER = [*COMMON, "Antal upphandlingar, Summa"]
COUNT = {"Antal upphandlingar, Summa": 1}


def national_file(tmp_path):
    return workbook(
        tmp_path / "number_of_procurements.xlsx",
        HEADER,
        [
            row(HEADER, ident="N1", **COUNT),  # 2: clean
            row(HEADER, ident="N2", buyer=("REGION DALARNA", "2331000180"), **COUNT),  # 3: bad check digit
            row(HEADER, ident="N3", cpv="00000000 Uppgift saknas", **{"Upphandlingsslag": None}, **COUNT),  # 4
            row(HEADER, ident="N1", **{"Upphandlingens titel": "Kött igen"}, **COUNT),  # 5: N1 again
            row(HEADER, ident="N1", **COUNT),  # 6: and again
        ],
    )


def test_every_row_of_the_national_file_is_imported_and_the_problems_flagged(world, tmp_path):
    [report] = import_statistics([national_file(tmp_path)])

    assert (report.rows, report.published_count, report.procurements_created, report.skipped) == (5, 5, 5, 0)
    assert report.flagged == {"buyer_org_number": 1, "kind_missing": 1, "repeated_id": 2}
    assert sorted({p.row for p in report.problems}) == [3, 4, 5, 6]
    assert Procurement.objects.filter(source=SOURCE).count() == report.published_count

    flags = dict(Procurement.objects.values_list("registry_number", "data_quality"))
    assert flags == {
        "UHM-N1": "",
        "UHM-N2-2331000180": DataQuality.BUYER_ORG_NUMBER,
        "UHM-N3": DataQuality.KIND_MISSING,
        "UHM-N1-2321000032-2": DataQuality.REPEATED_ID,
        "UHM-N1-2321000032-3": DataQuality.REPEATED_ID,
    }
    assert Procurement.objects.get(registry_number="UHM-N1-2321000032-2").title == "Kött igen"
    assert Procurement.objects.get(registry_number="UHM-N3").kind == ""
    assert not Procurement.objects.get(registry_number="UHM-N2-2331000180").buyers.exists()
    assert not Organisation.objects.filter(org_number="2331000180").exists()

    # A second run finds every row's procurement, the flagged ones too.
    [again] = import_statistics([national_file(tmp_path)])
    assert (again.procurements_created, again.procurements_found, again.flagged) == (0, 5, {})
    assert Procurement.objects.count() == 5


def test_the_list_filters_by_data_quality_problem(world, client_for, tmp_path):
    import_statistics([national_file(tmp_path)])
    client = client_for(world.admin)
    url = reverse("procurements:list")

    page = client.get(url, {"data_quality": DataQuality.REPEATED_ID}).content.decode()
    assert "UHM-N1-2321000032-2" in page and "UHM-N1-2321000032-3" in page
    assert "UHM-N3" not in page and ">UHM-N1<" not in page
    assert str(DataQuality.REPEATED_ID.label) in page

    page = client.get(url, {"data_quality": "any"}).content.decode()
    assert all(number in page for number in ("UHM-N2-2331000180", "UHM-N3", "UHM-N1-2321000032-2"))
    assert ">UHM-N1<" not in page

    # An officer of a region sees only the flagged procurements of the buyers she may see.
    officer_page = client_for(world.officer).get(url, {"data_quality": "any"}).content.decode()
    assert "UHM-N2-2331000180" not in officer_page


def test_the_command_reports_the_published_count_and_the_flags(world, tmp_path):
    out = StringIO()
    with translation.override("en"):
        call_command("import_procurement_statistics", str(national_file(tmp_path)), stdout=out)
    text = out.getvalue()
    assert "(Antal upphandlingar): 5; procurements created or found: 5." in text
    assert "Upphandlings-ID repeated for the same buyer 2" in text
    assert "Neither kind nor CPV code given 1" in text
