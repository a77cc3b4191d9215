"""What an invoice covers: the actual delivery date (BT-72), the invoice period (BT-73/74)
and the lines' own periods (BT-134/135) are read, stored and refused when malformed, like
every other date of the document (issue 11: every reader refuses, never crashes)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from kravspar.invoices.generate import Line
from kravspar.invoices.models import BatchSource, InvoiceDocument, InvoiceLine, ProblemSeverity
from kravspar.invoices.services import IMPORTED, import_files, store_documents
from kravspar.invoices.ubl import InvoiceRejected, ProblemCode, parse

from .conftest import CORPUS

MakeXml = Callable[..., bytes]
D = datetime.date


def refused(data: bytes) -> InvoiceRejected:
    with pytest.raises(InvoiceRejected) as info:
        parse(data, "test.xml")
    return info.value


def _with_line_period(start: D | None, end: D | None) -> list[Line]:
    return [
        Line("ART-0001", "Lokalvård", Decimal(10), "HUR", Decimal("425.00"), period_start=start, period_end=end),
        Line("ART-0002", "Lokalvård mottagning", Decimal(5), "HUR", Decimal("410.00")),
    ]


def test_reads_the_delivery_date_the_invoice_period_and_a_lines_period(make_xml: MakeXml) -> None:
    doc = parse(
        make_xml(
            delivery_date=D(2026, 6, 30),
            period_start=D(2026, 6, 1),
            period_end=D(2026, 6, 30),
            lines=_with_line_period(D(2026, 6, 10), D(2026, 6, 12)),
        )
    )
    assert (doc.delivery_date, doc.period_start, doc.period_end) == (D(2026, 6, 30), D(2026, 6, 1), D(2026, 6, 30))
    first, second = doc.lines
    assert (first.period_start, first.period_end) == (D(2026, 6, 10), D(2026, 6, 12))
    assert (second.period_start, second.period_end) == (None, None)


def test_a_document_without_them_has_none(make_xml: MakeXml) -> None:
    doc = parse(make_xml())
    assert (doc.delivery_date, doc.period_start, doc.period_end) == (None, None, None)
    assert all(line.period_start is None and line.period_end is None for line in doc.lines)


def test_half_a_period_is_read_as_given(make_xml: MakeXml) -> None:
    doc = parse(make_xml(period_start=D(2026, 6, 1), lines=_with_line_period(None, D(2026, 6, 5))))
    assert (doc.period_start, doc.period_end) == (D(2026, 6, 1), None)
    assert (doc.lines[0].period_start, doc.lines[0].period_end) == (None, D(2026, 6, 5))


def test_a_credit_note_carries_them_too(make_xml: MakeXml) -> None:
    doc = parse(
        make_xml(
            credit_note=True,
            number="K-1",
            billing_reference="F-1001",
            period_start=D(2026, 5, 1),
            period_end=D(2026, 5, 31),
            lines=_with_line_period(D(2026, 5, 3), D(2026, 5, 3)),
        )
    )
    assert (doc.period_start, doc.period_end) == (D(2026, 5, 1), D(2026, 5, 31))
    assert doc.lines[0].period_start == D(2026, 5, 3)


def test_the_peppol_example_with_all_three(make_xml: MakeXml) -> None:
    """OpenPeppol's Allowance-example: delivery 2017-11-01, invoice period December 2017,
    and two of its three lines with a period of their own (1–5 December)."""
    doc = parse((CORPUS / "examples" / "Allowance-example.xml").read_bytes())
    assert doc.delivery_date == D(2017, 11, 1)
    assert (doc.period_start, doc.period_end) == (D(2017, 12, 1), D(2017, 12, 31))
    assert [(line.period_start, line.period_end) for line in doc.lines] == [
        (None, None),
        (D(2017, 12, 1), D(2017, 12, 5)),
        (D(2017, 12, 1), D(2017, 12, 5)),
    ]
    base = parse((CORPUS / "examples" / "base-example.xml").read_bytes())
    assert (base.delivery_date, base.period_start, base.period_end) == (D(2017, 11, 1), None, None)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (b"<cbc:ActualDeliveryDate>2026-06-30<", b"<cbc:ActualDeliveryDate>2026-06-31<", "leveransdatum"),
        (b"<cbc:StartDate>2026-06-01<", b"<cbc:StartDate>1 juni<", "fakturaperiodens början"),
        (b"<cbc:EndDate>2026-06-30<", b"<cbc:EndDate>2026-13-30<", "fakturaperiodens slut"),
    ],
)
def test_a_malformed_document_date_is_a_named_refusal(make_xml: MakeXml, old: bytes, new: bytes, field: str) -> None:
    xml = make_xml(delivery_date=D(2026, 6, 30), period_start=D(2026, 6, 1), period_end=D(2026, 6, 30))
    problem = refused(xml.replace(old, new, 1))
    assert problem.code == ProblemCode.INVALID_DATE
    assert problem.details["field"] == field
    assert field in problem.message


def test_a_period_that_ends_before_it_starts_is_refused(make_xml: MakeXml) -> None:
    """EN 16931 BR-29: the end date shall be later or equal to the start date."""
    problem = refused(make_xml(period_start=D(2026, 6, 30), period_end=D(2026, 6, 1)))
    assert problem.code == ProblemCode.INVALID_PERIOD
    assert "2026-06-01" in problem.message and "2026-06-30" in problem.message


def test_a_malformed_line_period_refuses_the_document_naming_the_line(make_xml: MakeXml) -> None:
    xml = make_xml(lines=_with_line_period(D(2026, 6, 10), D(2026, 6, 12)))
    problem = refused(xml.replace(b"<cbc:EndDate>2026-06-12<", b"<cbc:EndDate>2026-06-1x<", 1))
    assert problem.code == ProblemCode.INVALID_LINE
    assert problem.details["line"] == "1"
    assert problem.details["field"] == "fakturaperiodens slut"
    # BR-30: a line's period cannot end before it starts either.
    backwards = refused(make_xml(lines=_with_line_period(D(2026, 6, 12), D(2026, 6, 10))))
    assert backwards.code == ProblemCode.INVALID_LINE
    assert backwards.details["line"] == "1"


@pytest.mark.django_db
def test_the_import_refuses_it_with_the_reason_and_goes_on(world: Any, make_xml: MakeXml) -> None:
    bad = make_xml(number="F-1", delivery_date=D(2026, 6, 30)).replace(b"2026-06-30<", b"30/6 2026<")
    good = make_xml(number="F-2", delivery_date=D(2026, 6, 30))
    batch, _outcomes = import_files([("bad.xml", bad), ("good.xml", good)], actor=None, source=BatchSource.UPLOAD)
    assert (batch.imported_count, batch.refused_count) == (1, 1)
    assert batch.problems.get(severity=ProblemSeverity.REFUSED).code == ProblemCode.INVALID_DATE
    assert InvoiceDocument.objects.get().number == "F-2"


@pytest.mark.django_db
def test_they_are_stored_with_the_document_and_its_lines(world: Any, make_xml: MakeXml) -> None:
    xml = make_xml(
        delivery_date=D(2026, 6, 30),
        period_start=D(2026, 6, 1),
        period_end=D(2026, 6, 30),
        lines=_with_line_period(D(2026, 6, 10), D(2026, 6, 12)),
    )
    [outcome] = store_documents([parse(xml)])
    assert outcome.status == IMPORTED
    doc = InvoiceDocument.objects.get()
    assert (doc.delivery_date, doc.period_start, doc.period_end) == (D(2026, 6, 30), D(2026, 6, 1), D(2026, 6, 30))
    assert list(InvoiceLine.objects.order_by("position").values_list("period_start", "period_end")) == [
        (D(2026, 6, 10), D(2026, 6, 12)),
        (None, None),
    ]


@pytest.mark.django_db
def test_the_migration_reads_them_from_documents_stored_before(world: Any, make_xml: MakeXml) -> None:
    """Documents imported before the fields existed get them from their original bytes."""
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("kravspar.invoices.migrations.0003_backfill_covered_period").backfill
    xml = make_xml(
        delivery_date=D(2026, 6, 30),
        period_start=D(2026, 6, 1),
        period_end=D(2026, 6, 30),
        lines=_with_line_period(D(2026, 6, 10), D(2026, 6, 12)),
    )
    store_documents([parse(xml)])
    InvoiceDocument.objects.update(delivery_date=None, period_start=None, period_end=None)
    InvoiceLine.objects.update(period_start=None, period_end=None)
    backfill(apps, None)
    doc = InvoiceDocument.objects.get()
    assert (doc.delivery_date, doc.period_start, doc.period_end) == (D(2026, 6, 30), D(2026, 6, 1), D(2026, 6, 30))
    assert InvoiceLine.objects.get(position=1).period_end == D(2026, 6, 12)
    assert InvoiceLine.objects.get(position=2).period_end is None
