"""Caseloads against the IRO Handbook's 50-70 cases per full-time post, as accessible SVG.

One horizontal bar per row (an officer, or a month of one officer's record) on one fixed scale
from 0 to 80 cases, stretched only when a caseload goes past it, never to the largest
caseload shown: three cases is a short bar, as it should be. The band from 50 to 70 is shaded
and edged with dark lines, so where a bar ends against it reads without colour. The page
gives the same numbers as a table beside the chart (`Caseloads.rows`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from iro_ledger.web.charts import BLUE, GRID, SECONDARY, SHADE, opening, text

BAND = (50, 70)
"""The IRO Handbook's caseload range per full-time IRO."""
SCALE = 80
"""The scale's end, unless a caseload goes past it."""
ROW, LABEL, PLOT = 26, 170, 420
"""A row's height, the label column's width and the plot's width, in px."""


@dataclass(frozen=True)
class Load:
    """One row: whose (or which month's) caseload, and how many cases."""

    label: str
    cases: float | None
    note: str = ""
    """Said after the number (`0.5 FTE: 40 cases held`)."""

    @property
    def where(self) -> str:
        """Where the caseload falls against the band, in words."""
        if self.cases is None:
            return "not known"
        low, high = BAND
        return ("below the range" if self.cases < low else
                "above the range" if self.cases > high else "within the range")


@dataclass(frozen=True)
class Caseloads:
    title: str
    description: str
    rows: list[Load]

    @property
    def top(self) -> int:
        """The scale's end: 80, or the next ten past the largest caseload beyond it."""
        most = max((r.cases for r in self.rows if r.cases is not None), default=0)
        return SCALE if most <= SCALE else 10 * math.ceil(most / 10)


def caseloads(title: str, rows: Iterable[Load], what: str) -> Caseloads:
    """A chart of `rows`; `what` says what a bar counts ('cases per full-time post')."""
    kept = list(rows)
    known = [r for r in kept if r.cases is not None]
    counts = {w: sum(1 for r in known if r.where == w)
              for w in ("below the range", "within the range", "above the range")}
    said = ", ".join(f"{n} {w}" for w, n in counts.items() if n) or "none known"
    description = (f"One bar for each of {len(kept)} rows: {what}, on a fixed scale from 0 to "
                   f"{Caseloads(title, '', kept).top}, with the IRO Handbook's range of "
                   f"{BAND[0]} to {BAND[1]} shaded: {said}. The table beside it gives every "
                   "number.")
    return Caseloads(title, description, kept)


def svg(chart: Caseloads, ident: str) -> Markup:
    """The chart as SVG with role="img", <title> and <desc> (`ident` names them)."""
    top = chart.top
    width, height = LABEL + PLOT + 60, ROW * (len(chart.rows) + 2)

    def x(cases: float) -> float:
        return LABEL + PLOT * min(cases, top) / top

    low, high = x(BAND[0]), x(BAND[1])
    bottom = ROW * (len(chart.rows) + 1)
    parts = opening(ident, chart.title, chart.description, width, height)
    parts.append(f'<rect x="{low:g}" y="{ROW - 6}" width="{high - low:g}" '
                 f'height="{bottom - ROW + 6}" fill="{SHADE}"/>')
    for edge in (low, high):
        parts.append(f'<line x1="{edge:g}" x2="{edge:g}" y1="{ROW - 6}" y2="{bottom}" '
                     f'stroke="{SECONDARY}" stroke-width="2" stroke-dasharray="4 3"/>')
    parts.append(text((low + high) / 2, 14, "Handbook range", 12, "middle"))
    for i, row in enumerate(chart.rows):
        base = ROW * (i + 2) - 8
        parts.append(text(LABEL - 8, base, row.label, 14, "end"))
        if row.cases is None:
            parts.append(text(LABEL + 4, base, "not known", 12))
            continue
        wide = x(row.cases) - LABEL
        parts.append(f'<rect x="{LABEL}" y="{base - 13}" width="{wide:g}" height="16" '
                     f'fill="{BLUE}"><title>{escape(row.label)}: {row.cases:g}</title></rect>')
        parts.append(text(LABEL + wide + 6, base, f"{row.cases:g}", 13))
    parts.append(f'<line x1="{LABEL}" x2="{LABEL + PLOT}" y1="{bottom}" y2="{bottom}" '
                 f'stroke="{GRID}"/>')
    for tick in range(0, top + 1, 10):
        parts.append(text(x(tick), bottom + 16, str(tick), 12, "middle"))
    parts.append("</svg>")
    return Markup("".join(parts))  # every text in it is escaped
