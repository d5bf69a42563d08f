"""Reads of the monitoring read models: a case's timeline, the challenge register, an officer's
record and an authority's measures, each with references to the events behind it.

Who may read follows `application.access.can_read`: a principal's own authority, inspectors and
admins anywhere, an arbitrator only disputes referred to their body; inspectors' and
arbitrators' reads are recorded. `min_position` (a command's answered `position`) makes the
read wait until the read models have applied that write (read-your-writes): up to 5 s, then 503.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from iro_ledger.api.deps import CurrentPrincipal, ServicesDep
from iro_ledger.api.errors import NotReady
from iro_ledger.api.schemas import problem_responses
from iro_ledger.application import Principal
from iro_ledger.application.access import Role, can_read
from iro_ledger.domain.errors import InvalidValue, NotPermitted, NotRecorded
from iro_ledger.projections import Projections
from iro_ledger.projections.challenges import RegisterQuery, read_register
from iro_ledger.projections.measures import as_dicts, measures_of, period_of
from iro_ledger.projections.officers import read_officer
from iro_ledger.projections.timeline import read_timeline

WAIT_SECONDS = 5.0
_REFUSALS = problem_responses(401, 403, 404, 422, 503)
router = APIRouter(prefix="/authorities", tags=["monitoring"])

MinPosition = Annotated[int | None, Query(
    ge=0, description="wait until the read models have applied this store position (the "
                      "`position` a command answered), at most 5 s, else 503")]
AsOf = Annotated[date | None, Query(description="count days and caseloads as of this day "
                                                "(default: today)")]


class EventRefPublic(BaseModel):
    kind: str
    id: str
    la_code: str
    number: int = Field(description="the event's number within its record")
    position: int = Field(description="the event's position in the whole store")
    type: str


class Evidenced(BaseModel):
    """A read model's document: fields vary by kind; every `ref` is an EventRefPublic."""

    model_config = ConfigDict(extra="allow")


class TimelinePublic(BaseModel):
    la_code: str
    case_id: str
    opened_on: str
    closed_on: str | None
    iros: list[dict[str, Any]] = Field(description="who held the case: officer_id, from, to")
    arbitration_bodies: list[str]
    entries: list[Evidenced] = Field(description="ordered by occurred_on, then position; each "
                                                 "with ref, via, recorded_at, recorded_by, actor")
    position: int = Field(description="the store position the read models had reached")


class RegisterPublic(BaseModel):
    total: int
    limit: int
    offset: int
    as_of: str
    items: list[Evidenced] = Field(description="challenges in the order raised: stages with "
                                               "days, responses, outcome, evidence")
    position: int


class OfficerRecordPublic(Evidenced):
    la_code: str
    officer_id: str
    position: int


class MeasurePublic(BaseModel):
    name: str
    value: Any = Field(description="a number, a mapping of numbers, or null when undefined")
    unit: str
    note: str
    evidence: list[EventRefPublic]


class MeasuresPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    la_code: str
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    measures: list[MeasurePublic]
    position: int


def fresh(projections: Projections, names: list[str] | None, min_position: int | None) -> int:
    """Bring the named read models up to the caller's write; the position they then stand at."""
    if min_position is not None and min_position > projections.ledger.position():
        raise InvalidValue("min_position", f"nothing is stored at position {min_position} yet")
    if projections.db.dialect == "sqlite":
        projections.refresh(names)
    elif min_position is not None and not projections.wait_for(min_position, names,
                                                               WAIT_SECONDS):
        raise NotReady(f"the read models have not reached position {min_position} within "
                       f"{WAIT_SECONDS:g} s; is `iro-ledger worker` running? Try again")
    return min(projections.positions(names).values(), default=0)


def _may_read(principal: Principal, la_code: str) -> None:
    if not can_read(principal, la_code):
        raise NotPermitted(f"{principal.sub} may not read the records of {la_code}")


def _today() -> date:
    return datetime.now(UTC).date()


@router.get("/{la_code}/cases/{case_id}/timeline", response_model=TimelinePublic,
            responses=_REFUSALS, summary="Every event touching a case, in the order it happened")
def case_timeline(la_code: str, case_id: str, services: ServicesDep,
                  principal: CurrentPrincipal, min_position: MinPosition = None) -> Any:
    if principal.role is not Role.ARBITRATOR:
        _may_read(principal, la_code)
    position = fresh(services.projections, ["timeline"], min_position)
    with services.projections.db.reading() as tx:
        found = read_timeline(tx, la_code, case_id)
    if principal.role is Role.ARBITRATOR and (
            found is None or not can_read(principal, la_code, _body(principal, found))):
        raise NotPermitted(f"no dispute on case {case_id} is referred to {principal.body}")
    if found is None:
        raise NotRecorded(f"no case {case_id!r} is recorded in {la_code}")
    services.ledger.record_read(principal, la_code, f"timeline:{case_id}")
    return {**found, "position": position}


def _body(principal: Principal, timeline: dict[str, Any]) -> str | None:
    return principal.body if principal.body in timeline["arbitration_bodies"] else None


@router.get("/{la_code}/challenges", response_model=RegisterPublic, responses=_REFUSALS,
            summary="The challenge register: stage, days at each stage, outcome, exits")
def challenge_register(
    la_code: str, services: ServicesDep, principal: CurrentPrincipal,
    status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
    stage: Annotated[str | None, Query(pattern="^(informal|stage_1|stage_2|stage_3|director)$")]
    = None,
    officer_id: str | None = None, case_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[int, Query(ge=0)] = 0,
    as_of: AsOf = None, min_position: MinPosition = None,
) -> Any:
    body = None
    if principal.role is Role.ARBITRATOR:
        body = principal.body or ""
    else:
        _may_read(principal, la_code)
    position = fresh(services.projections, ["challenges"], min_position)
    query = RegisterQuery(la_code, status, stage, officer_id, case_id, body)
    day = as_of or _today()
    with services.projections.db.reading() as tx:
        total, items = read_register(tx, query, day, limit, offset)
    services.ledger.record_read(principal, la_code, "challenge_register")
    return {"total": total, "limit": limit, "offset": offset, "as_of": day.isoformat(),
            "items": items, "position": position}


@router.get("/{la_code}/officers/{officer_id}/record", response_model=OfficerRecordPublic,
            responses=_REFUSALS,
            summary="An officer's caseload over time, challenges, instructions, engagement")
def officer_record(la_code: str, officer_id: str, services: ServicesDep,
                   principal: CurrentPrincipal, as_of: AsOf = None,
                   min_position: MinPosition = None) -> Any:
    _may_read(principal, la_code)
    position = fresh(services.projections, ["officers"], min_position)
    with services.projections.db.reading() as tx:
        found = read_officer(tx, la_code, officer_id, as_of or _today())
    if found is None:
        raise NotRecorded(f"no officer {officer_id!r} is recorded in {la_code}")
    services.ledger.record_read(principal, la_code, f"officer_record:{officer_id}")
    return {**found, "position": position}


@router.get("/{la_code}/measures", response_model=MeasuresPublic, responses=_REFUSALS,
            summary="An authority's measures for a period, each with its evidence")
def authority_measures(
    la_code: str, services: ServicesDep, principal: CurrentPrincipal,
    start: Annotated[date | None, Query(alias="from", description="first day (default: a "
                                                                  "year before `to`)")] = None,
    end: Annotated[date | None, Query(alias="to", description="last day (default: today)")]
    = None,
    min_position: MinPosition = None,
) -> Any:
    _may_read(principal, la_code)
    period = period_of(start, end, _today())
    position = fresh(services.projections, None, min_position)
    measures = as_dicts(measures_of(services.projections, la_code, period))
    services.ledger.record_read(principal, la_code, "measures")
    return {"la_code": la_code, "from": period.start, "to": period.end,
            "measures": measures, "position": position}
