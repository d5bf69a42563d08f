"""A case's page and an officer's page, and their tables: a case's timeline and flags; an
officer's flags, disciplinary actions, challenges, instructions and cases held. Each table
pages, sorts and exports as CSV by its own parameters (`web.tables`), as an authority's do.

Evidence links name the event's store position (`?at=`), so a link to an event on a long
timeline opens the page of the table that holds it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from iro_ledger.reads.words import FlagStatus
from iro_ledger.web import caseload_chart, stage_chart
from iro_ledger.web.asked import gravest_first
from iro_ledger.web.auth import Viewer
from iro_ledger.web.authority import OPEN_FLAGS, REGISTER
from iro_ledger.web.pages import PageRoute, render
from iro_ledger.web.present import event_name
from iro_ledger.web.reads import Links, reader
from iro_ledger.web.tables import Column, Table, Tables, at_position

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _ref(key: str) -> Any:
    return lambda row: row["ref"][key]


TIMELINE = Table("timeline", (
    Column("occurred_on", "Happened", lambda e: e["occurred_on"]),
    Column("event", "Event", lambda e: event_name(e["ref"]["type"])),
    Column("record", "Record", lambda e: f"{e['ref']['kind']} {e['ref']['id']}"),
    Column("number", "Event number", _ref("number")),
    Column("details", "Details", lambda e: e["fields"]),
    Column("actor", "Act of", lambda e: e["actor"]),
    Column("recorded_at", "Recorded", lambda e: e["recorded_at"]),
    Column("days_late", "Days late", lambda e: e["days_late"]),
    Column("recorded_by", "Recorded by", lambda e: e["recorded_by"]),
    Column("on_behalf_of", "On behalf of", lambda e: e.get("on_behalf_of")),
    Column("source", "Source", lambda e: e["source"]),
    Column("position", "Store position", _ref("position")),
), sort="occurred_on", prefix="timeline.")
"""Every event touching a case, in the order things happened (a stable sort: events of one
day stay in the order recorded)."""

CASE_FLAGS = replace(OPEN_FLAGS, prefix="flags.")
CASE_CHALLENGES = REGISTER
"""The challenges on one case: the authority's register's columns, read by `challenges.`."""
STAGES = Table("stages", (
    Column("challenge_id", "Challenge", lambda s: s.challenge_id),
    Column("stage", "Stage", lambda s: s.stage),
    Column("start", "From", lambda s: s.start),
    Column("end", "To", lambda s: None if s.running else s.end),
    Column("days", "Days", lambda s: s.days),
    Column("working_days", "Working days", lambda s: s.working_days),
), sort="start", prefix="stages.")
"""The stage chart's table alternative: each stage of each challenge on the case."""
WITHDRAWN = replace(OPEN_FLAGS, name="withdrawn-flags", prefix="withdrawn.")

DISCIPLINARY = Table("disciplinary", (
    Column("on", "On", lambda d: d["on"]),
    Column("stage", "Stage", lambda d: d["stage"]),
    Column("actor", "By", lambda d: d["actor"]),
    Column("stated_reason", "Stated reason", lambda d: d.get("stated_reason")),
    Column("position", "Store position", _ref("position")),
), sort="on", prefix="disciplinary.")
RAISED = Table("challenges", (
    Column("challenge_id", "Challenge", lambda c: c["challenge_id"]),
    Column("case_id", "Case", lambda c: c["case_id"]),
    Column("raised_on", "Raised", lambda c: c["raised_on"]),
), sort="raised_on", prefix="challenges.")
RECEIVED = Table("instructions", (
    Column("issued_on", "Given", lambda i: i["issued_on"]),
    Column("kind", "Kind", lambda i: i["kind"]),
    Column("given_by", "By", lambda i: i["given_by"]),
    Column("issued_to", "To", lambda i: "; ".join(i["issued_to"])),
    Column("rescinded_on", "Rescinded", lambda i: i.get("rescinded_on")),
    Column("instruction_id", "Instruction", lambda i: i["instruction_id"]),
), sort="issued_on", prefix="instructions.")
HOLDINGS = Table("holdings", (
    Column("case_id", "Case", lambda h: h["case_id"]),
    Column("from", "From", lambda h: h["from"]),
    Column("to", "To", lambda h: h.get("to")),
), sort="from", prefix="holdings.")
OFFICER_FLAGS = replace(OPEN_FLAGS, prefix="flags.")
CASELOAD = Table("caseload", (
    Column("month", "Month", lambda m: m["month"]),
    Column("max", "Most held on a day", lambda m: m["max"]),
    Column("at_end", "At month's end", lambda m: m["at_end"]),
    Column("where", "Against 50 to 70", lambda m: caseload_chart.Load(
        m["month"], m["max"]).where, sortable=False),
), sort="month", order="desc", size=24, prefix="caseload.")
"""The caseload chart's table alternative: every month, not only the two years drawn, the
latest first; a page is two years."""


@router.get("/ui/authorities/{la_code}/cases/{case_id}", response_model=None)
def case(request: Request, la_code: str, case_id: str, principal: Viewer) -> Response:
    tables = Tables((TIMELINE, CASE_FLAGS, WITHDRAWN, CASE_CHALLENGES, STAGES))
    choices, at = tables.choose(request), at_position(request)
    with reader(request, principal) as read:
        timeline = read.timeline(la_code, case_id).doc
        challenges = read.register(la_code, case_id=case_id, limit=500).items
        staged = stage_chart.stages(f"The stages of each challenge on case {case_id}",
                                    challenges)
        rows = {"timeline": timeline["entries"], "challenges": challenges,
                "stages": staged.rows,
                "flags": gravest_first(read.flags(la_code, case_id=case_id)),
                "withdrawn-flags": gravest_first(
                    read.flags(la_code, case_id=case_id, status=FlagStatus.WITHDRAWN))}
        pages = tables.answer(request, choices, rows, f"{la_code}-{case_id}", holding={
            "timeline": lambda e: e["ref"]["position"] == at} if at is not None else None)
        if not isinstance(pages, dict):
            return pages
        return render(request, "case.html", la_code=la_code, timeline=timeline,
                      challenges=challenges, pages=pages, staged=staged,
                      staged_svg=stage_chart.svg(staged, "stages"),
                      name=read.authority_name(la_code), links=Links(read))


@router.get("/ui/authorities/{la_code}/officers/{officer_id}", response_model=None)
def officer(request: Request, la_code: str, officer_id: str, principal: Viewer) -> Response:
    tables = Tables((OFFICER_FLAGS, DISCIPLINARY, RAISED, RECEIVED, HOLDINGS, CASELOAD))
    choices, at = tables.choose(request), at_position(request)
    with reader(request, principal) as read:
        found = read.officer(la_code, officer_id).doc
        rows = {"flags": gravest_first(read.flags(la_code, officer_id=officer_id)),
                "disciplinary": found["disciplinary"], "challenges": found["challenges"],
                "instructions": found["instructions"], "holdings": found["holdings"],
                "caseload": found["caseload_by_month"]}
        pages = tables.answer(
            request, choices, rows, f"{la_code}-{officer_id}", holding={
                "disciplinary": lambda d: d["ref"]["position"] == at} if at is not None
            else None)
        if not isinstance(pages, dict):
            return pages
        months = found["caseload_by_month"][-24:]
        loads = caseload_chart.caseloads(
            f"Most cases {officer_id} held on a day, each month",
            (caseload_chart.Load(m["month"], m["max"], f"{m['at_end']} at the month's end")
             for m in months),
            "the most cases held on any day of the month (not adjusted for part-time hours)")
        return render(request, "officer.html", la_code=la_code, officer=found, months=months,
                      loads=loads, loads_svg=caseload_chart.svg(loads, "caseload"),
                      pages=pages, name=read.authority_name(la_code), links=Links(read))
