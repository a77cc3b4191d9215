"""The dashboard says how each figure is computed: numerator, denominator and dates, in a
disclosure under the figure that a keyboard and a screen reader can open."""

from __future__ import annotations

import dataclasses
import html as html_lib
from typing import Any

from django.urls import reverse

from kravspar.reports import figures
from kravspar.reports.tests.conftest import period

FIGURES = [f.name for f in dataclasses.fields(figures.Dashboard) if f.name != "scope"]


def test_every_figure_has_an_explanation() -> None:
    assert sorted(figures.HOW) == sorted(FIGURES)


def test_the_page_explains_every_figure_in_swedish(world: Any, data: Any, client_for: Any) -> None:
    page = client_for(world.officer).get(reverse("reports:dashboard"), period()).content.decode()
    shown = html_lib.unescape(page)
    for name in FIGURES:
        assert str(figures.HOW[name]) in shown, name
    assert "Efterhandsgodkänd" in shown and "annonseringsdagen" in shown  # translated, not the English
    assert page.count('<details class="how"><summary>Hur räknas siffran?</summary>') >= len(FIGURES)
