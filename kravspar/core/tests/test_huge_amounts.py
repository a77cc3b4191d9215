"""The amount that crashed the invoice reader, given to every other reader that parses
amounts: each refuses it in its own words (issue 18)."""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kravspar.contracts.models import Contract
from kravspar.procurements import statistics
from kravspar.questionnaires.answers import clean_value
from kravspar.questionnaires.models import Question, QuestionType
from kravspar.reports import importing
from kravspar.spend import pricelists

HUGE = "99999999999999999999999999.999999"
HOSTILE = [HUGE, "1e999999999", "-1E+999999999", "1E-999999999", "NaN", "Infinity"]


@pytest.mark.parametrize("value", HOSTILE)
def test_the_contract_register_refuses_it_per_cell(value: str) -> None:
    if value == "1E-999999999":
        assert importing.parse_amount(value) == 0  # whole kronor: rounds to nothing
    else:
        with pytest.raises(ValueError, match=r"."):
            importing.parse_amount(value)
    with pytest.raises(ValueError, match="heltal"):
        importing.parse_count(value)


def test_the_contract_register_still_reads_kronor() -> None:
    assert importing.parse_amount("1 200 000 kr") == Decimal(1200000)
    assert importing.parse_amount(1200000.4) == Decimal(1200000)
    assert importing.parse_count("2") == 2


@pytest.mark.parametrize("value", HOSTILE)
def test_a_questionnaire_number_refuses_it(value: str) -> None:
    question = Question(type=QuestionType.NUMBER, text="Antal anställda")
    stored, error = clean_value(question, value)
    assert stored is None
    assert error


def test_a_questionnaire_number_keeps_what_was_written() -> None:
    question = Question(type=QuestionType.NUMBER, text="Antal anställda")
    assert clean_value(question, "12,50") == ("12.50", None)


@pytest.mark.parametrize("value", [v for v in HOSTILE if v != "1E-999999999"])  # that one is 0 kronor
def test_the_statistics_refuse_it_as_a_contracted_value(value: str, tmp_path: Path) -> None:
    header = [*statistics.PROCUREMENT_COLUMNS, statistics.VALUE]
    row = ["2021-1", "Region", "232100-0172", "Tjänster", "90911200", "Öppet förfarande", "Kontrakt", "Städ"]
    path = tmp_path / "contracted_value.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, [*row, "2021-03-01", value]])
    with statistics.open_rows(path) as (columns, rows):
        parser = statistics.Parser(statistics.detect_kind(columns, path.name), columns, {"90911200"})
        [(parsed, problems)] = [parser.parse(2, values) for values in rows]
    assert parsed is None or parsed.value is None
    assert any("Kontrakterat värde" in p.message for p in problems), problems


@pytest.mark.django_db
@pytest.mark.parametrize("value", HOSTILE)
def test_the_price_list_refuses_it_by_row(world: Any, value: str) -> None:
    contract = Contract.objects.create(
        contract_number="RV-HUGE-1",
        title="Material",
        signed_on=datetime.date(2025, 1, 10),
        starts_on=datetime.date(2025, 2, 1),
        ends_on=datetime.date(2026, 12, 31),
        strategy_missing=False,
    )
    data = f"seller_item_id;name;unit_code;net_price\nART-1;Handskar;EA;{value}\n".encode()
    with pytest.raises(ValidationError) as info:
        pricelists.pricelist_import(actor=None, contract=contract, data=data, dry_run=True)
    assert any(m.startswith("Rad 2: Avtalat nettopris") for m in info.value.messages), info.value.messages
