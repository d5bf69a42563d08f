"""The dashboard's pages: an overview, an authority, a case timeline, an officer, the flags,
one flag, and any record straight from the store; and a dispute's bundle to download.

Plain server-rendered HTML, no scripts. Every page needs a signed-in person (`auth.Viewer`)
and reads through the read service (`reads.reader`), by the API's rules: a principal's own
authority, inspectors and admins anywhere, an arbitrator only what stands around the disputes
referred to their body (their cases, flags, officers and instructions; no measures).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from operator import itemgetter
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from iro_ledger.domain.errors import NotRecorded
from iro_ledger.exports.dispute_bundle import dispute_bundle, file_stem
from iro_ledger.exports.dispute_pdf import dispute_pdf
from iro_ledger.reads import Flag, Reader
from iro_ledger.reads.words import (
    FLAG_STATUSES,
    RULE_NAMES,
    SEVERITIES,
    FlagStatus,
)
from iro_ledger.web import (
    auth,
    authority,
    case_officer,
    charts,
    compare_chart,
    recording,
)
from iro_ledger.web.asked import day_asked as _day
from iro_ledger.web.auth import Viewer
from iro_ledger.web.pages import PageRoute, render
from iro_ledger.web.present import headline, headline_values
from iro_ledger.web.reads import RECORD_PAGE, Links, reader
from iro_ledger.web.tables import Column, Table, Tables

router = APIRouter(route_class=PageRoute, include_in_schema=False)
router.include_router(auth.router)
router.include_router(recording.router)
router.include_router(authority.router)
router.include_router(case_officer.router)
Text = Annotated[str | None, Query()]


OVERVIEW = Table("overview", (
    Column("la_code", "Authority", lambda r: r["la_code"]),
    Column("name", "Name", lambda r: r["name"]),
    Column("children", "Children in care", lambda r: r["values"]["children"]),
    Column("iros", "IROs", lambda r: r["values"]["iros"]),
    Column("mean_caseload", "Caseload mean", lambda r: r["values"]["mean_caseload"]),
    Column("max_caseload", "Caseload max", lambda r: r["values"]["max_caseload"]),
    Column("challenges_per_100", "Challenges per 100 children",
           lambda r: r["values"]["challenges_per_100"]),
    Column("resolved_informally", "Share resolved informally",
           lambda r: r["values"]["resolved_informally"]),
    Column("median_days", "Median days to resolve", lambda r: r["values"]["median_days"]),
    Column("instructions", "Instructions in force", lambda r: r["values"]["instructions"]),
    Column("reviews_on_time", "Share of reviews on time",
           lambda r: r["values"]["reviews_on_time"]),
    Column("reviews_overdue", "Reviews overdue at the end",
           lambda r: r["values"]["reviews_overdue"]),
    Column("open_flags", "Open flags", lambda r: r["open_flags"]),
    Column("grave", "Open flags high or critical", lambda r: r["grave"]),
), sort="la_code")
"""The overview: the chosen authorities side by side over the chosen period."""

DISPUTES = Table("disputes", (
    Column("la_code", "Authority", lambda c: c["la_code"]),
    Column("challenge_id", "Challenge", lambda c: c["challenge_id"]),
    Column("about", "About", lambda c: c.get("about")),
    Column("case_id", "Case", lambda c: c["case_id"]),
    Column("officer_id", "Raised by", lambda c: c["officer_id"]),
    Column("raised_on", "Raised", lambda c: c.get("raised_on")),
    Column("referred_on", "Referred",
           lambda c: (c.get("arbitration") or {}).get("requested_on")),
    Column("stage", "Stage", lambda c: c.get("stage")),
    Column("status", "Status", lambda c: c.get("status")),
    Column("outcome", "Outcome", lambda c: c.get("outcome")),
), sort="referred_on", order="desc")
"""An arbitrator's overview: the disputes referred to their body, the latest first."""


def _chosen_authorities(request: Request, read: Reader) -> tuple[list[str], list[str]]:
    """Every authority the reader may compare, and those chosen (`la`, repeated; all when
    none is named). Naming one the reader may not see is refused, never dropped silently."""
    offered = read.authorities()
    named = [code for code in request.query_params.getlist("la") if code]
    for code in named:
        if code not in offered:
            read.may_read(code)
            raise NotRecorded(f"no authority {code!r} is recorded")
    return offered, sorted(set(named)) or offered


@router.get("/", response_model=None)
def overview(request: Request, principal: Viewer,
             start: Annotated[str | None, Query(alias="from")] = None,
             end: Annotated[str | None, Query(alias="to")] = None) -> Response:
    with reader(request, principal) as read:
        if read.arbitrator:
            return _disputes(request, read)
        choice = OVERVIEW.choose(request)
        period = read.period(_day("from", start), _day("to", end))
        offered, chosen = _chosen_authorities(request, read)
        open_flags = read.flag_counts(("la_code", "grave"), status=FlagStatus.OPEN)
        rows = []
        for la_code in chosen:
            measures = read.measures(la_code, period.start, period.end).measures
            mine = [c for c in open_flags if c["la_code"] == la_code]
            rows.append({"la_code": la_code, "name": read.authority_name(la_code),
                         "values": headline_values(measures),
                         "figures": headline(measures),
                         "open_flags": sum(int(c["n"]) for c in mine),
                         "grave": sum(int(c["n"]) for c in mine if c["grave"])})
        ordered = OVERVIEW.ordered(rows, choice)
        if choice.format == "csv":
            return OVERVIEW.csv(ordered, f"overview-{period.start}-{period.end}")
        page = OVERVIEW.page(request, ordered, choice, keep=("from", "to", "la"))
        compared = compare_chart.comparison(
            f"Authorities side by side, {period.start:%d %b %Y} to {period.end:%d %b %Y}",
            page.rows)
        return render(request, "overview.html", page=page, disputes=None, period=period,
                      offered=offered, chosen=chosen if chosen != offered else [],
                      names={code: read.authority_name(code) for code in offered},
                      compared=compared if len(page.rows) > 1 else None,
                      compared_svg=compare_chart.svg(compared, "compared"),
                      links=Links(read))


FLAGS = Table("flags", tuple(Column(key, heading, itemgetter(key)) for key, heading in (
    ("severity", "Severity"), ("rule", "Flag"), ("la_code", "Authority"), ("about", "About"),
    ("raised_on", "Raised"), ("status", "Status"), ("explanation", "What happened"),
    ("id", "Flag id"))), sort="severity", order="desc")
"""The flags page: gravest first, and within a severity the newest first (the reader sorts,
by the stored columns; the CSV's rows are `Reader.flag_lines`)."""


@router.get("/ui/flags", response_model=None)
def flag_list(request: Request, principal: Viewer, la: Text = None,
              rule: Text = None, severity: Text = None,
              status: Annotated[str, Query()] = FlagStatus.OPEN) -> Response:
    choice = FLAGS.choose(request)
    filters = (la or None, rule or None, severity or None, status or None)
    sort, descending = choice.sort, choice.order == "desc"
    with reader(request, principal) as read:
        if choice.format == "csv":
            every = read.flag_lines(*filters, sort=sort, descending=descending)
            return FLAGS.csv(every, f"flags-{status or 'all'}")
        found = read.flags(*filters, sort=sort, descending=descending, limit=FLAGS.size,
                           offset=FLAGS.offset(choice))
        page = FLAGS.window(request, found.public(), found.total, choice,
                            keep=("la", "rule", "severity", "status"))
        # The chart counts every flag of the filter, not one page: counted where stored.
        monthly = (_monthly(read.flags(*filters).flags) if read.arbitrator
                   else read.flag_counts(("rule", "month"), *filters))
        chart = charts.by_month_counts("Flags raised each month, by rule",
                                       {(c["rule"], c["month"]): int(c["n"]) for c in monthly})
        by_month = _by_month(chart)
        months = by_month.choose(request)
        chart_rows = by_month.ordered(
            ({"rule": s, **{c: chart.count(s, c) for c in chart.columns},
              "total": chart.total(s)} for s in chart.series), months)
        if months.format == "csv":
            return by_month.csv(chart_rows, f"flags-by-month-{status or 'all'}")
        chart_page = by_month.page(request, chart_rows, months,
                                   keep=("la", "rule", "severity", "status"))
        return render(request, "flags.html", page=page, chart=chart, chart_page=chart_page,
                      chart_svg=charts.svg(chart, "flags-by-month"), codes=read.authorities(),
                      rules=RULE_NAMES, severities=SEVERITIES[::-1], statuses=FLAG_STATUSES,
                      chosen={"la": la or "", "rule": rule or "", "severity": severity or "",
                              "status": status}, links=Links(read))


def _by_month(chart: charts.Chart) -> Table:
    """The flags chart's table alternative: a row for each rule, a column for each month
    drawn (its counts counted where stored), and the rule's total. Read by `months.`."""
    return Table("by-month", (
        Column("rule", "Rule", itemgetter("rule")),
        *(Column(month, month, itemgetter(month)) for month in chart.columns),
        Column("total", "Total", itemgetter("total"))), sort="rule", prefix="months.")


def _monthly(flags: list[Flag]) -> list[dict[str, Any]]:
    """Flags counted by rule and month raised, as `Reader.flag_counts` counts them."""
    counted = Counter((f.rule, f"{f.raised_on:%Y-%m}") for f in flags)
    return [{"rule": rule, "month": month, "n": n} for (rule, month), n in counted.items()]


def _event_of(key: str) -> Any:
    return lambda h: None if h["event"] is None else h["event"][key]


EVIDENCE = Table("evidence", (
    Column("occurred_on", "Happened", itemgetter("occurred_on")),
    Column("event_type", "Event", itemgetter("event_type")),
    Column("kind", "Record", itemgetter("kind")),
    Column("id", "Record id", itemgetter("id")),
    Column("event_number", "Event number", itemgetter("event_number")),
    Column("position", "Store position", itemgetter("position")),
), sort="occurred_on", prefix="evidence.")
"""The events a flag rests on: by the day they happened, then by store position."""

FLAG_HISTORY = Table("history", (
    Column("on", "On", itemgetter("on")),
    Column("action", "What", itemgetter("action")),
    Column("note", "Why", itemgetter("note")),
    Column("event_type", "By event", _event_of("event_type")),
    Column("kind", "Record", _event_of("kind")),
    Column("id", "Record id", _event_of("id")),
    Column("event_number", "Event number", _event_of("event_number")),
), sort="on", prefix="history.")
"""A flag's raisings, clearings and withdrawal, in valid-time order (as stored; a stable
sort by day keeps it). An empty event is a deadline passing."""


@router.get("/ui/flags/{flag_id}", response_model=None)
def flag(request: Request, flag_id: str, principal: Viewer) -> Response:
    tables = Tables((EVIDENCE, FLAG_HISTORY))
    choices = tables.choose(request)
    with reader(request, principal) as read:
        found = read.flag(flag_id)
        shown = found.public()
        rows = {"evidence": sorted(shown["evidence"], key=itemgetter("position")),
                "history": shown["history"]}
        pages = tables.answer(request, choices, rows, flag_id)
        if not isinstance(pages, dict):
            return pages
        return render(request, "flag.html", flag=shown, pages=pages,
                      name=read.authority_name(found.flag.la_code), links=Links(read))


def _disputes(request: Request, read: Reader) -> Response:
    """The disputes referred to the arbitrator's body, paged, sorted, or every one as CSV."""
    choice = DISPUTES.choose(request)
    ordered = DISPUTES.ordered(read.disputes(), choice)
    if choice.format == "csv":
        return DISPUTES.csv(ordered, "disputes")
    return render(request, "overview.html", page=None,
                  disputes=DISPUTES.page(request, ordered, choice), period=None,
                  offered=[], chosen=[], names={}, links=Links(read))


RECORD_SHOWN = ("number", "type", "occurred_on", "recorded_at", "recorded_by", "actor",
                "source", "command_id", "la_code", "ref", "on_behalf_of", "days_late")
"""An event's fields with a column of their own on a record's page (the rest are details)."""

RECORD_EVENTS = Table("events", (
    Column("number", "Event number", itemgetter("number")),
    Column("type", "Event", itemgetter("type")),
    Column("occurred_on", "Happened", itemgetter("occurred_on")),
    Column("details", "Details", lambda e: {k: v for k, v in e.items()
                                            if k not in RECORD_SHOWN}, sortable=False),
    Column("actor", "Act of", itemgetter("actor")),
    Column("recorded_at", "Recorded", itemgetter("recorded_at")),
    Column("days_late", "Days late", itemgetter("days_late")),
    Column("recorded_by", "Recorded by", itemgetter("recorded_by")),
    Column("on_behalf_of", "On behalf of", lambda e: e.get("on_behalf_of")),
    Column("source", "Source", itemgetter("source")),
), sort="number", size=RECORD_PAGE, prefix="events.")
"""Every event of a record straight from the store, in the order recorded (its number); its
details are not one stored value, so not sortable. Evidence links name the page holding the
event (`Links.event`)."""


@router.get("/ui/authorities/{la_code}/records/{kind}/{ref}", response_model=None)
def record(request: Request, la_code: str, kind: str, ref: str, principal: Viewer) -> Response:
    choice = RECORD_EVENTS.choose(request)
    with reader(request, principal) as read:
        view = read.record(kind, la_code, ref)
        ordered = RECORD_EVENTS.ordered(view.events, choice)
        if choice.format == "csv":
            return RECORD_EVENTS.csv(ordered, f"events-{la_code}-{kind}-{ref}")
        page = RECORD_EVENTS.page(request, ordered, choice)
        return render(request, "record.html", la_code=la_code, view=view, page=page,
                      own_columns=RECORD_SHOWN, name=read.authority_name(la_code),
                      links=Links(read))



@router.get("/ui/authorities/{la_code}/challenges/{challenge_id}/bundle.zip")
def bundle(request: Request, la_code: str, challenge_id: str, principal: Viewer) -> Response:
    """The dispute's bundle in one download: the JSON to check with `verify-receipt` and the
    PDF to read and print."""
    with reader(request, principal) as read:
        made = dispute_bundle(read, la_code, challenge_id)
    stem = file_stem(la_code, challenge_id)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.json", json.dumps(made, indent=1, ensure_ascii=False) + "\n")
        archive.writestr(f"{stem}.pdf", dispute_pdf(made))
    return Response(packed.getvalue(), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{stem}.zip"'})
