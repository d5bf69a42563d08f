"""Charts drawn on the server as accessible SVG: no script, a title and description, and a
table beside each with the same numbers (the template draws it from the same `Chart`).

Small multiples on one common scale, in one GOV.UK colour, so nothing depends on telling
colours apart: a row of bars per series (a rule), a bar per column (a month).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from html import escape

from markupsafe import Markup

BLUE = "#1d70b8"
"""GOV.UK blue."""
LIGHT_BLUE = "#5694ca"
"""GOV.UK light blue: alternate segments of one bar."""
TEXT = "#0b0c0c"
SECONDARY = "#505a5f"
"""GOV.UK secondary text: lines a reader must see (3:1 against white at least)."""
GRID = "#b1b4b6"
SHADE = "#f3f2f1"
"""GOV.UK light grey: a band behind the bars."""
ROW, LABEL, BAR = 28, 260, 14
"""A row's height, the label column's width and each month's bar width, in px."""


@dataclass(frozen=True)
class Chart:
    """Counts by series and column: what the SVG draws and its table alternative lists."""

    title: str
    description: str
    columns: list[str]
    series: list[str]
    counts: dict[tuple[str, str], int]

    @property
    def most(self) -> int:
        return max(self.counts.values(), default=0)

    def count(self, series: str, column: str) -> int:
        return self.counts.get((series, column), 0)

    def total(self, series: str) -> int:
        return sum(self.count(series, c) for c in self.columns)


def by_month(title: str, dated: Iterable[tuple[str, date]], months: int = 12) -> Chart:
    """How many of each series fell in each of the last `months` months that have any."""
    return by_month_counts(title, Counter((name, f"{day:%Y-%m}") for name, day in dated),
                           months)


def by_month_counts(title: str, counts: Mapping[tuple[str, str], int],
                    months: int = 12) -> Chart:
    """`by_month` from counts already made: (series, YYYY-MM) -> how many."""
    shown = sorted({month for _, month in counts})[-months:]
    kept = {k: v for k, v in counts.items() if k[1] in shown}
    series = sorted({name for name, _ in kept})
    first, last = (shown[0], shown[-1]) if shown else ("", "")
    description = (f"Bars for each rule, one per month from {first} to {last}, on one scale "
                   f"(the tallest is {max(kept.values(), default=0)}). The table beside it "
                   "gives every count." if shown else "Nothing to show.")
    return Chart(title, description, shown, series, kept)


def opening(ident: str, title: str, description: str, width: int, height: int) -> list[str]:
    """An SVG's opening tag, title and description: what every chart here begins with."""
    return [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="app-chart" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'aria-labelledby="{ident}-title {ident}-desc">',
            f'<title id="{ident}-title">{escape(title)}</title>',
            f'<desc id="{ident}-desc">{escape(description)}</desc>']


def text(x: float, y: float, words: str, size: int = 14, anchor: str = "start",
         weight: str = "normal") -> str:
    """A label, escaped."""
    return (f'<text x="{x:g}" y="{y:g}" font-size="{size}" fill="{TEXT}" '
            f'text-anchor="{anchor}" font-weight="{weight}">{escape(words)}</text>')


def svg(chart: Chart, ident: str) -> Markup:
    """The chart as SVG with role="img", <title> and <desc> (`ident` names them)."""
    width = LABEL + len(chart.columns) * (BAR + 4) + 40
    height = ROW * (len(chart.series) + 1) + 10
    most = chart.most or 1
    parts = opening(ident, chart.title, chart.description, width, height)
    for i, name in enumerate(chart.series):
        base = ROW * (i + 1)
        parts.append(f'<text x="0" y="{base - 4}" font-size="14" fill="{TEXT}">'
                     f'{escape(name.replace("_", " "))}</text>')
        parts.append(f'<line x1="{LABEL}" x2="{width - 40}" y1="{base}" y2="{base}" '
                     f'stroke="{GRID}"/>')
        for j, column in enumerate(chart.columns):
            n = chart.count(name, column)
            if n:
                tall = max(2, round((ROW - 8) * n / most))
                parts.append(f'<rect x="{LABEL + j * (BAR + 4)}" y="{base - tall}" '
                             f'width="{BAR}" height="{tall}" fill="{BLUE}">'
                             f'<title>{escape(name)} {column}: {n}</title></rect>')
        parts.append(f'<text x="{width - 36}" y="{base - 4}" font-size="14" fill="{TEXT}">'
                     f'{chart.total(name)}</text>')
    bottom = ROW * (len(chart.series) + 1) + 4
    for j, column in enumerate(chart.columns):
        if j == 0 or j == len(chart.columns) - 1:
            parts.append(f'<text x="{LABEL + j * (BAR + 4)}" y="{bottom}" font-size="12" '
                         f'fill="{TEXT}">{column}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # every text in it is escaped above
