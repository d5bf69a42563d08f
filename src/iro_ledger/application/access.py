"""Who may record what, and read whose records (DESIGN: privacy and access).

A principal belongs to one authority, except inspectors and arbitrators, who write nothing.
Authority data never crosses to another authority's principals. Checks that need the record
itself run after it is loaded: an act that belongs to one person (see `own_act`) is theirs to
record, whatever `actor` the client names; `check_owner` keeps IROs to their own challenges.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from iro_ledger.application.commands import CommandBase
from iro_ledger.domain.errors import NotPermitted
from iro_ledger.domain.values import ALL_IROS


class Role(StrEnum):
    IRO = "iro"
    IRO_MANAGER = "iro_manager"
    LA_MANAGER = "la_manager"
    INSPECTOR = "inspector"
    ARBITRATOR = "arbitrator"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    sub: str
    """The authenticated subject; for an IRO, their officer_id."""
    role: Role
    la_code: str | None = None
    """The principal's authority; None for admins, inspectors and arbitrators."""
    body: str | None = None
    """For an arbitrator, the arbitration body whose referrals they may see."""


_IRO_COMMANDS = frozenset({
    "raise_challenge", "escalate_challenge", "withdraw_challenge", "refer_to_cafcass",
    "record_cafcass_outcome", "request_arbitration", "make_recommendation", "hold_review",
    "record_decision", "revise_care_plan", "record_instruction", "record_disciplinary_action",
    "end_engagement", "correct_record", "record_concern", "require_review", "record_legal_step",
})
_LA_MANAGER_COMMANDS = frozenset({
    "register_officer", "end_engagement", "record_disciplinary_action", "open_case",
    "assign_iro", "revise_care_plan", "record_decision", "close_case",
    "record_recommendation_outcome", "respond_to_challenge", "resolve_challenge",
    "record_instruction", "rescind_instruction", "draft_annual_report", "request_report_edit",
    "revise_annual_report", "submit_annual_report", "withhold_annual_report", "correct_record",
    "record_fte", "record_short_breaks", "record_legal_step", "record_data_quality",
    "record_source_period",
})
_IRO_MANAGER_COMMANDS = (_IRO_COMMANDS | _LA_MANAGER_COMMANDS) - {"register_authority"}
_ALLOWED: dict[Role, frozenset[str]] = {
    Role.IRO: _IRO_COMMANDS,
    Role.IRO_MANAGER: _IRO_MANAGER_COMMANDS,
    Role.LA_MANAGER: _LA_MANAGER_COMMANDS,
    Role.INSPECTOR: frozenset(),
    Role.ARBITRATOR: frozenset(),
}
_ABOUT_ONESELF = {"raise_challenge", "record_disciplinary_action", "end_engagement",
                  "record_concern", "require_review"}
RECORDS_ON_BEHALF = frozenset({Role.ADMIN})
"""Roles that may record one person's own act for them: the CLI's local operator and an admin
ingesting a historical batch. Never a manager: the acts are the IRO's protection from management."""


def authorise(principal: Principal, command: CommandBase) -> None:
    """Refuse a command the principal's role or authority does not allow."""
    name = command.command_name()
    if principal.role is Role.ADMIN:
        return
    if name not in _ALLOWED[principal.role]:
        raise NotPermitted(f"a principal with role {principal.role} may not {name}")
    if principal.la_code != command.la_code:
        raise NotPermitted(
            f"{principal.sub} belongs to {principal.la_code}, not {command.la_code}")
    if principal.role is Role.IRO:
        _check_iro_speaks_for_themselves(principal, command)


def _check_iro_speaks_for_themselves(principal: Principal, command: CommandBase) -> None:
    name = command.command_name()
    if name in _ABOUT_ONESELF and getattr(command, "officer_id", None) != principal.sub:
        raise NotPermitted(f"an IRO may {name} only as themselves ({principal.sub})")
    if name == "record_instruction":
        issued_to = getattr(command, "issued_to", [])
        if principal.sub not in issued_to and ALL_IROS not in issued_to:
            raise NotPermitted("an IRO records instructions they received")


def own_act(principal: Principal, person: str, what: str) -> str | None:
    """Who the record says it was recorded for: None when `person` records their own act;
    `person` when a role in RECORDS_ON_BEHALF records it for them; anyone else is refused."""
    if principal.sub == person:
        return None
    if principal.role in RECORDS_ON_BEHALF:
        return person
    raise NotPermitted(
        f"only {person} may {what}; {principal.sub} ({principal.role}) may not record it "
        f"on their behalf")


def check_owner(principal: Principal, officer_id: str, what: str) -> None:
    """An IRO acts only on challenges they raised; managers and admins are not limited."""
    if principal.role is Role.IRO and principal.sub != officer_id:
        raise NotPermitted(f"{what} was raised by {officer_id}, not {principal.sub}")


def can_read(principal: Principal, la_code: str, arbitration_body: str | None = None) -> bool:
    """Whether the principal may read a record of `la_code`.

    `arbitration_body` is the body a challenge is referred to, for the arbitrator's check;
    arbitrators see nothing else.
    """
    if principal.role in (Role.ADMIN, Role.INSPECTOR):
        return True
    if principal.role is Role.ARBITRATOR:
        return arbitration_body is not None and arbitration_body == principal.body
    return principal.la_code == la_code


def reads_are_recorded(principal: Principal) -> bool:
    return principal.role in (Role.INSPECTOR, Role.ARBITRATOR)
