"""The dashboard's pages: an overview, an authority, a case timeline, an officer, the flags,
one flag, and any record straight from the store.

Plain server-rendered HTML, no scripts. Every page needs a signed-in person (`auth.Viewer`),
catches the read models up first (`reads.Fresh`) and reads by the API's rules: a principal's
own authority, inspectors and admins anywhere, an arbitrator only the disputes referred to
their body (so no measures, officers or flags).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from iro_ledger.application import Role
from iro_ledger.domain.errors import InvalidValue, NotPermitted, NotRecorded
from iro_ledger.projections.challenges import RegisterQuery, read_register
from iro_ledger.projections.flags import FlagQuery
from iro_ledger.projections.measures import as_dicts, measures_of, period_of
from iro_ledger.projections.officers import OFFICERS, read_officer
from iro_ledger.projections.rules.engine import RULE_NAMES
from iro_ledger.projections.timeline import CASES, holders, read_timeline
from iro_ledger.web import auth
from iro_ledger.web.auth import Viewer
from iro_ledger.web.pages import PageRoute, render
from iro_ledger.web.present import headline
from iro_ledger.web.reads import (
    Fresh,
    Links,
    authority_codes,
    authority_name,
    disputes_before,
    flags,
    may_read,
    note_read,
    today,
)

PAGE = 100
"""Challenges per page of the register."""
router = APIRouter(route_class=PageRoute, include_in_schema=False)
router.include_router(auth.router)
Text = Annotated[str | None, Query()]


def _day(name: str, text: str | None) -> date | None:
    """A date from a form field; an empty field means the default."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidValue(name, f"{text!r} is not a date (YYYY-MM-DD)") from None


def _choice(name: str, text: str | None, allowed: tuple[str, ...]) -> str | None:
    if not text:
        return None
    if text not in allowed:
        raise InvalidValue(name, f"{text!r} is not one of {', '.join(allowed)}")
    return text


def _public(found: list[Any] | None) -> list[dict[str, Any]] | None:
    return None if found is None else [f.public() for f in found]


@router.get("/")
def overview(request: Request, principal: Viewer, services: Fresh) -> Response:
    day = today()
    if principal.role is Role.ARBITRATOR:
        disputes = disputes_before(services, principal.body or "", day)
        note_read(services, principal, [d["la_code"] for d in disputes], request)
        return render(request, "overview.html", rows=[], disputes=disputes, period=None,
                      links=Links(services))
    codes = authority_codes(services, principal)
    period = period_of(None, None, day)
    open_flags = flags(services, FlagQuery(codes, status="open"), day)
    rows = []
    for la_code in codes:
        mine = [f for f in open_flags or [] if f.la_code == la_code]
        rows.append({
            "la_code": la_code, "name": authority_name(services, la_code),
            "figures": headline(as_dicts(measures_of(services.projections, la_code, period))),
            "open_flags": None if open_flags is None else len(mine),
            "grave": sum(1 for f in mine if f.severity.rank >= 2),
        })
    note_read(services, principal, codes, request)
    return render(request, "overview.html", rows=rows, disputes=None, period=period,
                  links=Links(services))


@router.get("/ui/authorities/{la_code}")
def authority(request: Request, la_code: str, principal: Viewer, services: Fresh,
              start: Annotated[str | None, Query(alias="from")] = None,
              end: Annotated[str | None, Query(alias="to")] = None,
              status: Text = None, offset: Annotated[int, Query(ge=0)] = 0) -> Response:
    day = today()
    body = (principal.body or "") if principal.role is Role.ARBITRATOR else None
    if body is None:
        may_read(principal, la_code)
    period = period_of(_day("from", start), _day("to", end), day)
    query = RegisterQuery(la_code, _choice("status", status, ("open", "closed")),
                          arbitration_body=body)
    people: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    with services.projections.db.reading() as tx:
        total, register = read_register(tx, query, day, PAGE, offset)
        if body is None:
            people = OFFICERS.select(tx, "la_code = ?", (la_code,))
            cases = CASES.select(tx, "la_code = ?", (la_code,))
    name = authority_name(services, la_code)
    if name is None and not (total or people or cases):
        raise NotRecorded(f"no authority {la_code!r} is recorded"
                          + (f" with disputes referred to {body}" if body else ""))
    measures = [] if body is not None else as_dicts(
        measures_of(services.projections, la_code, period))
    open_flags = [] if body is not None else _public(
        flags(services, FlagQuery([la_code], status="open"), day))
    note_read(services, principal, [la_code], request)
    return render(request, "authority.html", la_code=la_code, name=name, period=period,
                  measures=measures, open_flags=open_flags, register=register, total=total,
                  offset=offset, page=PAGE, status=status or "", people=people,
                  cases=[{**c, "iros": holders(c)} for c in cases], arbitration_body=body,
                  links=Links(services))


@router.get("/ui/authorities/{la_code}/cases/{case_id}")
def case(request: Request, la_code: str, case_id: str, principal: Viewer,
         services: Fresh) -> Response:
    arbitrator = principal.role is Role.ARBITRATOR
    if not arbitrator:
        may_read(principal, la_code)
    day = today()
    with services.projections.db.reading() as tx:
        found = read_timeline(tx, la_code, case_id)
        _, challenges = read_register(
            tx, RegisterQuery(la_code, case_id=case_id,
                              arbitration_body=principal.body if arbitrator else None), day, 500)
    if arbitrator and (found is None or principal.body not in found["arbitration_bodies"]):
        raise NotPermitted(f"no dispute on case {case_id} is referred to {principal.body}")
    if found is None:
        raise NotRecorded(f"no case {case_id!r} is recorded in {la_code}")
    case_flags = None if arbitrator else _public(
        flags(services, FlagQuery([la_code], case_id=case_id), day))
    note_read(services, principal, [la_code], request)
    return render(request, "case.html", la_code=la_code, timeline=found, challenges=challenges,
                  case_flags=case_flags, name=authority_name(services, la_code),
                  links=Links(services))


@router.get("/ui/authorities/{la_code}/officers/{officer_id}")
def officer(request: Request, la_code: str, officer_id: str, principal: Viewer,
            services: Fresh) -> Response:
    may_read(principal, la_code)
    day = today()
    with services.projections.db.reading() as tx:
        found = read_officer(tx, la_code, officer_id, day)
    if found is None:
        raise NotRecorded(f"no officer {officer_id!r} is recorded in {la_code}")
    months = found["caseload_by_month"][-24:]
    note_read(services, principal, [la_code], request)
    return render(request, "officer.html", la_code=la_code, officer=found, months=months,
                  most=max([m["max"] for m in months] + [1]),
                  officer_flags=_public(flags(services, FlagQuery([la_code],
                                                                  officer_id=officer_id), day)),
                  name=authority_name(services, la_code), links=Links(services))


def _flag_authorities(services: Fresh, principal: Viewer, la_code: str | None) -> list[str]:
    if principal.role is Role.ARBITRATOR:
        raise NotPermitted("an arbitrator sees only the disputes referred to their body")
    if la_code:
        may_read(principal, la_code)
        return [la_code]
    return authority_codes(services, principal)


@router.get("/ui/flags")
def flag_list(request: Request, principal: Viewer, services: Fresh, la: Text = None,
              rule: Text = None, severity: Text = None,
              status: Annotated[str, Query()] = "open") -> Response:
    codes = _flag_authorities(services, principal, la)
    query = FlagQuery(codes, _choice("rule", rule, RULE_NAMES),
                      _choice("severity", severity, ("info", "warning", "high", "critical")),
                      _choice("status", status, ("open", "cleared", "withdrawn")))
    found = _public(flags(services, query, today()))
    note_read(services, principal, [f["la_code"] for f in found or []], request)
    return render(request, "flags.html", found=found,
                  codes=authority_codes(services, principal), rules=RULE_NAMES,
                  chosen={"la": la or "", "rule": rule or "", "severity": severity or "",
                          "status": status}, links=Links(services))


@router.get("/ui/flags/{flag_id}")
def flag(request: Request, flag_id: str, principal: Viewer, services: Fresh) -> Response:
    codes = _flag_authorities(services, principal, None)
    found = flags(services, FlagQuery(codes, flag_id=flag_id), today())
    if found is None:
        raise NotRecorded("the flags read model is not running in this service")
    if not found:
        raise NotRecorded(f"no flag {flag_id!r} among the authorities you may read")
    note_read(services, principal, [found[0].la_code], request)
    return render(request, "flag.html", flag=found[0].public(),
                  name=authority_name(services, found[0].la_code), links=Links(services))


@router.get("/ui/authorities/{la_code}/records/{kind}/{ref}")
def record(request: Request, la_code: str, kind: str, ref: str, principal: Viewer,
           services: Fresh) -> Response:
    view = services.ledger.read(kind, la_code, ref, principal)  # records outsiders' reads
    return render(request, "record.html", la_code=la_code, view=view,
                  name=authority_name(services, la_code), links=Links(services))
