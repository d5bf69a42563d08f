"""Authorities side by side on the measures, as accessible SVG: one row an authority, one
column a measure, a bar in each cell with its figure beside it.

Each measure has its own scale (their units differ): from 0 to the largest figure shown, and
shares from 0 to 100%. One colour; an authority with no figure for a measure gets a dash, not
a bar of nothing. The overview's table under the chart gives the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from markupsafe import Markup

from iro_ledger.web.charts import BLUE, GRID, opening, text
from iro_ledger.web.present import SHARES

ROW, LABEL, CELL, BAR = 28, 90, 128, 78
"""A row's height, the label column's width, a measure's column and its longest bar, in px."""


@dataclass(frozen=True)
class Measure:
    key: str
    """The figure's name in `present.headline_values`."""
    heading: tuple[str, str]
    """The column's heading, on two lines."""


MEASURES = (
    Measure("children", ("Children", "in care")),
    Measure("mean_caseload", ("Caseload", "mean per IRO")),
    Measure("challenges_per_100", ("Challenges per", "100 children")),
    Measure("resolved_informally", ("Resolved", "informally")),
    Measure("median_days", ("Median days", "to resolve")),
    Measure("reviews_on_time", ("Reviews", "on time")),
    Measure("open_flags", ("Open", "flags")),
)


@dataclass(frozen=True)
class Comparison:
    title: str
    description: str
    authorities: list[str]
    figures: dict[str, dict[str, float | None]]
    """la_code -> measure key -> figure."""

    def most(self, key: str) -> float:
        if key in SHARES:
            return 1.0
        return max((f[key] or 0 for f in self.figures.values() if f[key] is not None),
                   default=0) or 1.0


def comparison(title: str, rows: Sequence[Mapping[str, Any]]) -> Comparison:
    """From the overview's rows (`la_code`, `values`, `open_flags`)."""
    figures = {}
    for row in rows:
        values = {**row["values"], "open_flags": row.get("open_flags")}
        figures[row["la_code"]] = {m.key: _number(values.get(m.key)) for m in MEASURES}
    description = (f"For each of {len(figures)} authorities, a bar for each of {len(MEASURES)} "
                   "measures: " + ", ".join(" ".join(m.heading).lower() for m in MEASURES)
                   + ". Each measure is on its own scale, from 0 to its largest figure here "
                   "(shares from 0 to 100%). The table below gives every figure.")
    return Comparison(title, description, list(figures), figures)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _said(key: str, value: float) -> str:
    return f"{value * 100:.0f}%" if key in SHARES else f"{value:g}"


def svg(chart: Comparison, ident: str) -> Markup:
    """The chart as SVG with role="img", <title> and <desc> (`ident` names them)."""
    width = LABEL + CELL * len(MEASURES)
    height = ROW * len(chart.authorities) + 44
    parts = opening(ident, chart.title, chart.description, width, height)
    for j, measure in enumerate(MEASURES):
        left = LABEL + CELL * j
        parts.append(text(left, 14, measure.heading[0], 12, weight="bold"))
        parts.append(text(left, 30, measure.heading[1], 12, weight="bold"))
    for i, la_code in enumerate(chart.authorities):
        top = 40 + ROW * i
        parts.append(text(0, top + 15, la_code, 14))
        for j, measure in enumerate(MEASURES):
            left, value = LABEL + CELL * j, chart.figures[la_code][measure.key]
            if value is None:
                parts.append(text(left, top + 15, "—", 13))
                continue
            wide = max(BAR * value / chart.most(measure.key), 1 if value else 0)
            said = _said(measure.key, value)
            parts.append(f'<rect x="{left}" y="{top + 3}" width="{wide:g}" height="16" '
                         f'fill="{BLUE}"><title>{escape(la_code)}, '
                         f'{escape(" ".join(measure.heading).lower())}: {said}</title></rect>')
            parts.append(text(left + wide + 4, top + 15, said, 12))
        parts.append(f'<line x1="0" x2="{width}" y1="{top + ROW - 2}" y2="{top + ROW - 2}" '
                     f'stroke="{GRID}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # every text in it is escaped
