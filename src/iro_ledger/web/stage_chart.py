"""Each challenge's stages as a timeline, as accessible SVG: one row a challenge, one segment
a stage of the dispute resolution protocol, on one calendar-day scale for every challenge of
the page, so which took longest, and where it stood still, reads at a glance.

Segments alternate GOV.UK blue and light blue with a white gap between them and are named in
words where they are wide enough; a stage still running ends in an open arrow. Nothing
depends on telling the colours apart: the table beside it (`Stages.rows`) lists every stage
with its days and working days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import Any

from markupsafe import Markup

from iro_ledger.web.charts import BLUE, GRID, LIGHT_BLUE, SECONDARY, opening, text
from iro_ledger.web.present import day, label

ROW, LABEL, PLOT = 40, 150, 560
"""A row's height, the label column's width and the plot's width, in px."""
CHAR = 7.5
"""About how wide a character of the 12px labels is, to leave out what would not fit."""


@dataclass(frozen=True)
class Stage:
    challenge_id: str
    stage: str
    start: date
    end: date
    days: int
    working_days: int
    running: bool


@dataclass(frozen=True)
class Stages:
    title: str
    description: str
    challenges: list[str]
    rows: list[Stage]

    @property
    def first(self) -> date:
        return min(s.start for s in self.rows)

    @property
    def last(self) -> date:
        return max(s.end for s in self.rows)

    def of(self, challenge_id: str) -> list[Stage]:
        return [s for s in self.rows if s.challenge_id == challenge_id]


def stages(title: str, challenges: Iterable[Mapping[str, Any]]) -> Stages:
    """The stages of each challenge (a register document, days counted), in order raised."""
    rows: list[Stage] = []
    named: list[str] = []
    for c in sorted(challenges, key=lambda c: (c["raised_on"], c["challenge_id"])):
        named.append(c["challenge_id"])
        for s in c["stages"]:
            start = date.fromisoformat(s["from"])
            rows.append(Stage(c["challenge_id"], s["stage"], start,
                              start + timedelta(days=s["days"]), s["days"],
                              s.get("working_days", 0), bool(s["running"])))
    if not rows:
        return Stages(title, "Nothing to show.", named, rows)
    chart = Stages(title, "", named, rows)
    running = sum(1 for s in rows if s.running)
    description = (f"A row for each of {len(named)} challenges, from {day(chart.first)} to "
                   f"{day(chart.last)}: one segment for each stage it went through, as long as "
                   f"the days it lasted; {running} still running. The table beside it gives "
                   "every stage with its days.")
    return Stages(title, description, named, rows)


def svg(chart: Stages, ident: str) -> Markup:
    """The chart as SVG with role="img", <title> and <desc> (`ident` names them); nothing
    when there is no stage to draw."""
    if not chart.rows:
        return Markup("")
    width, height = LABEL + PLOT + 80, ROW * len(chart.challenges) + 36
    span = max((chart.last - chart.first).days, 1)

    def x(when: date) -> float:
        return LABEL + PLOT * (when - chart.first).days / span

    parts = opening(ident, chart.title, chart.description, width, height)
    for i, challenge_id in enumerate(chart.challenges):
        top = ROW * i + 6
        parts.append(text(LABEL - 8, top + 14, challenge_id, 13, "end"))
        for j, s in enumerate(chart.of(challenge_id)):
            left, right = x(s.start), x(s.end)
            wide = max(right - left - 2, 2)
            words = f"{label(s.stage)}: {s.days} days" + (" (running)" if s.running else "")
            parts.append(f'<rect x="{left:g}" y="{top}" width="{wide:g}" height="18" '
                         f'fill="{BLUE if j % 2 == 0 else LIGHT_BLUE}">'
                         f'<title>{escape(challenge_id)}, {escape(words)}</title></rect>')
            if s.running:
                parts.append(f'<path d="M{left + wide + 2:g} {top} l10 9 l-10 9" fill="none" '
                             f'stroke="{SECONDARY}" stroke-width="2"/>')
            name = label(s.stage)
            if len(name) * CHAR <= max(wide, 0) + 4:
                parts.append(text(left, top + 32, name, 12))
        parts.append(f'<line x1="{LABEL}" x2="{LABEL + PLOT}" y1="{ROW * (i + 1)}" '
                     f'y2="{ROW * (i + 1)}" stroke="{GRID}"/>')
    bottom = ROW * len(chart.challenges) + 20
    parts.append(text(LABEL, bottom, day(chart.first), 12))
    parts.append(text(LABEL + PLOT, bottom, day(chart.last), 12, "end"))
    parts.append("</svg>")
    return Markup("".join(parts))  # every text in it is escaped
