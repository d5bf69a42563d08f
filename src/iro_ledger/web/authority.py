"""An authority's page and its tables: measures, open flags, data quality, the challenge
register, officers and cases, each paged, sorted and exported as CSV by `web.tables`.

The page holds several tables, so each reads its own prefixed choices (`cases.sort`,
`cases.page`, `cases.format`); asked for one table's CSV, the page answers that table's
every row, in the chosen order, under the page's filters (period, register status). An
arbitrator sees only the disputes referred to their body: the register, nothing else.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from operator import itemgetter
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from iro_ledger.domain.errors import NotRecorded
from iro_ledger.domain.limits import OFFSET_MAX
from iro_ledger.reads.words import REGISTER_STATUSES, FlagStatus, Severity
from iro_ledger.web import caseload_chart
from iro_ledger.web.asked import day_asked, gravest_first
from iro_ledger.web.auth import Viewer
from iro_ledger.web.pages import PageRoute, render
from iro_ledger.web.present import measure_label, measure_parts
from iro_ledger.web.reads import Links, reader
from iro_ledger.web.tables import Column, Table, Tables

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str | None, Query()]
KEEP = ("from", "to", "status")
"""The page's filters, carried by every table's links."""


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


MEASURES = Table("measures", (
    Column("order", "Order", lambda m: m["order"]),
    Column("measure", "Measure", lambda m: measure_label(m["name"])),
    Column("name", "Name", lambda m: m["name"]),
    Column("value", "Value", lambda m: "; ".join(measure_parts(m)),
           sort=lambda m: _number(m["value"])),
    Column("unit", "Unit", lambda m: m["unit"]),
    Column("evidence", "Evidence events", lambda m: len(m["evidence"])),
    Column("note", "What it counts", lambda m: m.get("note")),
), sort="order", prefix="measures.")
"""The authority's measures for the period, in the order the read model gives them."""

OPEN_FLAGS = Table("flags", (
    Column("severity", "Severity", lambda f: f["severity"],
           sort=lambda f: Severity(f["severity"]).rank),
    Column("rule", "Flag", lambda f: f["rule"]),
    Column("about", "About", lambda f: "; ".join(f"{k}={v}"
                                                 for k, v in sorted(f["subjects"].items()))),
    Column("raised_on", "Raised", lambda f: f["raised_on"]),
    Column("status", "Status", lambda f: f["status"]),
    Column("explanation", "What happened", lambda f: f["explanation"]),
    Column("id", "Flag id", lambda f: f["id"]),
), sort="severity", order="desc", prefix="flags.")
"""The authority's open flags: gravest first, then newest."""

QUALITY = Table("data-quality", (
    Column("occurred_on", "Recorded", lambda b: b["occurred_on"]),
    Column("dataset", "Data", lambda b: b["dataset"]),
    Column("findings", "Findings", lambda b: b["findings"]),
    Column("counts", "By kind", lambda b: b["counts"]),
), sort="occurred_on", prefix="quality.")
"""Data-quality findings, one row an import."""

REGISTER = Table("challenges", (
    Column("challenge_id", "Challenge", lambda c: c.get("challenge_id")),
    Column("case_id", "Case", lambda c: c.get("case_id")),
    Column("officer_id", "Raised by", lambda c: c.get("officer_id")),
    Column("about", "About", lambda c: c.get("about")),
    Column("raised_on", "Raised", lambda c: c.get("raised_on")),
    Column("stage", "Stage", lambda c: c.get("stage")),
    Column("status", "Status", lambda c: c.get("status")),
    Column("closed_as", "Closed as", lambda c: c.get("closed_as")),
    Column("closed_on", "Closed", lambda c: c.get("closed_on")),
    Column("outcome", "Outcome", lambda c: c.get("outcome")),
    Column("days_open", "Working days open", lambda c: c.get("days_open")),
), sort="raised_on", prefix="challenges.")
"""An authority's challenge register."""

OFFICERS = Table("officers", (
    Column("officer_id", "Officer", lambda o: o.get("officer_id")),
    Column("role", "Role", lambda o: o.get("role")),
    Column("employment", "Employment", lambda o: o.get("employment")),
    Column("registered_on", "Registered", lambda o: o.get("registered_on")),
    Column("ended_on", "Engagement ended", lambda o: (o.get("ended") or {}).get("on")),
    Column("ended_how", "How it ended", lambda o: (o.get("ended") or {}).get("how")),
    Column("cases_now", "Cases held now",
           lambda o: sum(1 for h in o.get("holdings", []) if h.get("to") is None)),
    Column("challenges", "Challenges raised", lambda o: len(o.get("challenges", []))),
), sort="officer_id", prefix="officers.")
"""An authority's officers and their caseloads."""

CASES = Table("cases", (
    Column("case_id", "Case", lambda c: c["case_id"]),
    Column("opened_on", "Opened", lambda c: c.get("opened_on")),
    Column("closed_on", "Closed", lambda c: c.get("closed_on")),
    Column("iro", "IRO now (or last)", lambda c: c["iros"][-1][0] if c["iros"] else None),
    Column("iros", "IROs so far", lambda c: len(c["iros"])),
), sort="case_id", prefix="cases.")
"""An authority's cases, with who held each."""

CASELOADS = Table("caseloads", (
    Column("officer_id", "IRO", lambda r: r.label),
    Column("cases", "Cases per full-time post", lambda r: r.cases),
    Column("held", "Cases held", lambda r: int(r.note) if r.note.isdigit() else r.note),
    Column("where", "Against 50 to 70", lambda r: r.where, sortable=False),
), sort="officer_id", prefix="caseloads.")
"""The caseload chart's table alternative: each IRO's cases per full-time post."""


def _tables() -> Tables:
    """The page's tables (read when asked, so a test may make one's pages small)."""
    return Tables((MEASURES, OPEN_FLAGS, QUALITY, REGISTER, OFFICERS, CASES, CASELOADS))


def _per_post(measures: list[dict[str, Any]], end: date) -> caseload_chart.Caseloads:
    """Each IRO's cases per full-time post at the period's end (the caseloads measure)."""
    value = next((m["value"] for m in measures if m["name"] == "caseloads_at_end"), None)
    held, per_post = (value or {}).get("by_officer", {}), (value or {}).get(
        "per_fte_by_officer", {})
    return caseload_chart.caseloads(
        f"Cases per full-time post on {end:%d %b %Y}",
        (caseload_chart.Load(officer_id, per_post.get(officer_id), str(n))
         for officer_id, n in sorted(held.items())),
        "each IRO's cases on the period's last day, per full-time post")


@router.get("/ui/authorities/{la_code}", response_model=None)
def authority(request: Request, la_code: str, principal: Viewer,
              start: Annotated[str | None, Query(alias="from")] = None,
              end: Annotated[str | None, Query(alias="to")] = None,
              status: Text = None) -> Response:
    tables = _tables()
    choices = tables.choose(request)
    with reader(request, principal) as read:
        period = read.period(day_asked("from", start), day_asked("to", end))
        outsider = read.arbitrator
        register = read.register(la_code, status or None, limit=OFFSET_MAX).items
        people = [] if outsider else read.officers(la_code)
        cases = [] if outsider else read.cases(la_code)
        name = read.authority_name(la_code)
        if name is None and not (register or people or cases):
            raise NotRecorded(f"no authority {la_code!r} is recorded" + (
                f" with disputes referred to {principal.body}" if outsider else ""))
        measures = [] if outsider else read.measures(la_code, period.start,
                                                     period.end).measures
        rows: dict[str, list[Any]] = {
            "measures": [{**m, "order": i} for i, m in enumerate(measures)],
            "flags": [] if outsider else gravest_first(read.flags(la_code,
                                                                  status=FlagStatus.OPEN)),
            "data-quality": [] if outsider or name is None else read.data_quality(la_code),
            "challenges": register, "officers": people, "cases": cases}
        loads = _per_post(measures, period.end)
        rows["caseloads"] = loads.rows
        pages = tables.answer(request, choices, rows, la_code, keep=KEEP)
        if not isinstance(pages, dict):
            return pages
        return render(request, "authority.html", la_code=la_code, name=name, period=period,
                      pages=pages, findings=sum(b["findings"] for b in rows["data-quality"]),
                      loads=loads, loads_svg=caseload_chart.svg(loads, "caseloads"),
                      register_statuses=REGISTER_STATUSES, status=status or "",
                      arbitration_body=principal.body if outsider else None,
                      links=Links(read))


FINDING_ROWS = Table("rows", (
    Column("number", "Number", lambda r: r["number"]),
    Column("dataset", "Data", lambda r: r["dataset"]),
    Column("kind", "Kind", lambda r: r["kind"]),
    Column("row", "Finding", lambda r: r["row"], sortable=False),
    Column("recorded_on", "Recorded", lambda r: r["recorded_on"], sortable=False),
), sort="number", size=100, prefix="rows.")
"""The data-quality findings row by row, cut and ordered by the read itself (a range query
over tens of thousands): in recording order or by kind."""


FINDING_COUNTS = Table("by-kind", (
    Column("dataset", "Data", itemgetter("dataset")),
    Column("kind", "Kind", itemgetter("kind")),
    Column("findings", "Findings", itemgetter("findings")),
), sort="dataset", prefix="counts.")
"""The data-quality findings counted by dataset and kind (the counts stored by the read
model), read by `counts.`."""


def _counted(by_dataset: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """The counts by dataset and kind as rows, in the read's own order."""
    return [{"dataset": dataset, "kind": kind, "findings": n}
            for dataset, kinds in by_dataset.items() for kind, n in kinds.items()]


@router.get("/ui/authorities/{la_code}/data-quality", response_model=None)
def data_quality(request: Request, la_code: str, principal: Viewer,
                 kind: Annotated[str | None, Query(pattern=r"^[a-z_]{1,40}$")] = None
                 ) -> Response:
    """The data-quality findings about the authority's data: counted by dataset and kind,
    then row by row, a page at a time (`kind` to choose one), or every row as CSV. Not
    flags."""
    table, counts = FINDING_ROWS, FINDING_COUNTS
    choice, counting = table.choose(request), counts.choose(request)
    descending = choice.order == "desc"
    with reader(request, principal) as read:
        name = read.authority_name(la_code)
        if name is None:
            raise NotRecorded(f"no authority {la_code!r} is recorded")
        if counting.format == "csv":
            value = read.data_quality_findings(la_code, limit=1).by_dataset
            return counts.csv(counts.ordered(_counted(value), counting),
                              f"data-quality-counts-{la_code}")
        if choice.format == "csv":
            every = read.data_quality_findings(la_code, kind=kind, limit=OFFSET_MAX,
                                               sort=choice.sort, descending=descending)
            return table.csv(every.rows, f"data-quality-{la_code}-{kind or 'all'}")
        found = read.data_quality_findings(la_code, kind=kind, limit=table.size,
                                           offset=table.offset(choice), sort=choice.sort,
                                           descending=descending)
        page = table.window(request, found.rows, found.total, choice, keep=("kind",))
        counted = counts.page(request, counts.ordered(_counted(found.by_dataset), counting),
                              counting, keep=("kind",))
        return render(request, "data_quality.html", la_code=la_code, name=name,
                      found=found, page=page, counted=counted, kind=kind or "",
                      batches=read.data_quality(la_code), links=Links(read))


@router.get("/ui/authorities/{la_code}/challenges.csv", response_model=None)
def register_csv(request: Request, la_code: str, principal: Viewer,
                 status: Text = None) -> Response:
    """Every challenge of the register (under `status`), in the chosen order, as CSV (the
    page's own `challenges.format=csv` answers the same)."""
    table = replace(REGISTER, prefix="")
    choice = table.choose(request)
    with reader(request, principal) as read:
        found = read.register(la_code, status or None, limit=OFFSET_MAX)
        return table.csv(table.ordered(found.items, choice),
                         f"challenges-{la_code}-{status or 'all'}")


@router.get("/ui/authorities/{la_code}/officers.csv", response_model=None)
def officers_csv(request: Request, la_code: str, principal: Viewer) -> Response:
    """Every officer of the authority, in the chosen order, as CSV."""
    table = replace(OFFICERS, prefix="")
    choice = table.choose(request)
    with reader(request, principal) as read:
        return table.csv(table.ordered(read.officers(la_code), choice), f"officers-{la_code}")
