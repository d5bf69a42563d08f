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

from iro_ledger.api.deps import LedgerDep, TracerDep, Writer
from iro_ledger.api.schemas import OutcomePublic, problem_responses
from iro_ledger.api.telemetry import execute_traced_async
from iro_ledger.application import Ledger, Principal
from iro_ledger.application.commands import COMMANDS, CommandBase

REPLAYED_HEADER = "Idempotent-Replayed"
_REFUSALS = problem_responses(400, 401, 403, 404, 409, 422)

router = APIRouter(prefix="/commands", tags=["commands"])


def _endpoint(model: type[CommandBase]) -> Callable[..., Awaitable[OutcomePublic]]:
    """A handler whose body parameter is typed as `model`, so FastAPI validates and documents it.

    `async def`: the command waits for its group (group commit) as a future, and the group's
    committer thread stores it (`Ledger.execute_async`), so no thread is taken per request.
    """

    async def record(command: CommandBase, ledger: Ledger, principal: Principal,
                     tracer: TracerDep, response: Response) -> OutcomePublic:
        outcome = await execute_traced_async(tracer, ledger, command, principal, source="api")
        if outcome.replayed:
            response.headers[REPLAYED_HEADER] = "true"
        return OutcomePublic(**outcome.answer(), position=outcome.position)

    keyword = inspect.Parameter.KEYWORD_ONLY
    record.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("command", keyword, annotation=Annotated[model, Body()]),
            inspect.Parameter("ledger", keyword, annotation=LedgerDep),
            inspect.Parameter("principal", keyword, annotation=Writer),
            inspect.Parameter("tracer", keyword, annotation=TracerDep),
            inspect.Parameter("response", keyword, annotation=Response),
        ],
        return_annotation=OutcomePublic,
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
