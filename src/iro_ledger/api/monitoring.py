"""Reads of the monitoring read models: a case's timeline, the challenge register, an officer's
record and an authority's measures, each with references to the events behind it.

Everything but HTTP is the read service's (`reads.Reader`): who may read (a principal's own
authority, inspectors and admins anywhere, an arbitrator only disputes referred to their body),
freshness (the read models are caught up with the store first, so `min_position`, a command's
answered `position`, is always applied), England's today, and recording inspectors' and
arbitrators' reads.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from iro_ledger.api.deps import CurrentPrincipal, ServicesDep
from iro_ledger.api.params import AsOf, From, MinPosition, Offset, To
from iro_ledger.api.schemas import problem_responses
from iro_ledger.reads.words import ChallengeStage, RegisterStatus

_REFUSALS = problem_responses(401, 403, 404, 422, 503)
router = APIRouter(prefix="/authorities", tags=["monitoring"])



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
                                                 "with ref, via, recorded_at, recorded_by, actor, "
                                                 "on_behalf_of and days_late (days from "
                                                 "occurred_on to the day it was recorded)")
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


@router.get("/{la_code}/cases/{case_id}/timeline", response_model=TimelinePublic,
            responses=_REFUSALS, summary="Every event touching a case, in the order it happened")
def case_timeline(la_code: str, case_id: str, services: ServicesDep,
                  principal: CurrentPrincipal, min_position: MinPosition = None) -> Any:
    with services.reads.by(principal, "api") as reader:
        found = reader.timeline(la_code, case_id, min_position)
    return {**found.doc, "position": found.position}


@router.get("/{la_code}/challenges", response_model=RegisterPublic, responses=_REFUSALS,
            summary="The challenge register: stage, days at each stage, outcome, exits")
def challenge_register(
    la_code: str, services: ServicesDep, principal: CurrentPrincipal,
    status: RegisterStatus | None = None, stage: ChallengeStage | None = None,
    officer_id: str | None = None, case_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Offset = 0,
    as_of: AsOf = None, min_position: MinPosition = None,
) -> Any:
    with services.reads.by(principal, "api") as reader:
        found = reader.register(la_code, status, stage, officer_id, case_id, as_of, limit,
                                offset, min_position)
    return {"total": found.total, "limit": limit, "offset": offset,
            "as_of": found.as_of.isoformat(), "items": found.items, "position": found.position}


@router.get("/{la_code}/officers/{officer_id}/record", response_model=OfficerRecordPublic,
            responses=_REFUSALS,
            summary="An officer's caseload over time, challenges, instructions, engagement")
def officer_record(la_code: str, officer_id: str, services: ServicesDep,
                   principal: CurrentPrincipal, as_of: AsOf = None,
                   min_position: MinPosition = None) -> Any:
    with services.reads.by(principal, "api") as reader:
        found = reader.officer(la_code, officer_id, as_of, min_position)
    return {**found.doc, "position": found.position}


@router.get("/{la_code}/measures", response_model=MeasuresPublic, responses=_REFUSALS,
            summary="An authority's measures for a period, each with its evidence")
def authority_measures(
    la_code: str, services: ServicesDep, principal: CurrentPrincipal,
    start: From = None, end: To = None,
    min_position: MinPosition = None,
) -> Any:
    with services.reads.by(principal, "api") as reader:
        found = reader.measures(la_code, start, end, min_position)
    return {"la_code": la_code, "from": found.period.start, "to": found.period.end,
            "measures": found.measures, "position": found.position}
