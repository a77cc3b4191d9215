"""Import of existing contracts: upload, column mapping, dry run row by row, then the
import in one transaction. A sheet with any error creates nothing."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from kravspar.audit.models import AuditEvent
from kravspar.contracts import services as contract_services
from kravspar.contracts.models import Contract
from kravspar.reports import importing
from kravspar.suppliers.models import Supplier

HEADER = "Avtalsnummer;Avtalsnamn;Leverantör;Leverantörens organisationsnummer;Köpare;Startdatum;Slutdatum;Värde"
GOOD = [
    "IMP-1;Städ Västerås;Glans Städ AB;556036-0793;232100-0172;2024-01-01;2026-12-31;1 200 000",
    "IMP-2;Tvätt;Tvätteriet i Eskilstuna AB;;232100-0032, 232100-0172;2023-05-01;2027-04-30;800000",
    "IMP-3;Fönsterputs;Glans Städ AB;556036-0793;232100-0032;2025-02-01;2026-01-31;",
]
BAD = [
    GOOD[0],
    "IMP-2;Tvätt;Tvätteriet AB;;232100-0172;2023-13-01;2027-04-30;800000",  # no such month
    ";Fönsterputs;Glans Städ AB;556036-0793;999999-9999;2025-02-01;2026-01-31;mycket",  # three errors
    "IMP-1;Dubblett;Glans Städ AB;;232100-0172;2025-02-01;2024-01-31;",  # twice, and ends before it starts
]


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def csv_file(lines: list[str], name: str = "register.csv", encoding: str = "utf-8-sig") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([HEADER, *lines]) + "\n").encode(encoding), "text/csv")


def upload(client: Any, file: Any) -> Any:
    return client.post(reverse("reports:import"), {"file": file})


def mapping_for(response: Any) -> dict[str, str]:
    form = response.context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def start(client: Any, file: Any) -> tuple[str, dict[str, str]]:
    response = upload(client, file)
    assert response.status_code == 302, response.content
    page = client.get(response["Location"])
    assert page.status_code == 200
    return response["Location"], mapping_for(page)


def test_a_good_sheet_is_dry_run_then_imported(world: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    url, mapping = start(client, csv_file(GOOD))
    assert mapping["contract_number"] == "0" and mapping["buyers"] == "4"  # guessed from the headings
    dry = client.post(url, mapping | {"action": "dry_run"})
    assert dry.status_code == 200
    assert dry.context["result"].ok and dry.context["result"].created == 3
    assert dry.context["result"].new_suppliers == 2
    assert not Contract.objects.exists() and not Supplier.objects.filter(source="Import").exists()
    done = client.post(url, mapping | {"action": "import"})
    assert done.status_code == 302
    contracts = {c.contract_number: c for c in Contract.objects.prefetch_related("buyers", "suppliers")}
    assert set(contracts) == {"IMP-1", "IMP-2", "IMP-3"}
    assert all(c.strategy_missing and c.procurement_id is None for c in contracts.values())
    assert {b.name for b in contracts["IMP-2"].buyers.all()} == {"Region Sörmland", "Region Västmanland"}
    assert contracts["IMP-1"].value == 1_200_000 and contracts["IMP-3"].value is None
    assert contracts["IMP-1"].suppliers.get() == contracts["IMP-3"].suppliers.get()  # found by number
    assert AuditEvent.objects.filter(action="contract.registered", actor=world.officer).count() == 3
    # The stored upload is gone after the import.
    assert client.get(url).status_code == 404


def test_a_sheet_with_errors_creates_nothing_and_names_each_row(world: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    url, mapping = start(client, csv_file(BAD))
    response = client.post(url, mapping | {"action": "import"})
    assert response.status_code == 400
    result = response.context["result"]
    assert not result.ok and not result.committed
    errors = "\n".join(result.errors)
    assert "Rad 3, kolumn ”Startdatum”" in errors or "Rad 3, kolumn “Startdatum”" in errors
    assert not [e for e in result.errors if e.startswith("Rad 2")]  # the good row has no error
    row4 = [e for e in result.errors if e.startswith("Rad 4")]
    assert len(row4) == 3  # no contract number, an unknown buyer, a value that is no amount
    assert any("Avtalsnummer" in e for e in row4) and any("Köpare" in e for e in row4)
    assert any("Värde" in e for e in row4)
    row5 = [e for e in result.errors if e.startswith("Rad 5")]
    assert any("rad 2" in e for e in row5)  # IMP-1 twice
    assert Contract.objects.count() == 0 and not Supplier.objects.filter(source="Import").exists()
    html = response.content.decode()
    assert "ingenting importerades" in html.lower() or "inget importerades" in html.lower()


def test_a_service_refusal_is_reported_on_its_row(world: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    line = "IMP-9;Slutar före start;Glans Städ AB;;232100-0172;2025-02-01;2024-01-31;"
    url, mapping = start(client, csv_file([line]))
    result = client.post(url, mapping | {"action": "dry_run"}).context["result"]
    assert result.errors == ["Rad 2, kolumn ”Slutdatum”: avtalsperioden kan inte sluta före startdatumet."]
    assert Contract.objects.count() == 0


def test_a_crash_halfway_leaves_nothing_and_names_the_row_with_a_reference(
    world: Any, monkeypatch: Any, caplog: Any
) -> None:
    calls = {"n": 0}
    real = contract_services.contract_register_direct

    def crash_on_second(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(contract_services, "contract_register_direct", crash_on_second)
    path = importing.import_dir() / "crash.csv"
    path.write_text("\n".join([HEADER, *GOOD]), encoding="utf-8")
    sheet = importing.read_sheet(path)
    mapping: dict[str, int | None] = dict(importing.guess_mapping(sheet.headers))
    result = importing.run_import(actor=world.officer, sheet=sheet, mapping=mapping, commit=True)
    # The row the bug met is refused as an internal error with a reference, the rows after
    # it are still checked, and since a row is wrong nothing is stored.
    assert calls["n"] == len(GOOD)
    assert not result.committed
    (wrong,) = [row for row in result.rows if row.errors]
    assert wrong.number == 3
    reference = re.search(r"ERR-[0-9A-F]{8}", wrong.errors[0])
    assert reference and wrong.errors[0].startswith("Rad 3: Internt fel")
    assert any(reference.group(0) in r.getMessage() and r.exc_info for r in caplog.records)
    assert Contract.objects.count() == 0 and not Supplier.objects.filter(source="Import").exists()


def test_an_excel_workbook_imports_with_its_dates(world: Any, client_for: Any) -> None:
    import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["Avtalsnummer", "Titel", "Leverantör", "Köpare", "Start", "Slut", "Optioner"])
    sheet.append(["X-1", "Hjälpmedel", "Rullstolen AB", "2321000172", datetime.datetime(2025, 1, 1), "2026-12-31", 2])
    buffer = io.BytesIO()
    book.save(buffer)
    file = SimpleUploadedFile("register.xlsx", buffer.getvalue(), "application/octet-stream")
    client = client_for(world.officer)
    url, mapping = start(client, file)
    mapping["extension_months"] = ""
    result = client.post(url, mapping | {"action": "dry_run"}).context["result"]
    # Two options but no column with their length: the contracts service says so.
    assert [e for e in result.errors if "Månader per förlängning" in e or "förlängning" in e]
    mapping["extension_options"] = ""
    assert client.post(url, mapping | {"action": "import"}).status_code == 302
    contract = Contract.objects.get()
    assert contract.starts_on == datetime.date(2025, 1, 1) and contract.signed_on == contract.starts_on


# --- "Beställare" is the ordering unit ---------------------------------------------------


def test_the_column_bestallare_is_the_ordering_unit_not_the_buyer():
    mapping = importing.guess_mapping(["Avtalsnummer", "Köpare", "Beställare"])
    assert mapping == {"contract_number": 0, "buyers": 1, "ordering_units": 2}
    assert "buyers" not in importing.guess_mapping(["Beställare"])


def test_the_ordering_unit_named_in_the_register_is_the_contracts(world: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    header = HEADER + ";Beställare"
    lines = [
        "IMP-1;Städ Västerås;Glans Städ AB;556036-0793;232100-0172;2024-01-01;2026-12-31;;ortopedkliniken",
        "IMP-2;Tvätt;Glans Städ AB;556036-0793;232100-0032, 232100-0172;2024-01-01;2026-12-31;;"
        '"Kirurgkliniken; Ortopedkliniken"',  # quoted: the sheet's separator is a semicolon too
    ]
    file = SimpleUploadedFile("r.csv", ("\n".join([header, *lines]) + "\n").encode(), "text/csv")
    url, mapping = start(client, file)
    assert mapping["buyers"] == "4" and mapping["ordering_units"] == "8"
    assert client.post(url, mapping | {"action": "import"}).status_code == 302
    contracts = Contract.objects.prefetch_related("ordering_units")
    units = {c.contract_number: set(c.ordering_units.all()) for c in contracts}
    assert units == {"IMP-1": {world.unit_vm}, "IMP-2": {world.unit_sl, world.unit_vm}}
    event = AuditEvent.objects.get(action="contract.registered", object_repr__startswith="IMP-2")
    assert event.after["ordering_units"] == ["Kirurgkliniken", "Ortopedkliniken"]


def test_an_ordering_unit_not_of_the_rows_buyers_is_refused_by_name(world: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    header = HEADER + ";Beställare"
    # Kirurgkliniken is Region Sörmland's; the contract is Region Västmanland's.
    line = "IMP-1;Städ;Glans Städ AB;556036-0793;232100-0172;2024-01-01;2026-12-31;;Kirurgkliniken"
    file = SimpleUploadedFile("r.csv", (header + "\n" + line + "\n").encode(), "text/csv")
    url, mapping = start(client, file)
    result = client.post(url, mapping | {"action": "dry_run"}).context["result"]
    assert len(result.errors) == 1
    assert "Beställare" in result.errors[0] and "Kirurgkliniken" in result.errors[0]
    assert "Region Västmanland" in result.errors[0]


def test_the_ordering_unit_columns_help_says_what_it_holds(world: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    response = client.get(start(client, csv_file(GOOD))[0])
    help_text = str(response.context["form"].fields["ordering_units"].help_text)
    assert "beställaren" in help_text.casefold() and "inte den köpande organisationen" in help_text


def test_the_mapping_must_name_the_required_columns(world: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    url, mapping = start(client, csv_file(GOOD))
    response = client.post(url, mapping | {"buyers": "", "title": "0", "action": "dry_run"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "buyers" in errors and "title" in errors  # missing, and the same column twice
    assert Contract.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("register.exe", b"MZ\x90\x00", "Excel"),
        ("register.xlsx", b"just text, not a workbook", "inte en Excel"),
        ("register.csv", b"Avtalsnummer\n", "inga avtal"),
        ("register.csv", b"", "tom"),
    ],
)
def test_files_that_are_not_registers_are_refused(
    world: Any, client_for: Any, name: str, content: bytes, message: str
) -> None:
    response = upload(client_for(world.officer), SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert message.lower() in str(response.context["form"].errors["file"]).lower()
    assert not list(importing.import_dir().iterdir())


def test_a_file_over_the_limit_is_refused(world: Any, client_for: Any, settings: Any) -> None:
    big = SimpleUploadedFile("register.csv", b"a;b\n" + b"x;y\n" * (importing.MAX_BYTES // 4 + 1))
    response = upload(client_for(world.officer), big)
    assert response.status_code == 400
    assert "2 MB" in str(response.context["form"].errors["file"])


def test_a_windows_1252_csv_is_read(world: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    url, mapping = start(client, csv_file([GOOD[0]], encoding="cp1252"))
    result = client.post(url, mapping | {"action": "dry_run"}).context["result"]
    assert result.ok and result.rows[0].supplier == "Glans Städ AB"


def test_only_those_who_manage_contracts_may_import(world: Any, client_for: Any) -> None:
    for person in (world.reader, world.orderer_vm, world.supplier_contact):
        client = client_for(person)
        assert client.get(reverse("reports:import")).status_code == 403
        assert upload(client, csv_file(GOOD)).status_code == 403


def test_another_persons_upload_is_not_reachable(world: Any, client_for: Any, second_officer: Any) -> None:
    url, _mapping = start(client_for(world.officer), csv_file(GOOD))
    other = client_for(second_officer)
    assert other.get(url).status_code == 404
    assert other.get(reverse("reports:import_map", args=["..%2F..%2Fetc%2Fpasswd"])).status_code == 404


def test_buyers_outside_what_the_importer_sees_are_refused(world: Any, client_for: Any) -> None:
    """An orderer cannot import at all; an officer sees both regions. A third region's
    organisation number is refused by name."""
    from kravspar.testing.factories import OrganisationFactory

    other = OrganisationFactory.create(name="Region Örebro län", org_number="2321000164", peppol_value="2321000164")
    line = f"IMP-7;Annat;Glans Städ AB;;{other.org_number};2025-02-01;2026-01-31;"
    client = client_for(world.officer)
    url, mapping = start(client, csv_file([line]))
    result = client.post(url, mapping | {"action": "dry_run"}).context["result"]
    assert any("232100-0164" in e or "2321000164" in e for e in result.errors)


def test_the_template_imports_as_it_is(world: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    template = client.get(reverse("reports:import_template"))
    assert template.status_code == 200 and template.content.startswith(b"\xef\xbb\xbf")
    url, mapping = start(client, SimpleUploadedFile("mall.csv", template.content, "text/csv"))
    assert all(mapping[key] != "" for key, _label, _required in importing.FIELDS)  # every column recognised
    result = client.post(url, mapping | {"action": "dry_run"}).context["result"]
    assert result.ok and result.created == 1
    assert client_for(world.reader).get(reverse("reports:import_template")).status_code == 403


def test_the_import_service_refuses_a_reader(world: Any, tmp_path: Any) -> None:
    from django.core.exceptions import PermissionDenied

    path = importing.import_dir() / "reader.csv"
    path.write_text("\n".join([HEADER, GOOD[0]]), encoding="utf-8")
    sheet = importing.read_sheet(path)
    with pytest.raises(PermissionDenied):
        importing.run_import(
            actor=world.reader, sheet=sheet, mapping=dict(importing.guess_mapping(sheet.headers)), commit=True
        )
    assert Contract.objects.count() == 0


def _run_rows(world: Any, header: str, lines: list[str], name: str) -> importing.Result:
    path = importing.import_dir() / name
    path.write_text("\n".join([header, *lines]), encoding="utf-8")
    sheet = importing.read_sheet(path)
    mapping: dict[str, int | None] = dict(importing.guess_mapping(sheet.headers))
    return importing.run_import(actor=world.officer, sheet=sheet, mapping=mapping, commit=True)


def test_a_nul_character_in_a_cell_is_refused_by_its_column_on_both_databases(world: Any) -> None:
    """Found by the fuzzer on PostgreSQL, which can neither store nor compare text with a NUL:
    the row was refused as an internal error there and stored on SQLite."""
    result = _run_rows(
        world, HEADER, [GOOD[0], "IMP-2\x00;Tvätt;Tvätt\x00 AB;;232100-0172;2024-01-01;2026-12-31;"], "nul.csv"
    )
    assert not result.committed
    (wrong,) = [row for row in result.rows if row.errors]
    assert wrong.errors == [
        "Rad 3, kolumn ”Avtalsnummer”: cellen innehåller ett NUL-tecken (0x00), som inte kan sparas; ta bort det.",
        "Rad 3, kolumn ”Leverantör”: cellen innehåller ett NUL-tecken (0x00), som inte kan sparas; ta bort det.",
    ]
    assert Contract.objects.count() == 0


@pytest.mark.parametrize(
    ("options", "months", "refused"),
    [
        ("99", "120", []),
        ("100", "12", ["Förlängningsoptioner: högst 99."]),
        ("2", "684027", ["Månader per förlängning: högst 120 (tio år)."]),
    ],
)
def test_extension_counts_beyond_what_a_contract_can_have_are_refused_by_their_column(
    world: Any, options: str, months: str, refused: list[str]
) -> None:
    """Found by the fuzzer on PostgreSQL: 684,027 months per extension overflowed the small
    integer column (an internal error there, stored on SQLite)."""
    header = HEADER + ";Förlängningsoptioner;Månader per förlängning"
    result = _run_rows(world, header, [f"{GOOD[0]};{options};{months}"], "ext.csv")
    errors = [e for row in result.rows for e in row.errors]
    assert [e.split(": ", 1)[1] for e in errors] == [r.split(": ", 1)[1] for r in refused]
    assert all("Internt fel" not in e for e in errors)
    assert result.committed == (not refused)
