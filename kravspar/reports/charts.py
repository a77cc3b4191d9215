"""Server-rendered bar charts: the geometry is computed here and drawn as inline SVG by
``reports/_chart.html``. No JavaScript and nothing downloaded; each chart carries a title
and description for screen readers, and the template puts its numbers in a table beside it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

LABEL_WIDTH = 260  # room for the row labels, in SVG units
BAR_AREA = 360
ROW_HEIGHT = 26
BAR_HEIGHT = 18

# Colours with at least 3:1 contrast against white (WCAG 1.4.11 for graphics).
COLOURS = {
    "on_time": "#2e7d32",
    "late": "#a35a00",
    "overdue": "#c62828",
    "upcoming": "#3949ab",
    "cancelled": "#6b6b6b",
    "n": "#1f5f99",
    "green": "#2e7d32",
    "yellow": "#8a6d00",
    "red": "#c62828",
    "procurements": "#1f5f99",
    "requirements": "#6a1b9a",
}


@dataclass
class Series:
    key: str
    label: str

    @property
    def colour(self) -> str:
        return COLOURS.get(self.key, "#1f5f99")


@dataclass
class Segment:
    series: Series
    value: int
    x: float = 0
    width: float = 0


@dataclass
class Cell:
    value: Any
    url: str = ""


@dataclass
class Bar:
    label: str
    segments: list[Segment]
    cells: list[Cell]
    y: float = 0

    @property
    def total(self) -> int:
        return sum(s.value for s in self.segments)


@dataclass
class Chart:
    id: str
    title: str
    description: str
    series: list[Series]
    bars: list[Bar]
    # Table columns: the series, plus any extra columns that are not drawn.
    columns: list[str] = field(default_factory=list)
    row_header: str = ""
    width: int = LABEL_WIDTH + BAR_AREA + 60
    height: int = 0
    label_x: int = LABEL_WIDTH - 6

    @property
    def empty(self) -> bool:
        return not any(bar.total for bar in self.bars)


def chart(
    *,
    id: str,
    title: str,
    description: str,
    series: Sequence[tuple[str, str]],
    rows: Sequence[Any],
    label: Callable[[Any], str],
    value: Callable[[Any, str], int],
    url: Callable[[Any, str], str],
    extra: Sequence[tuple[str, Callable[[Any], Any]]] = (),
    row_header: str = "",
) -> Chart:
    """A horizontal stacked bar per row; one segment per series."""
    all_series = [Series(key, label_) for key, label_ in series]
    bars = []
    for row in rows:
        segments = [Segment(s, value(row, s.key)) for s in all_series]
        cells = [Cell(seg.value, url(row, seg.series.key) if seg.value else "") for seg in segments]
        cells += [Cell(fn(row)) for _title, fn in extra]
        bars.append(Bar(label=label(row), segments=segments, cells=cells))
    biggest = max((bar.total for bar in bars), default=0) or 1
    for index, bar in enumerate(bars):
        bar.y = 8 + index * ROW_HEIGHT
        x = float(LABEL_WIDTH)
        for segment in bar.segments:
            segment.x = x
            segment.width = BAR_AREA * segment.value / biggest
            x += segment.width
    return Chart(
        id=id,
        title=title,
        description=description,
        series=all_series,
        bars=bars,
        columns=[s.label for s in all_series] + [t for t, _fn in extra],
        row_header=row_header,
        height=16 + len(bars) * ROW_HEIGHT,
    )
