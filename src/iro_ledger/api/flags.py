"""Reads of the flags: `GET /flags` (filtered, paginated, as of a day) and `GET /flags/{id}`.

Who may read follows `application.access.can_read`: a principal's own authority, inspectors
and admins anywhere; arbitrators see only disputes referred to them, so no flags. Inspectors'
reads are recorded. `min_position` (a command's answered `position`) makes the read wait until
the flags have applied that write (read-your-writes): up to 5 s, then 503.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from iro_ledger.api.deps import CurrentPrincipal, ServicesDep
from iro_ledger.api.errors import NotReady
from iro_ledger.api.schemas import problem_responses
from iro_ledger.application import Principal
from iro_ledger.application.access import Role, can_read
from iro_ledger.domain.errors import InvalidValue, NotPermitted, NotRecorded
from iro_ledger.projections.flags import FlagQuery, Flags, read_flags
from iro_ledger.projections.rules.engine import RULE_NAMES
from iro_ledger.projections.runner import Projections
from iro_ledger.wiring import Services

WAIT_SECONDS = 5.0
_REFUSALS = problem_responses(401, 403, 404, 422, 503)
router = APIRouter(prefix="/flags", tags=["flags"])

Severity = Literal["info", "warning", "high", "critical"]
Status = Literal["open", "cleared", "withdrawn"]


class EvidencePublic(BaseModel):
    kind: str
    id: str
    event_number: int = Field(description="the event's number within its record")
    position: int = Field(description="the event's position in the whole store")
    event_type: str
    occurred_on: date


class HistoryPublic(BaseModel):
    action: Literal["raised", "cleared", "withdrawn"] = Field(
        description="raised (again), cleared, or withdrawn (a later record showed it never "
                    "applied)")
    on: date
    event: EvidencePublic | None = Field(description="the event that did it; null when a "
                                                     "deadline passing raised it")
    note: str


class FlagPublic(BaseModel):
    id: str = Field(description="stable: the same events give the same id on every rebuild")
    rule: str
    severity: Severity
    la_code: str
    subjects: dict[str, str] = Field(description="officer_id, case_id, challenge_id, "
                                                 "instruction_id, report_id, as apply")
    raised_on: date
    status: Status
    cleared_on: date | None
    history: list[HistoryPublic]
    evidence: list[EvidencePublic]
    explanation: str
    basis: str
    details: dict[str, Any]


class FlagsPublic(BaseModel):
    as_of: date
    total: int
    limit: int
    offset: int
    items: list[FlagPublic]
    position: int = Field(description="the store position the flags had reached")


def _today() -> date:
    return datetime.now(UTC).date()


def _model(services: Services) -> Flags:
    model = services.projections.models.get("flags")
    if not isinstance(model, Flags):
        raise NotReady("the flags read model is not running in this service")
    return model


def _fresh(projections: Projections, min_position: int | None) -> int:
    if min_position is not None and min_position > projections.ledger.position():
        raise InvalidValue("min_position", f"nothing is stored at position {min_position} yet")
    if projections.db.dialect == "sqlite":
        projections.refresh(["flags"])
    elif min_position is not None and not projections.wait_for(min_position, ["flags"],
                                                               WAIT_SECONDS):
        raise NotReady(f"the flags have not reached position {min_position} within "
                       f"{WAIT_SECONDS:g} s; is `iro-ledger worker` running? Try again")
    return projections.positions(["flags"])["flags"]


def _authorities(principal: Principal, la_code: str | None) -> list[str] | None:
    """The authorities whose flags the principal may read (None: all of them)."""
    if principal.role is Role.ARBITRATOR:
        raise NotPermitted("an arbitrator sees only the disputes referred to their body")
    if la_code is not None:
        if not can_read(principal, la_code):
            raise NotPermitted(f"{principal.sub} may not read the records of {la_code}")
        return [la_code]
    if principal.role in (Role.ADMIN, Role.INSPECTOR):
        return None
    return [principal.la_code] if principal.la_code else []


MinPosition = Annotated[int | None, Query(
    ge=0, description="wait until the flags have applied this store position (the `position` "
                      "a command answered), at most 5 s, else 503")]
AsOf = Annotated[date | None, Query(description="the flags as they stood at the end of this "
                                                "day; deadlines judged on it (default: today)")]


@router.get("", response_model=FlagsPublic, responses=_REFUSALS,
            summary="Flags of compromised independence, each with its evidence")
def list_flags(
    services: ServicesDep, principal: CurrentPrincipal,
    la_code: str | None = None,
    rule: Annotated[str | None, Query(description=f"one of {', '.join(RULE_NAMES)}")] = None,
    severity: Severity | None = None, status: Status | None = None,
    officer_id: str | None = None, case_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[int, Query(ge=0)] = 0,
    as_of: AsOf = None, min_position: MinPosition = None,
) -> Any:
    if rule is not None and rule not in RULE_NAMES:
        raise InvalidValue("rule", f"{rule!r} is not one of {', '.join(RULE_NAMES)}")
    authorities = _authorities(principal, la_code)
    model = _model(services)
    position = _fresh(services.projections, min_position)
    day = as_of or _today()
    query = FlagQuery(authorities, rule, severity, status, officer_id, case_id)
    with services.projections.db.reading() as tx:
        found = read_flags(tx, model.config, query, day)
    page = found[offset:offset + limit]
    for la in sorted({f.la_code for f in page} | set(authorities or [])):
        services.ledger.record_read(principal, la, "flags")
    return {"as_of": day, "total": len(found), "limit": limit, "offset": offset,
            "items": [f.public() for f in page], "position": position}


@router.get("/{flag_id}", response_model=FlagPublic, responses=_REFUSALS,
            summary="One flag with its history, evidence and explanation")
def read_flag(flag_id: str, services: ServicesDep, principal: CurrentPrincipal,
              as_of: AsOf = None, min_position: MinPosition = None) -> Any:
    authorities = _authorities(principal, None)
    model = _model(services)
    _fresh(services.projections, min_position)
    query = FlagQuery(authorities, flag_id=flag_id)
    with services.projections.db.reading() as tx:
        found = read_flags(tx, model.config, query, as_of or _today())
    if not found:
        raise NotRecorded(f"no flag {flag_id!r} (as of {as_of or _today()}) among the "
                          "authorities you may read")
    services.ledger.record_read(principal, found[0].la_code, f"flag:{flag_id}")
    return found[0].public()
