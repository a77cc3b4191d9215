"""Amounts read the same everywhere: "4 800 000 kr", grouped with no-break spaces so that
they never break across lines."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from kravspar.core.formatting import kronor

NBSP = "\u00a0"


def test_amounts_are_grouped_in_thousands_with_no_break_spaces() -> None:
    assert kronor(4_800_000) == f"4{NBSP}800{NBSP}000{NBSP}kr"
    assert kronor(Decimal("950")) == f"950{NBSP}kr"
    assert kronor(0) == f"0{NBSP}kr"
    assert kronor(-12_500) == f"-12{NBSP}500{NBSP}kr"
    assert kronor(None) == "–"


def test_decimals_use_the_languages_decimal_sign() -> None:
    with translation.override("sv"):
        assert kronor(Decimal("1234.5"), 2) == f"1{NBSP}234,50{NBSP}kr"
    with translation.override("en"):
        assert kronor(Decimal("1234.5"), 2) == f"1{NBSP}234.50{NBSP}kr"


def test_the_template_filter_is_the_same_helper() -> None:
    html = Template("{% load kravspar %}{{ value|kr }}").render(Context({"value": Decimal("18000000")}))
    assert html == f"18{NBSP}000{NBSP}000{NBSP}kr"


def test_a_date_is_one_unbreakable_span() -> None:
    import datetime

    html = Template("{% load kravspar %}{{ d|day }}|{{ none|day }}").render(
        Context({"d": datetime.date(2026, 12, 3), "none": None})
    )
    assert html == '<span class="nowrap">2026-12-03</span>|'
