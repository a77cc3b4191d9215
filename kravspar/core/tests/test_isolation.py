"""One document's (or row's) bug never stops a batch (issue 18): for each reader besides the
invoice import (tested in kravspar/invoices/tests), an unexpected exception in one file, row
or batch of rows is refused as an internal error with an ERR- reference, the traceback is
logged under that reference, the rest goes on, and the commands' exit status and summary
count the failures.

A bug cannot be had on demand from correct code, so each test plants one: it replaces one
function the reader calls with one that raises for one input, and everything else is real.
"""

from __future__ import annotations

import datetime
import re
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from kravspar.core import numbers
from kravspar.invoices.models import InvoiceDocument
from kravspar.ledger.models import LedgerImport
from kravspar.ledger.services import LedgerRefused, ledger_import, mapping_save

REF = re.compile(r"ERR-[0-9A-F]{8}")
NOTICES = Path(__file__).resolve().parents[2] / "notices" / "tests" / "corpus" / "notices"


def logged(caplog: Any, reference: str) -> bool:
    """Whether the reference was logged at ERROR with the traceback."""
    return any(reference in r.getMessage() and r.exc_info and r.levelname == "ERROR" for r in caplog.records)


class Bug(RuntimeError):
    pass


# --- The decimal helper -----------------------------------------------------------------


def test_divide_works_in_its_own_context_and_refuses_what_does_not_fit() -> None:
    assert numbers.divide(Decimal("10.00"), Decimal(3), places=10, digits=28) == Decimal("3.3333333333")
    # In the default 28-digit context this quotient's quantize raises InvalidOperation.
    with pytest.raises(numbers.NumberRefused) as refused:
        numbers.divide(Decimal("999999999999999.99"), Decimal("0.000001"), places=10, digits=28)
    assert refused.value.reason == numbers.Reason.TOO_LARGE
    with pytest.raises(numbers.NumberRefused):
        numbers.divide(Decimal(1), Decimal(0), places=2, digits=10)


# --- The financial-system (ledger) import ----------------------------------------------

COLUMNS = {
    "supplier_org_number": "Orgnr",
    "invoice_number": "Fakturanr",
    "invoice_date": "Fakturadatum",
    "cost_centre": "Ansvar",
    "account": "Konto",
    "amount": "Belopp",
    "quantity": "Antal",
}
HEADER = "Orgnr;Fakturanr;Fakturadatum;Ansvar;Konto;Belopp;Antal\n"


@pytest.fixture
def mapped(world: Any) -> Any:
    return mapping_save(actor=world.officer, organisation=world.vastmanland, columns=COLUMNS, cost_centres={})


def test_a_line_whose_unit_price_does_not_fit_is_refused_by_name(world: Any, mapped: Any) -> None:
    data = (HEADER + "556036-0793;F-1;2026-01-15;1010;4010;999999999999999,99;0,000001\n").encode()
    with pytest.raises(LedgerRefused) as refused:
        ledger_import(actor=None, organisation=world.vastmanland, data=data, file_name="huge.csv")
    assert refused.value.errors == ["Rad 2, kolumn Antal: ”999999999999999.99/0.000001” är för stort."]


def test_the_ledger_command_refuses_a_file_a_bug_meets_and_imports_the_next(
    world: Any, mapped: Any, tmp_path: Path, monkeypatch: Any, caplog: Any
) -> None:
    from kravspar.ledger import services

    real = services.normalise_org_number

    def buggy(value: str) -> str:
        if value == "556036-0793":
            raise Bug("a bug in the organisation number check")
        return real(value)

    monkeypatch.setattr(services, "normalise_org_number", buggy)
    first = tmp_path / "a.csv"
    first.write_text(HEADER + "556036-0793;F-1;2026-01-15;1010;4010;100;1\n5560360793;F-2;2026-01-16;1010;4010;5;\n")
    second = tmp_path / "b.csv"
    second.write_text(HEADER + "556054-1889;F-3;2026-01-17;1010;4010;250,50;2\n")
    out = StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("import_ledger", "2321000172", str(first), str(second), stdout=out)
    assert exit_status.value.code == 1
    text = out.getvalue()
    # The buggy row is named with the reference; the other row of the file was read (its
    # own number, written without the hyphen, is not the buggy one); the next file imported.
    reference = REF.search(text)
    assert reference and f"Rad 2: Internt fel (referens {reference.group(0)})" in text
    assert logged(caplog, reference.group(0))
    assert "1 av 2 filer importerades inte." in text
    assert list(LedgerImport.objects.values_list("file_name", flat=True)) == ["b.csv"]
    assert InvoiceDocument.objects.filter(number="F-3").count() == 1
    assert not InvoiceDocument.objects.filter(number__in=["F-1", "F-2"]).exists()


def test_the_ledger_upload_page_shows_the_internal_error_and_stores_nothing(
    world: Any, mapped: Any, client_for: Any, monkeypatch: Any, caplog: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kravspar.ledger import services

    def buggy(*args: Any, **kwargs: Any) -> Any:
        raise Bug("a bug while storing")

    monkeypatch.setattr(services, "_store", buggy)
    client = client_for(world.officer)
    data = (HEADER + "556036-0793;F-1;2026-01-15;1010;4010;100;1\n").encode()
    response = client.post(
        reverse("ledger:upload"),
        {
            "organisation": world.vastmanland.uuid,
            "export_file": SimpleUploadedFile("a.csv", data, "text/csv"),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    reference = REF.search(html)
    assert reference and "Filen importerades inte: Internt fel (referens" in html
    assert logged(caplog, reference.group(0))
    assert not LedgerImport.objects.exists() and not InvoiceDocument.objects.exists()


# --- eForms notices ---------------------------------------------------------------------


def test_the_notice_command_refuses_a_notice_a_bug_meets_and_reads_the_next(
    world: Any, tmp_path: Path, monkeypatch: Any, caplog: Any
) -> None:
    from kravspar.notices import services
    from kravspar.notices.models import Notice

    names = ["E1_minimal.xml", "E2_minimal.xml", "E3_minimal.xml"]
    for name in names:
        shutil.copy(NOTICES / name, tmp_path / name)
    real = services.parse
    bad = (NOTICES / names[1]).read_bytes()

    def parse(data: bytes) -> Any:
        if data == bad:
            raise Bug("a bug in the notice reader")
        return real(data)

    monkeypatch.setattr(services, "parse", parse)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("import_notices", str(tmp_path), stdout=out)
    assert exit_status.value.code == 1
    lines = out.getvalue().splitlines()
    (line,) = [line for line in lines if names[1] in line]
    reference = REF.search(line)
    assert reference and "[internal_error] Internt fel (referens" in line
    assert logged(caplog, reference.group(0))
    # The notices on either side were read and decided by their own rules.
    for name in (names[0], names[2]):
        (other,) = [line for line in lines if name in line]
        assert "internal_error" not in other
    assert "1 rader, omgångar eller filer fick ett internt fel" in out.getvalue()
    assert not Notice.objects.filter(file_name__endswith=names[1]).exists()


# --- Price lists, the requirement library, questionnaire answers --------------------------


def test_a_price_list_a_bug_meets_is_refused_with_a_reference(world: Any, monkeypatch: Any, caplog: Any) -> None:
    from kravspar.contracts import services as contract_services
    from kravspar.spend import pricelists
    from kravspar.spend.models import PriceListArticle
    from kravspar.suppliers.services import supplier_create

    supplier = supplier_create(actor=world.officer, name="Handskbolaget AB", org_number="556036-0793")
    contract = contract_services.contract_register_direct(
        actor=world.officer,
        suppliers=[supplier],
        buyers=[world.vastmanland],
        contract_number="VM-2026-77",
        title="Handskar",
        signed_on=datetime.date(2025, 1, 1),
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
    )

    def buggy(article: Any) -> Any:
        raise Bug("a bug in the article check")

    monkeypatch.setattr(pricelists, "_field_errors", buggy)
    data = b"seller_item_id;name;unit_code;net_price\nART-1;Handskar;EA;10\n"
    with pytest.raises(ValidationError) as refused:
        pricelists.pricelist_import(actor=world.officer, contract=contract, data=data, file_name="p.csv")
    (message,) = refused.value.messages
    reference = REF.search(message)
    assert reference and message.startswith("Internt fel (referens")
    assert logged(caplog, reference.group(0))
    assert not PriceListArticle.objects.exists()


def test_a_requirement_library_file_a_bug_meets_is_refused_with_a_reference(
    world: Any, monkeypatch: Any, caplog: Any
) -> None:
    from kravspar.requirements import services
    from kravspar.requirements.models import RequirementTemplate

    def buggy(value: str) -> bool:
        raise Bug("a bug in reading yes and no")

    monkeypatch.setattr(services, "_csv_bool", buggy)
    before = RequirementTemplate.objects.count()
    data = (
        "title;type;text;level;criterion_ref;criterion_version;evidence;verified_when;binds_subcontractors;aims;source\n"
        "Isolerat krav;requirement;Leverantören ska;basic;;;Intyg;after_contract;ja;;\n"
    ).encode()
    with pytest.raises(ValidationError) as refused:
        services.library_import_csv(actor=world.admin, data=data)
    (message,) = refused.value.messages
    reference = REF.search(message)
    assert reference and logged(caplog, reference.group(0))
    assert RequirementTemplate.objects.count() == before


def test_an_answer_a_bug_meets_is_refused_and_the_other_answers_are_read(monkeypatch: Any, caplog: Any) -> None:
    from kravspar.questionnaires import answers
    from kravspar.questionnaires.models import Question, QuestionType

    number = Question(type=QuestionType.NUMBER, text="Antal")
    text = Question(type=QuestionType.TEXT, text="Beskriv")
    real = answers.clean_value

    def buggy(question: Any, value: Any) -> Any:
        if question.key == number.key:
            raise Bug("a bug in reading numbers")
        return real(question, value)

    monkeypatch.setattr(answers, "clean_value", buggy)
    cleaned, errors = answers.clean_answers([number, text], {number.key: "12", text.key: "Så här"})
    assert cleaned == {text.key: "Så här"}
    message = errors[number.field_name]
    reference = REF.search(message)
    assert reference and message.startswith("Internt fel (referens") and logged(caplog, reference.group(0))
