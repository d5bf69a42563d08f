"""The domain language's commands as pydantic models: one definition for API, CLI and batch files.

Every command carries `la_code` (ids are unique only within an authority), `occurred_on`,
optionally `actor` (defaults to the recorder) and `command_id` (idempotency key). The server
adds `recorded_at`, `recorded_by` and `source`. Unknown fields are refused so a misspelt field
in a batch file is an error, not silently dropped data. Every text, and `details`, is checked
against the limits of `domain.limits` before anything is stored, so a record stays readable.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from iro_ledger.domain.limits import TEXT_MAX_CHARS, check_details, check_text, iso_day
from iro_ledger.domain.values import (
    AssignmentReason,
    ChallengeOutcome,
    ChildParticipation,
    ConcernSetting,
    DisciplinaryStage,
    Employment,
    EngagementEnd,
    InstructionKind,
    LegalStep,
    LegalStepTaker,
    OfficerRole,
    PlanChange,
    RecommendationOutcome,
    ReportRecipient,
)

ClientId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[^/\s][^/]*$")]
"""The id a client gives a record (case_id, officer_id, ...): unique within its authority."""
Text = Annotated[str, Field(max_length=TEXT_MAX_CHARS)]
Day = Annotated[date, BeforeValidator(iso_day), Field(
    json_schema_extra={"format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})]
"""A day, strictly `YYYY-MM-DD` everywhere (commands, batch lines, query parameters)."""
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
EscalationStage = Literal["stage_1", "stage_2", "stage_3", "director"]
RecordKind = Literal["authority", "officer", "case", "challenge", "instruction", "report",
                     "concern"]
Link = Annotated[str, Field(max_length=140,
                            pattern=r"^(challenge|concern|report|case):[^/\s][^/]*$",
                            description="kind:id of a challenge, concern, report or case")]
Links = Annotated[list[Link], Field(max_length=20)]
Fte = Annotated[float, Field(gt=0, le=1, description="share of a full-time post, 1.0 full time")]
Miles = Annotated[int, Field(ge=0, le=10_000)]


class CommandBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)

    KIND: ClassVar[str] = ""
    """The kind of record the command writes to."""
    ID_FIELD: ClassVar[str] = ""
    """The field naming that record."""

    la_code: ClientId
    occurred_on: Day
    actor: ClientId | None = None
    command_id: Annotated[str, Field(min_length=1, max_length=128)] | None = None

    @field_validator("*", mode="after")
    @classmethod
    def _readable(cls, value: Any) -> Any:
        """Refuse what some reader could not serialise (see `domain.limits`)."""
        if isinstance(value, str):
            return check_text(value)
        if isinstance(value, list):
            return [check_text(v) if isinstance(v, str) else v for v in value]
        if isinstance(value, dict):
            return check_details(value)
        return value

    @classmethod
    def command_name(cls) -> str:
        return _command_name(cls)

    def target(self) -> tuple[str, str]:
        """(kind, id) of the record this command writes to."""
        return self.KIND, str(getattr(self, self.ID_FIELD))


@cache
def _command_name(model: type[CommandBase]) -> str:
    """A command class's name, looked up once (authorising and answering each command ask)."""
    return str(model.model_fields["command"].default)


class RegisterAuthority(CommandBase):
    KIND, ID_FIELD = "authority", "la_code"
    command: Literal["register_authority"] = "register_authority"
    name: Annotated[str, Field(min_length=1, max_length=200)]


DATA_QUALITY_MAX_ROWS = 20_000
"""Findings one `record_data_quality` holds: an import with more sends several."""


class RecordDataQuality(CommandBase):
    """Data-quality findings about the authority's data from one import: kept apart from
    independence flags (no rule sees them; docs/ssda903.md lists the kinds)."""

    KIND, ID_FIELD = "authority", "la_code"
    command: Literal["record_data_quality"] = "record_data_quality"
    dataset: Literal["ssda903"]
    counts: Annotated[dict[Annotated[str, Field(pattern=r"^[a-z_]{1,40}$")],
                           Annotated[int, Field(ge=1)]], Field(min_length=1, max_length=40)]
    rows: Annotated[list[Annotated[str, Field(max_length=200)]],
                    Field(max_length=DATA_QUALITY_MAX_ROWS)] = Field(default_factory=list)
    """Each finding as `KIND FILE:LINE`."""


class RecordSourcePeriod(CommandBase):
    """What an imported source covers: records made from it show nothing after `ends_on`."""

    KIND, ID_FIELD = "authority", "la_code"
    command: Literal["record_source_period"] = "record_source_period"
    dataset: Literal["ssda903"]
    begins_on: Day
    ends_on: Day


class RegisterOfficer(CommandBase):
    KIND, ID_FIELD = "officer", "officer_id"
    command: Literal["register_officer"] = "register_officer"
    officer_id: ClientId
    role: OfficerRole
    employment: Employment
    fte: Fte | None = None


class RecordFte(CommandBase):
    KIND, ID_FIELD = "officer", "officer_id"
    command: Literal["record_fte"] = "record_fte"
    officer_id: ClientId
    fte: Fte
    reason: Text = ""


class EndEngagement(CommandBase):
    KIND, ID_FIELD = "officer", "officer_id"
    command: Literal["end_engagement"] = "end_engagement"
    officer_id: ClientId
    how: EngagementEnd
    reason: Text = ""
    about: Links = Field(default_factory=list)


class RecordDisciplinaryAction(CommandBase):
    KIND, ID_FIELD = "officer", "officer_id"
    command: Literal["record_disciplinary_action"] = "record_disciplinary_action"
    officer_id: ClientId
    stage: DisciplinaryStage
    stated_reason: Text = ""
    about: Links = Field(default_factory=list)


class OpenCase(CommandBase):
    KIND, ID_FIELD = "case", "case_id"
    command: Literal["open_case"] = "open_case"
    case_id: ClientId
    child_ref: ClientId
    legal_status: Annotated[str, Field(min_length=1, max_length=64)]
    entered_care_on: Day
    short_breaks: bool = False


class RecordShortBreaks(CommandBase):
    KIND, ID_FIELD = "case", "case_id"
    command: Literal["record_short_breaks"] = "record_short_breaks"
    case_id: ClientId
    short_breaks: bool


class AssignIro(CommandBase):
    KIND, ID_FIELD = "case", "case_id"
    command: Literal["assign_iro"] = "assign_iro"
    case_id: ClientId
    officer_id: ClientId
    reason: AssignmentReason


class ReviseCarePlan(CommandBase):
    KIND, ID_FIELD = "case", "case_id"
    command: Literal["revise_care_plan"] = "revise_care_plan"
    case_id: ClientId
    change: PlanChange
    summary: Text = ""
    via_review: bool
    iro_consulted: bool
    emergency: bool = False
    child_consulted: bool | None = None
    distance_miles: Miles | None = None


class HoldReview(CommandBase):
    KIND, ID_FIELD = "case", "case_id"
    command: Literal["hold_review"] = "hold_review"
    case_id: ClientId
    chaired_by: ClientId
    child_participation: ChildParticipation
    child_seen_before: bool


class RequireReview(CommandBase):
    KIND, ID_FIELD = "case", "case_id"
    command: Literal["require_review"] = "require_review"
    case_id: ClientId
    officer_id: ClientId
    reason: Annotated[str, Field(min_length=1, max_length=20_000)]
    hold_by: Day


class MakeRecommendation(CommandBase):
    KIND, ID_FIELD = "case", "case_id"
    command: Literal["make_recommendation"] = "make_recommendation"
    case_id: ClientId
    recommendation_id: ClientId
    text: Text
    due_on: Day
    repeats: ClientId | None = None


class RecordRecommendationOutcome(CommandBase):
    KIND, ID_FIELD = "case", "case_id"
    command: Literal["record_recommendation_outcome"] = "record_recommendation_outcome"
    case_id: ClientId
    recommendation_id: ClientId
    outcome: RecommendationOutcome
    reason: Text = ""


class RecordDecision(CommandBase):
    KIND, ID_FIELD = "case", "case_id"
    command: Literal["record_decision"] = "record_decision"
    case_id: ClientId
    decision_id: ClientId
    kind: Annotated[str, Field(min_length=1, max_length=64)]
    summary: Text = ""
    child_consulted: bool | None = None
    iro_consulted: bool | None = None
    parents_consulted: bool | None = None
    distance_miles: Miles | None = None


class CloseCase(CommandBase):
    KIND, ID_FIELD = "case", "case_id"
    command: Literal["close_case"] = "close_case"
    case_id: ClientId
    reason: Text = ""


class EraseCase(CommandBase):
    """Erase a case's personal free text (admins only): destroys the keys it is sealed with.
    The `reason` (e.g. the request's reference) stays readable: no personal data in it."""

    KIND, ID_FIELD = "case", "case_id"
    command: Literal["erase_case"] = "erase_case"
    case_id: ClientId
    reason: Annotated[str, Field(min_length=1, max_length=2_000)]


class RaiseChallenge(CommandBase):
    KIND, ID_FIELD = "challenge", "challenge_id"
    command: Literal["raise_challenge"] = "raise_challenge"
    challenge_id: ClientId
    case_id: ClientId
    officer_id: ClientId
    about: ClientId = Field(description="a decision_id or recommendation_id of the case, "
                                   "'care_plan', 'case_closure' or 'other'")
    grounds: Annotated[str, Field(min_length=1, max_length=20_000)]


class EscalateChallenge(CommandBase):
    KIND, ID_FIELD = "challenge", "challenge_id"
    command: Literal["escalate_challenge"] = "escalate_challenge"
    challenge_id: ClientId
    to_stage: EscalationStage
    addressed_to: ClientId


class RespondToChallenge(CommandBase):
    KIND, ID_FIELD = "challenge", "challenge_id"
    command: Literal["respond_to_challenge"] = "respond_to_challenge"
    challenge_id: ClientId
    response: Text


class ResolveChallenge(CommandBase):
    KIND, ID_FIELD = "challenge", "challenge_id"
    command: Literal["resolve_challenge"] = "resolve_challenge"
    challenge_id: ClientId
    outcome: ChallengeOutcome


class WithdrawChallenge(CommandBase):
    KIND, ID_FIELD = "challenge", "challenge_id"
    command: Literal["withdraw_challenge"] = "withdraw_challenge"
    challenge_id: ClientId
    reason: Text = ""


class ReferToCafcass(CommandBase):
    KIND, ID_FIELD = "challenge", "challenge_id"
    command: Literal["refer_to_cafcass"] = "refer_to_cafcass"
    challenge_id: ClientId


class RecordCafcassOutcome(CommandBase):
    KIND, ID_FIELD = "challenge", "challenge_id"
    command: Literal["record_cafcass_outcome"] = "record_cafcass_outcome"
    challenge_id: ClientId
    outcome: Annotated[str, Field(min_length=1, max_length=200)]
    summary: Text = ""


class RequestArbitration(CommandBase):
    KIND, ID_FIELD = "challenge", "challenge_id"
    command: Literal["request_arbitration"] = "request_arbitration"
    challenge_id: ClientId
    body: Annotated[str, Field(min_length=1, max_length=200)]


class RecordLegalStep(CommandBase):
    KIND, ID_FIELD = "challenge", "challenge_id"
    command: Literal["record_legal_step"] = "record_legal_step"
    challenge_id: ClientId
    step: LegalStep
    taken_by: LegalStepTaker
    summary: Text = ""


class RecordConcern(CommandBase):
    KIND, ID_FIELD = "concern", "concern_id"
    command: Literal["record_concern"] = "record_concern"
    concern_id: ClientId
    officer_id: ClientId
    case_id: ClientId | None = None
    raised_in: ConcernSetting
    raised_with: Annotated[str, Field(max_length=200)] = ""
    summary: Annotated[str, Field(min_length=1, max_length=20_000)]


class RecordInstruction(CommandBase):
    KIND, ID_FIELD = "instruction", "instruction_id"
    command: Literal["record_instruction"] = "record_instruction"
    instruction_id: ClientId
    issued_to: Annotated[list[ClientId], Field(min_length=1)]
    kind: InstructionKind
    text: Text = ""


class RescindInstruction(CommandBase):
    KIND, ID_FIELD = "instruction", "instruction_id"
    command: Literal["rescind_instruction"] = "rescind_instruction"
    instruction_id: ClientId


class DraftAnnualReport(CommandBase):
    KIND, ID_FIELD = "report", "report_id"
    command: Literal["draft_annual_report"] = "draft_annual_report"
    report_id: ClientId
    year: Annotated[int, Field(ge=2000, le=2100)]
    author: ClientId
    content_sha256: Sha256


class RequestReportEdit(CommandBase):
    KIND, ID_FIELD = "report", "report_id"
    command: Literal["request_report_edit"] = "request_report_edit"
    report_id: ClientId
    sections: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]],
                        Field(min_length=1)]


class ReviseAnnualReport(CommandBase):
    KIND, ID_FIELD = "report", "report_id"
    command: Literal["revise_annual_report"] = "revise_annual_report"
    report_id: ClientId
    content_sha256: Sha256


class SubmitAnnualReport(CommandBase):
    KIND, ID_FIELD = "report", "report_id"
    command: Literal["submit_annual_report"] = "submit_annual_report"
    report_id: ClientId
    to: ReportRecipient
    content_sha256: Sha256


class WithholdAnnualReport(CommandBase):
    KIND, ID_FIELD = "report", "report_id"
    command: Literal["withhold_annual_report"] = "withhold_annual_report"
    report_id: ClientId
    reason: Text = ""


class CorrectRecord(CommandBase):
    """Correct a mistaken event by a further event naming it; the original stays visible."""

    ID_FIELD = "record_id"
    command: Literal["correct_record"] = "correct_record"
    kind: RecordKind
    record_id: ClientId
    corrects_event: Annotated[int, Field(ge=1, description="the record's event number")]
    reason: Annotated[str, Field(min_length=1, max_length=20_000)]
    details: dict[str, Any] = Field(default_factory=dict)

    def target(self) -> tuple[str, str]:
        return self.kind, self.record_id


COMMAND_TYPES: tuple[type[CommandBase], ...] = (
    RegisterAuthority, RecordDataQuality, RecordSourcePeriod, RegisterOfficer, RecordFte,
    EndEngagement, RecordDisciplinaryAction,
    OpenCase, RecordShortBreaks, AssignIro, ReviseCarePlan, HoldReview, RequireReview,
    MakeRecommendation, RecordRecommendationOutcome, RecordDecision, CloseCase, EraseCase,
    RaiseChallenge, EscalateChallenge, RespondToChallenge, ResolveChallenge,
    WithdrawChallenge, ReferToCafcass, RecordCafcassOutcome, RequestArbitration,
    RecordLegalStep, RecordConcern, RecordInstruction, RescindInstruction,
    DraftAnnualReport, RequestReportEdit, ReviseAnnualReport, SubmitAnnualReport,
    WithholdAnnualReport, CorrectRecord,
)
COMMANDS: dict[str, type[CommandBase]] = {
    t.command_name(): t for t in COMMAND_TYPES
}



class NotACommand(ValueError):
    """Input that names no command of the language (not an object, no or an unknown name)."""

    def __init__(self, reason: str, command: str = "?") -> None:
        super().__init__(reason)
        self.reason = reason
        self.command = command
        """The command's name, or '?' when the input has none we can read."""


def parse_command(data: Any) -> CommandBase:
    """Validate one command in the batch form `{"command": NAME, ...fields}`.

    The one parser: batch ingest, the importers, the tests and the benchmarks all use it.
    Raises NotACommand when no command is named, pydantic's ValidationError when the named
    command's fields are wrong.
    """
    if not isinstance(data, dict):
        raise NotACommand('not a JSON object; expected {"command": NAME, ...fields}')
    name = data.get("command")
    if not isinstance(name, str):
        raise NotACommand('command: missing; name the command, e.g. "raise_challenge"')
    model = COMMANDS.get(name)
    if model is None:
        raise NotACommand(f"command: unknown command {name!r}", name)
    return model.model_validate(data)


def decode_line(line: str | bytes) -> Any:
    """One JSON line as data; a line that is not JSON is NotACommand."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as bad:
        raise NotACommand(f"not JSON ({bad.msg} at column {bad.colno})") from None


def parse_command_json(line: str | bytes) -> CommandBase:
    """`parse_command` of one JSON line."""
    return parse_command(decode_line(line))
