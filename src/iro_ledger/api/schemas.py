"""What the HTTP API returns, as pydantic schemas: the only shapes OpenAPI documents.

Command bodies are the domain language's own models (`application.commands`); everything the
API answers is declared here, so no aggregate, event or application class reaches OpenAPI.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    field: str = Field(description="the field, dotted for nested values ('issued_to.0')")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = Field(description="a URI naming the kind of problem")
    title: str
    status: int
    detail: str
    instance: str = Field(description="the request path the problem arose on")
    errors: list[FieldError] | None = Field(
        default=None, description="for invalid input: each field at fault")


class OutcomePublic(BaseModel):
    """The answer to an accepted command."""

    command: str
    kind: str = Field(description="the kind of record written: case, challenge, ...")
    id: str = Field(description="the record's id within its authority")
    la_code: str
    event_numbers: list[int] = Field(
        description="the numbers of the events this command added to the record")
    position: int = Field(
        description="the store position after the write, for read-your-writes; a replayed "
                    "command_id answers with the current position, never an earlier one")


class EventPublic(BaseModel):
    """One stored event of a record, with its provenance and its own fields."""

    model_config = ConfigDict(extra="allow")

    number: int
    type: str
    occurred_on: str
    recorded_at: str
    recorded_by: str
    actor: str
    source: str
    command_id: str | None = None
    on_behalf_of: str | None = None
    """Whose own act this is, when someone else (an admin) recorded it for them."""
    days_late: int = Field(description="how late it was recorded: days from occurred_on to "
                                       "the day (in England) it was stored")


class RecordPublic(BaseModel):
    """A record's current state and every event in it, oldest first."""

    kind: str
    id: str
    la_code: str
    version: int
    state: dict[str, Any]
    events: list[EventPublic]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    status: Literal["ready"] = "ready"
    position: int = Field(description="the highest position stored")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for problem answers (`errors.document_problems` moves them
    from application/json to application/problem+json)."""
    return {status: {"model": Problem} for status in statuses}
