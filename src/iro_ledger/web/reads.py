"""What the dashboard's pages read, and the rules they read by.

Pages read the projections only (and the event store for a record's own events). Before a page
is drawn the read models are caught up with the store, on SQLite and on PostgreSQL alike: the
runner locks each model's tracking row, so this is safe beside a running `iro-ledger worker`
(which usually leaves nothing to do). Who may read what follows `application.access.can_read`,
as in the API. Each page an inspector or arbitrator opens is recorded once per authority shown,
as a read of `dashboard:<path>`, so the access log says exactly which page was seen.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from eventsourcing.application import AggregateNotFoundError
from fastapi import Depends, Request

from iro_ledger.application import Principal, Role
from iro_ledger.application.access import can_read
from iro_ledger.domain.authority import Authority
from iro_ledger.domain.errors import NotPermitted
from iro_ledger.domain.record import record_id
from iro_ledger.projections.challenges import REGISTER, with_days
from iro_ledger.projections.flags import FlagQuery, Flags, read_flags
from iro_ledger.projections.rules.flag import Flag
from iro_ledger.wiring import Services


def today() -> date:
    """The day pages count to, as the API does."""
    return datetime.now(UTC).date()


def fresh(request: Request) -> Services:
    """The process's services, with every read model caught up with the store."""
    services: Services = request.app.state.services
    services.projections.refresh()
    return services


Fresh = Annotated[Services, Depends(fresh)]


def may_read(principal: Principal, la_code: str) -> None:
    if not can_read(principal, la_code):
        raise NotPermitted(f"{principal.sub} ({principal.role.value}) may not read the records "
                           f"of {la_code}")


def note_read(services: Services, principal: Principal, la_codes: list[str],
              request: Request) -> None:
    """Record the page as read, once per authority shown (only outsiders' reads are kept)."""
    for la_code in sorted(set(la_codes)):
        services.ledger.record_read(principal, la_code, f"dashboard:{request.url.path}")


def authority_codes(services: Services, principal: Principal) -> list[str]:
    """The authorities whose figures the principal may see, by code."""
    if principal.role in (Role.ADMIN, Role.INSPECTOR):
        rows = services.projections.db.query(
            "SELECT la_code FROM projection_records WHERE kind = ? ORDER BY la_code",
            ("authority",))
        return [str(r["la_code"]) for r in rows]
    return [principal.la_code] if principal.la_code else []


def authority_name(services: Services, la_code: str) -> str | None:
    """The name the authority was registered with, if it was."""
    try:
        found: object = services.ledger.repository.get(
            record_id(Authority.KIND, la_code, la_code))
    except AggregateNotFoundError:
        return None
    return found.name if isinstance(found, Authority) else None


def flags_model(services: Services) -> Flags | None:
    model = services.projections.models.get("flags")
    return model if isinstance(model, Flags) else None


def flags(services: Services, query: FlagQuery, day: date) -> list[Flag] | None:
    """Flags as they stood at the end of `day`, gravest and newest first; None: no flags model."""
    model = flags_model(services)
    if model is None:
        return None
    with services.projections.db.reading() as tx:
        found = read_flags(tx, model.config, query, day)
    return sorted(found, key=lambda f: (-f.severity.rank, -f.raised_on.toordinal(), f.id))


def disputes_before(services: Services, body: str, day: date) -> list[dict[str, Any]]:
    """Every challenge referred to an arbitration body, in any authority."""
    with services.projections.db.reading() as tx:
        docs = REGISTER.select(tx, "arbitration_body = ?", (body,),
                               order="la_code, raised_on, challenge_id")
    return [with_days(d, day) for d in docs]


class Links:
    """Where on the dashboard a stored event can be seen, for evidence links.

    A case's and a challenge's events are on the case timeline, an officer's on the officer
    record; instructions, reports and authorities on the record page, straight from the store.
    Use it outside any open reading (it reads the register, once per authority).
    """

    def __init__(self, services: Services) -> None:
        self._services = services
        self._cases: dict[str, dict[str, str]] = {}

    def case_of(self, la_code: str, challenge_id: str) -> str | None:
        if la_code not in self._cases:
            rows = self._services.projections.db.query(
                f"SELECT challenge_id, case_id FROM {REGISTER.name} WHERE la_code = ?",
                (la_code,))
            self._cases[la_code] = {str(r["challenge_id"]): str(r["case_id"]) for r in rows}
        return self._cases[la_code].get(challenge_id)

    def event(self, la_code: str, kind: str, ref: str, number: int, position: int) -> str:
        base = f"/ui/authorities/{quote(la_code, safe='')}"
        case_id = ref if kind == "case" else (
            self.case_of(la_code, ref) if kind == "challenge" else None)
        if case_id is not None:
            return f"{base}/cases/{quote(case_id, safe='')}#e{position}"
        if kind == "officer":
            return f"{base}/officers/{quote(ref, safe='')}#e{position}"
        return f"{base}/records/{quote(kind, safe='')}/{quote(ref, safe='')}#n{number}"

    def subject(self, la_code: str, key: str, value: str) -> str | None:
        """The page about a flag's subject (`case_id`, `officer_id`, ...), if there is one."""
        base, ref = f"/ui/authorities/{quote(la_code, safe='')}", quote(value, safe="")
        if key == "challenge_id":
            case_id = self.case_of(la_code, value)
            return None if case_id is None else f"{base}/cases/{quote(case_id, safe='')}"
        pages = {"case_id": f"{base}/cases/{ref}", "officer_id": f"{base}/officers/{ref}",
                 "instruction_id": f"{base}/records/instruction/{ref}",
                 "report_id": f"{base}/records/report/{ref}"}
        return pages.get(key)

    def ref(self, ref: dict[str, Any]) -> str:
        """A read model's evidence reference (kind, id, la_code, number, position)."""
        return self.event(ref["la_code"], ref["kind"], ref["id"], ref["number"], ref["position"])
