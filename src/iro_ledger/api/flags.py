"""Reads of the flags: `GET /flags` (filtered, paginated, as of a day) and `GET /flags/{id}`.

Everything but HTTP is the read service's (`reads.Reader`): who may read (a principal's own
authority, inspectors and admins anywhere; arbitrators see only disputes referred to them, so
no flags), freshness (the flags are caught up with the store first, so `min_position`, a
command's answered `position`, is always applied), England's today and recording inspectors'
reads.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from iro_ledger.api.deps import CurrentPrincipal, ServicesDep
from iro_ledger.api.params import AsOf, MinPosition, Offset
from iro_ledger.api.schemas import problem_responses
from iro_ledger.reads.words import RULE_NAMES, FlagAction, FlagStatus, Severity

_REFUSALS = problem_responses(401, 403, 404, 422, 503)
router = APIRouter(prefix="/flags", tags=["flags"])


class EvidencePublic(BaseModel):
    kind: str
    id: str
    event_number: int = Field(description="the event's number within its record")
    position: int = Field(description="the event's position in the whole store")
    event_type: str
    occurred_on: date


class HistoryPublic(BaseModel):
    action: FlagAction = Field(
        description="raised (again), cleared, or withdrawn (a later record showed it never "
                    "applied)")
    on: date
    event: EvidencePublic | None = Field(description="the event that did it; null when a "
                                                     "deadline passing raised it")
    note: str


class LateRecordPublic(EvidencePublic):
    """The record that withdrew a flag: a late one, dated before it was recorded."""

    recorded_at: str
    recorded_by: str
    actor: str
    on_behalf_of: str | None
    days_late: int = Field(description="days from occurred_on to the day it was recorded")


class FlagPublic(BaseModel):
    id: str = Field(description="stable: the same events give the same id on every rebuild")
    rule: str
    severity: Severity
    la_code: str
    subjects: dict[str, str] = Field(description="officer_id, case_id, challenge_id, "
                                                 "instruction_id, report_id, as apply")
    raised_on: date
    status: FlagStatus
    cleared_on: date | None
    history: list[HistoryPublic]
    evidence: list[EvidencePublic]
    explanation: str
    basis: str
    details: dict[str, Any]
    withdrawn_by: LateRecordPublic | None = Field(
        description="when the flag stands withdrawn, the late record that showed it never "
                    "applied, with when it was recorded and how late")


class FlagsPublic(BaseModel):
    as_of: date
    total: int
    limit: int
    offset: int
    items: list[FlagPublic]
    position: int = Field(description="the store position the flags had reached")
    next: str | None = Field(
        None, description="the cursor of the next page: pass it as `after` (null on the last "
                          "page); a cursor pages by keys, so pages do not shift as flags are "
                          "raised")




@router.get("", response_model=FlagsPublic, responses=_REFUSALS,
            summary="Flags of compromised independence, each with its evidence")
def list_flags(
    services: ServicesDep, principal: CurrentPrincipal,
    la_code: str | None = None,
    rule: Annotated[str | None, Query(description=f"one of {', '.join(RULE_NAMES)}")] = None,
    severity: Severity | None = None,
    status: Annotated[FlagStatus | None, Query(
        description="open, cleared or withdrawn; withdrawn flags (a late record showed they "
                    "never applied) are listed only when asked for, each with that record")]
    = None,
    officer_id: str | None = None, case_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Offset = 0,
    after: Annotated[str | None, Query(
        max_length=2000, description="the `next` cursor of the page before (instead of "
                                     "`offset`)")] = None,
    as_of: AsOf = None, min_position: MinPosition = None,
) -> Any:
    with services.reads.by(principal, "api") as reader:
        found = reader.flags(la_code, rule, severity, status, officer_id, case_id, as_of,
                             min_position, limit, offset, after=after)
    return {"as_of": found.as_of, "total": found.total, "limit": limit, "offset": offset,
            "items": found.public(), "position": found.position, "next": found.next}


@router.get("/{flag_id}", response_model=FlagPublic, responses=_REFUSALS,
            summary="One flag with its history, evidence and explanation")
def read_flag(flag_id: str, services: ServicesDep, principal: CurrentPrincipal,
              as_of: AsOf = None, min_position: MinPosition = None) -> Any:
    with services.reads.by(principal, "api") as reader:
        return reader.flag(flag_id, as_of, min_position).public()
