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
    response = client_for(world.officer).get(reverse("reports:dashboard"), period())
    shown = html_lib.unescape(response.content.decode())
    extensions = response.context["d"].extensions
    for name in FIGURES:
        texts = (
            [str(e.get("how") or figures.HOW[name]) for e in extensions]
            if name == "extensions"
            else [figures.HOW[name]]
        )
        for text in texts:
            assert f'<details class="how"><summary>Hur räknas siffran?</summary><p>{text}</p></details>' in shown, name
    assert "Efterhandsgodkänd" in shown and "annonseringsdagen" in shown  # translated, not the English
    assert "{'" not in shown  # no dictionary leaks into the page
