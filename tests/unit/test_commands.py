"""The domain language as commands: one spelling for API, CLI and batch files."""

from __future__ import annotations

import json
from enum import Enum
from typing import Literal, get_origin

import pytest
from pydantic import ValidationError

from iro_ledger.application.commands import (
    COMMAND_TYPES,
    COMMANDS,
    CommandBase,
    NotACommand,
    parse_command,
    parse_command_json,
)
from iro_ledger.application.handlers import handle
from tests.builders import EXAMPLES, batch_line

ENUM_FIELDS: dict[str, list[str]] = {
    "record_data_quality": ["dataset"],
    "record_source_period": ["dataset"],
    "register_officer": ["role", "employment"],
    "end_engagement": ["how"],
    "record_disciplinary_action": ["stage"],
    "assign_iro": ["reason"],
    "revise_care_plan": ["change"],
    "hold_review": ["child_participation"],
    "record_recommendation_outcome": ["outcome"],
    "escalate_challenge": ["to_stage"],
    "resolve_challenge": ["outcome"],
    "record_legal_step": ["step", "taken_by"],
    "record_concern": ["raised_in"],
    "record_instruction": ["kind"],
    "submit_annual_report": ["to"],
    "correct_record": ["kind"],
}
"""Every closed vocabulary in a command; a value outside it is refused naming the field."""


def closed_vocabularies(model: type[CommandBase]) -> list[str]:
    return [name for name, info in model.model_fields.items() if name != "command" and (
        get_origin(info.annotation) is Literal
        or (isinstance(info.annotation, type) and issubclass(info.annotation, Enum)))]




def refused_fields(refusal: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {str(part) for error in refusal.value.errors() for part in error["loc"]}


def test_the_language_keeps_the_spellings_of_the_design() -> None:
    assert set(COMMANDS) == set(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_command_parses_from_its_batch_form(name: str) -> None:
    command = parse_command(batch_line(name, command_id="k-1"))

    assert type(command) is COMMANDS[name]
    assert command.command_name() == name
    assert (command.la_code, command.occurred_on.isoformat(), command.command_id) == (
        "FX1", "2024-06-03", "k-1")


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_command_parses_from_a_json_line(name: str) -> None:
    assert parse_command_json(json.dumps(batch_line(name))) == parse_command(batch_line(name))


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_command_names_the_record_it_writes_to(name: str) -> None:
    kind, ref = parse_command(batch_line(name)).target()

    assert kind in {"authority", "officer", "case", "challenge", "instruction", "report",
                    "concern"}
    assert ref in {"FX1", "iro-kit", "case-7", "ch-1", "ins-1", "rep-2024", "con-1"}


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_command_refuses_an_unknown_field(name: str) -> None:
    with pytest.raises(ValidationError) as refusal:
        parse_command(batch_line(name, colour="blue"))

    assert "colour" in refused_fields(refusal)
    assert {e["type"] for e in refusal.value.errors()} == {"extra_forbidden"}


def test_every_closed_vocabulary_of_a_command_is_listed_here() -> None:
    found = {name: closed_vocabularies(model) for name, model in COMMANDS.items()}

    assert {name: fields for name, fields in found.items() if fields} == ENUM_FIELDS


@pytest.mark.parametrize(("name", "field"), [
    (name, field) for name, fields in ENUM_FIELDS.items() for field in fields])
def test_a_value_outside_a_closed_vocabulary_is_refused_naming_the_field(
        name: str, field: str) -> None:
    with pytest.raises(ValidationError) as refusal:
        parse_command(batch_line(name, **{field: "not_in_the_language"}))

    assert field in refused_fields(refusal)


def test_escalation_cannot_name_the_informal_stage() -> None:
    with pytest.raises(ValidationError) as refusal:
        parse_command(batch_line("escalate_challenge", to_stage="informal"))
    assert "to_stage" in refused_fields(refusal)


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_command_needs_the_day_it_happened(name: str) -> None:
    line = batch_line(name)
    del line["occurred_on"]

    with pytest.raises(ValidationError) as refusal:
        parse_command(line)
    assert "occurred_on" in refused_fields(refusal)


@pytest.mark.parametrize("bad", ["", "a/b", " leading-space", "x" * 129])
def test_a_malformed_client_id_is_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(ValidationError) as refusal:
        parse_command(batch_line("open_case", case_id=bad))
    assert "case_id" in refused_fields(refusal)


def test_an_unknown_command_is_refused_by_name() -> None:
    with pytest.raises(NotACommand, match="unknown command 'delete_challenge'"):
        parse_command({"command": "delete_challenge", "la_code": "FX1",
                       "occurred_on": "2024-06-03", "challenge_id": "ch-1"})


@pytest.mark.parametrize("name", [n for n in EXAMPLES if n != "register_authority"])
def test_a_command_without_the_field_naming_its_record_is_refused(name: str) -> None:
    id_field = COMMANDS[name].ID_FIELD
    line = batch_line(name)
    del line[id_field]

    with pytest.raises(ValidationError) as refusal:
        parse_command(line)
    assert id_field in refused_fields(refusal)


@pytest.mark.parametrize("model", COMMAND_TYPES, ids=lambda t: t.command_name())
def test_every_command_has_a_handler(model: type) -> None:
    assert model in handle.registry


@pytest.mark.parametrize("bad", [0, 20240101, "20240101", "2024-1-1", "2024-01-01T00:00:00",
                                 "2024-02-30", "1700000000", "\uff12\uff10\uff12\uff14-01-01"])
def test_a_day_not_written_yyyy_mm_dd_is_refused_naming_the_field(bad: object) -> None:
    with pytest.raises(ValidationError) as refusal:
        parse_command(batch_line("hold_review", occurred_on=bad))
    assert "occurred_on" in refused_fields(refusal)
    with pytest.raises(ValidationError):
        parse_command_json(json.dumps(batch_line("open_case", entered_care_on=bad)))


def test_a_day_written_yyyy_mm_dd_is_read_as_that_day() -> None:
    command = parse_command_json(json.dumps(batch_line("hold_review", occurred_on="2024-02-29")))
    assert str(command.occurred_on) == "2024-02-29"
