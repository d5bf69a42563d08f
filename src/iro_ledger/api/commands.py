"""One endpoint per command of the domain language: `POST /commands/{name}`.

Generated from `application.commands.COMMANDS`, so a command added to the language is served
with its own body schema in OpenAPI and nothing to write here. The body is the command's
fields; `command` may be left out. A repeated `command_id` is answered as the first time,
with `Idempotent-Replayed: true`, and stores nothing new.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Body, Response

from iro_ledger.api.deps import Recording, RecordingDep
from iro_ledger.api.schemas import OutcomePublic, problem_responses
from iro_ledger.api.telemetry import execute_traced_async
from iro_ledger.application.commands import COMMANDS, CommandBase

REPLAYED_HEADER = "Idempotent-Replayed"
_REPLAYED = {REPLAYED_HEADER: "true"}
_REFUSALS = problem_responses(400, 401, 403, 404, 409, 422)

router = APIRouter(prefix="/commands", tags=["commands"])


def _endpoint(model: type[CommandBase]) -> Callable[..., Awaitable[Response]]:
    """A handler whose body parameter is typed as `model`, so FastAPI validates and documents it.

    `async def`: the command waits for its group (group commit) as a future, and the group's
    committer thread stores it (`Ledger.execute_async`), so no thread is taken per request.
    The answer is serialised here, once, by pydantic (the route's `response_model` still
    documents it), rather than validated again and encoded by FastAPI.
    """

    async def record(command: CommandBase, recording: Recording) -> Response:
        outcome = await execute_traced_async(recording.tracer, recording.ledger, command,
                                             recording.principal, source="api")
        answer = OutcomePublic(**outcome.answer(), position=outcome.position)
        return Response(answer.model_dump_json(), status_code=201,
                        media_type="application/json",
                        headers=_REPLAYED if outcome.replayed else None)

    keyword = inspect.Parameter.KEYWORD_ONLY
    record.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("command", keyword, annotation=Annotated[model, Body()]),
            inspect.Parameter("recording", keyword, annotation=RecordingDep),
        ],
        return_annotation=Response,
    )
    return record


def _describe(name: str, model: type[CommandBase]) -> str:
    required = [f for f, info in model.model_fields.items() if info.is_required()]
    return (
        f"Record `{name}` (fields required: {', '.join(required)}). Authorised by the "
        "principal's role and authority; `occurred_on` may be past, never future. Answers 201 "
        f"with the events added; a repeated `command_id` answers the same with "
        f"`{REPLAYED_HEADER}: true` and records nothing new."
    )


for _name, _model in COMMANDS.items():
    router.add_api_route(
        f"/{_name}",
        _endpoint(_model),
        methods=["POST"],
        status_code=201,
        response_model=OutcomePublic,
        name=_name,
        operation_id=_name,
        summary=_name.replace("_", " ").capitalize(),
        description=_describe(_name, _model),
        responses=_REFUSALS,
    )
