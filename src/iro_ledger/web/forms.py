"""What can be recorded in the browser, one form per act: the fields a person fills in, and
how the answers become one command of the domain language (`application.commands`).

An IRO records their own acts and what was done to them (a challenge raised, escalated or
withdrawn; an instruction received; a threat or action against them; a concern; a
recommendation); a manager records the authority's answers (a response, a resolution, a
decision). Which fields name the signed-in person (`officer_id`, `issued_to`) is decided here
from the principal, as the API's rules would: an IRO is never asked who they are.

Pure: no request, no store. `web.recording` serves the forms and executes the commands.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from iro_ledger.application import Principal
from iro_ledger.application.access import Role
from iro_ledger.application.commands import (
    CommandBase,
    EscalateChallenge,
    MakeRecommendation,
    RaiseChallenge,
    RecordConcern,
    RecordDecision,
    RecordDisciplinaryAction,
    RecordInstruction,
    ResolveChallenge,
    RespondToChallenge,
    WithdrawChallenge,
)
from iro_ledger.domain.values import (
    ChallengeOutcome,
    ConcernSetting,
    InstructionKind,
)
from iro_ledger.web.present import label

Widget = Literal["text", "id", "textarea", "date", "radios", "yesno"]
YES_NO = (("yes", "Yes"), ("no", "No"), ("", "Not known"))
STAGES = (("stage_1", "Stage 1: the team manager"), ("stage_2", "Stage 2: the service manager"),
          ("stage_3", "Stage 3: the head of service"), ("director", "The director"))


def _choices(values: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(v), label(str(v))) for v in values)


@dataclass(frozen=True)
class Field:
    """One question of a form, and the command field its answer fills."""

    name: str
    label: str
    widget: Widget = "text"
    hint: str = ""
    required: bool = True
    missing: str = ""
    """What the error message says when a required answer is left out."""
    options: tuple[tuple[str, str], ...] = ()
    target: str = ""
    """The command's field, when it is not `name`."""
    convert: Callable[[str], Any] | None = None
    width: str = "govuk-input--width-20"
    question: str = ""
    """The page's heading when the field is asked on a page of its own, if not its label."""

    @property
    def heading(self) -> str:
        return self.question or self.label

    @property
    def command_field(self) -> str:
        return self.target or self.name

    @property
    def anchor(self) -> str:
        """The id an error summary links to: the day of a date, the first of radios."""
        if self.widget == "date":
            return f"{self.name}-day"
        if self.widget in ("radios", "yesno"):
            return f"{self.name}-0"
        return self.name

    def message_if_missing(self) -> str:
        return self.missing or f"Enter {self.label[:1].lower()}{self.label[1:]}"


@dataclass(frozen=True)
class Form:
    slug: str
    title: str
    """What the page asks for, as its heading: 'Raise a challenge'."""
    done: str
    """What the confirmation says: 'Challenge raised'."""
    command: type[CommandBase]
    fields: tuple[Field, ...]
    by: Literal["iro", "manager"]
    lede: str = ""
    about_self: tuple[str, ...] = ()
    """Command fields naming the signed-in IRO (`officer_id`); asked of anyone else."""
    fixed: Mapping[str, Any] = field(default_factory=dict)
    journey: bool = False
    """Asked one question a page, then the answers checked before recording (`web.journey`);
    otherwise every question on one page."""


def _about_challenge(value: str) -> list[str]:
    return [f"challenge:{value}"]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


WHEN = Field("occurred_on", "When did it happen?", "date",
             hint="For example, 27 3 2025. Today unless it happened earlier.",
             missing="Enter the date it happened")
CASE = Field("case_id", "Case", hint="The case's id, as on its timeline.",
             missing="Enter the case's id", question="Which case is it about?")
CHALLENGE = Field("challenge_id", "Challenge", hint="The challenge's reference.",
                  missing="Enter the challenge's reference", question="Which challenge is it?")

FORMS: tuple[Form, ...] = (
    Form("raise-challenge", "Raise a challenge", "Challenge raised", RaiseChallenge, (
        CASE,
        Field("about", "What are you challenging?",
              hint="A decision or recommendation on the case, its care plan, or something else.",
              missing="Say which decision or recommendation you are challenging"),
        Field("grounds", "Your grounds", "textarea", question="What are your grounds?",
              hint="Why the plan or decision does not meet the child's needs.",
              missing="Enter your grounds for the challenge"),
        Field("challenge_id", "Your reference for this challenge", "id",
              hint="Keep it to find the challenge again; change it if you have your own.",
              missing="Enter a reference for the challenge"),
        WHEN), "iro", about_self=("officer_id",), journey=True,
        lede="The informal stage of the dispute resolution protocol, with your grounds."),
    Form("escalate-challenge", "Escalate a challenge", "Challenge escalated", EscalateChallenge, (
        CHALLENGE,
        Field("to_stage", "To which stage?", "radios", options=STAGES,
              missing="Select the stage you are escalating to"),
        Field("addressed_to", "Addressed to", hint="The manager you escalated it to.",
              missing="Enter who you escalated it to", question="Who did you escalate it to?"),
        WHEN), "iro", journey=True),
    Form("withdraw-challenge", "Withdraw a challenge", "Challenge withdrawn", WithdrawChallenge, (
        CHALLENGE,
        Field("reason", "Why are you withdrawing it?", "textarea", required=False,
              hint="Say if you were asked or told to withdraw it."),
        WHEN), "iro", journey=True),
    Form("instruction", "Record an instruction you received", "Instruction recorded",
         RecordInstruction, (
             Field("kind", "What were you told to do?", "radios",
                   options=_choices(InstructionKind),
                   missing="Select what you were told to do"),
             Field("actor", "Who gave it?", hint="Their name or id, for example tm.costa.",
                   missing="Enter who gave you the instruction"),
             Field("text", "What it said", "textarea", required=False,
                   hint="In the words used, if you can.", question="What did it say?"),
             Field("instruction_id", "Your reference for this instruction", "id",
                   missing="Enter a reference for the instruction"),
             WHEN), "iro", about_self=("issued_to",), journey=True,
         lede="An instruction from a manager about how you do your work, as you received it."),
    Form("threat", "Record a threat or action against you", "Threat or action recorded",
         RecordDisciplinaryAction, (
             Field("stage", "What happened?", "radios", options=(
                 ("threatened", "I was threatened with disciplinary action"),
                 ("started", "Disciplinary action was started against me"),
                 ("concluded", "Disciplinary action against me was concluded")),
                 missing="Select what happened"),
             Field("stated_reason", "The reason you were given", "textarea", required=False,
                   question="What reason were you given?"),
             Field("about_challenge", "The challenge it followed (if any)", required=False,
                   target="about", convert=_about_challenge,
                   hint="The reference of a challenge you raised.",
                   question="Which challenge did it follow?"),
             WHEN), "iro", about_self=("officer_id",), journey=True),
    Form("concern", "Record a concern", "Concern recorded", RecordConcern, (
        Field("summary", "Your concern", "textarea", missing="Enter your concern",
              question="What is your concern?"),
        Field("raised_in", "Where did you raise it?", "radios",
              options=_choices(ConcernSetting), missing="Select where you raised it"),
        Field("raised_with", "Who did you raise it with?", required=False),
        Field("case_id", "Case (if it is about one)", required=False,
              question="Which case is it about?"),
        Field("concern_id", "Your reference for this concern", "id",
              missing="Enter a reference for the concern"),
        WHEN), "iro", about_self=("officer_id",), journey=True,
        lede="A concern you raised outside the dispute resolution protocol: in review minutes, "
             "an email, a meeting or supervision."),
    Form("recommendation", "Make a recommendation", "Recommendation recorded",
         MakeRecommendation, (
             CASE,
             Field("text", "Your recommendation", "textarea",
                   missing="Enter your recommendation", question="What do you recommend?"),
             Field("due_on", "When is it due?", "date", hint="For example, 30 6 2025.",
                   missing="Enter the date it is due"),
             Field("recommendation_id", "Your reference for this recommendation", "id",
                   missing="Enter a reference for the recommendation"),
             WHEN), "iro", journey=True),
    Form("respond", "Respond to a challenge", "Response recorded", RespondToChallenge, (
        CHALLENGE,
        Field("response", "The authority's response", "textarea",
              missing="Enter the authority's response"),
        WHEN), "manager"),
    Form("resolve", "Record a challenge's resolution", "Resolution recorded", ResolveChallenge, (
        CHALLENGE,
        Field("outcome", "What was the outcome?", "radios", options=_choices(ChallengeOutcome),
              missing="Select the outcome"),
        WHEN), "manager"),
    Form("decision", "Record a decision", "Decision recorded", RecordDecision, (
        CASE,
        Field("kind", "What kind of decision?", hint="For example: placement, contact, education.",
              missing="Enter the kind of decision"),
        Field("summary", "What was decided", "textarea", required=False),
        Field("iro_consulted", "Was the IRO consulted?", "yesno", required=False,
              options=YES_NO, convert=_yes_no),
        Field("child_consulted", "Was the child consulted?", "yesno", required=False,
              options=YES_NO, convert=_yes_no),
        Field("decision_id", "Reference for this decision", "id",
              missing="Enter a reference for the decision"),
        WHEN), "manager"),
)
BY_SLUG = {form.slug: form for form in FORMS}
ID_PREFIX = {"challenge_id": "ch", "instruction_id": "ins", "concern_id": "con",
             "recommendation_id": "rec", "decision_id": "dec"}

_IRO_FORMS = {Role.IRO, Role.IRO_MANAGER, Role.ADMIN}
_MANAGER_FORMS = {Role.LA_MANAGER, Role.IRO_MANAGER, Role.ADMIN}


def offered(principal: Principal) -> list[Form]:
    """The forms of acts the principal's role records (the ledger still decides)."""
    return [form for form in FORMS
            if principal.role in (_IRO_FORMS if form.by == "iro" else _MANAGER_FORMS)]


def asked(form: Form, principal: Principal) -> tuple[Field, ...]:
    """The fields shown: the form's own, and the authority and person where the principal
    does not name them (an admin's)."""
    extra: list[Field] = []
    if principal.la_code is None:
        extra.append(Field("la_code", "Authority", hint="Its code, for example EMR.",
                           missing="Enter the authority's code", width="govuk-input--width-5",
                           question="Which authority is it?"))
    if principal.role is not Role.IRO:
        for name in form.about_self:
            several = name == "issued_to"
            extra.append(Field(name, "IRO", hint="The IRO's officer id" + (
                "; several separated by commas." if several else "."),
                missing="Enter the IRO's officer id", convert=_list if several else None,
                question="Which IROs was it given to?" if several else "Which IRO is it for?"))
    return (*extra, *form.fields)


def fresh_values(form: Form, today: date, given: Mapping[str, str]) -> dict[str, str]:
    """A new form's answers: a new reference for a new record, today's date, and whatever
    the link that opened it named (`?case_id=...`)."""
    values = {key: value for key, value in given.items() if isinstance(value, str)}
    for one in form.fields:
        if one.widget == "id" and not values.get(one.name):
            values[one.name] = f"{ID_PREFIX.get(one.name, 'ref')}-{secrets.token_hex(3)}"
        if one.name == "occurred_on":
            values.setdefault(f"{one.name}-day", str(today.day))
            values.setdefault(f"{one.name}-month", str(today.month))
            values.setdefault(f"{one.name}-year", str(today.year))
    return values


def _date(one: Field, answers: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(ISO day, None) from a GOV.UK date input's three boxes, or (None, what is wrong)."""
    parts = [answers.get(f"{one.name}-{p}", "").strip() for p in ("day", "month", "year")]
    if not any(parts):
        return None, one.message_if_missing() if one.required else None
    names = ("a day", "a month", "a year")
    missing = [n for n, p in zip(names, parts, strict=True) if not p]
    if missing:
        return None, f"{one.label.rstrip('?')} must include {' and '.join(missing)}"
    try:
        day, month, year = (int(p) for p in parts)
        if year < 1000:
            raise ValueError
        return date(year, month, day).isoformat(), None
    except ValueError:
        return None, f"{one.label.rstrip('?')} must be a real date"


def command_data(form: Form, principal: Principal, answers: Mapping[str, str]
                 ) -> tuple[dict[str, Any], dict[str, str]]:
    """The command's fields from the form's answers, and the message for each field answered
    wrongly or left out (by the field's name)."""
    data: dict[str, Any] = {"command": form.command.command_name(), **form.fixed}
    errors: dict[str, str] = {}
    if principal.la_code is not None:
        data["la_code"] = principal.la_code
    if principal.role is Role.IRO:
        for name in form.about_self:
            data[name] = [principal.sub] if name == "issued_to" else principal.sub
    for one in asked(form, principal):
        if one.widget == "date":
            value, problem = _date(one, answers)
        else:
            text = answers.get(one.name, "").strip()
            value, problem = (text or None), None
            if value is None and one.required:
                problem = one.message_if_missing()
        if problem:
            errors[one.name] = problem
        elif value is not None:
            data[one.command_field] = one.convert(value) if one.convert else value
    command_id = answers.get("command_id", "").strip()
    if command_id:
        data["command_id"] = command_id
    return {k: v for k, v in data.items() if v is not None}, errors
