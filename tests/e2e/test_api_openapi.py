"""The OpenAPI document: a path per command, problem+json refusals, no domain classes."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from iro_ledger import application
from iro_ledger.application import ledger as ledger_module
from iro_ledger.application.commands import COMMANDS
from iro_ledger.domain import (
    access_log,
    authority,
    case,
    challenge,
    instruction,
    officer,
    record,
    report,
)
from tests.e2e import Api, running_api

DOMAIN_MODULES = (access_log, authority, case, challenge, instruction, officer, record, report)


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'ledger.sqlite'}"
    with running_api(url) as api:
        yield _document(api)


def _document(api: Api) -> dict[str, Any]:
    response = api.client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _domain_class_names() -> set[str]:
    """Aggregates, their events and the application's own classes."""
    names: set[str] = set()
    for module in (*DOMAIN_MODULES, ledger_module, application):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__.startswith("iro_ledger.") and not issubclass(cls, str):
                names.add(name)
                names |= {n for n, c in vars(cls).items() if inspect.isclass(c)}
    return names


def test_every_command_has_its_own_endpoint(openapi: dict[str, Any]) -> None:
    paths = openapi["paths"]

    for name, model in COMMANDS.items():
        operation = paths[f"/commands/{name}"]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{model.__name__}"}
        assert "201" in operation["responses"]


def test_a_command_body_documents_its_fields_and_lets_the_command_name_be_left_out(
        openapi: dict[str, Any]) -> None:
    schema = openapi["components"]["schemas"]["RaiseChallenge"]

    assert {"challenge_id", "case_id", "officer_id", "about", "grounds",
            "occurred_on", "la_code", "command_id"} <= set(schema["properties"])
    assert "command" not in schema["required"]


def test_no_domain_class_appears_in_the_document(openapi: dict[str, Any]) -> None:
    domain = _domain_class_names()
    assert {"Challenge", "Raised", "LedgerRecord", "Principal", "RecordView"} <= domain

    assert not domain & set(openapi["components"]["schemas"])


def test_refusals_are_documented_as_problem_json(openapi: dict[str, Any]) -> None:
    refusals = openapi["paths"]["/commands/withdraw_challenge"]["post"]["responses"]

    for status in ("400", "401", "403", "404", "409", "422"):
        assert list(refusals[status]["content"]) == ["application/problem+json"], status
    assert "HTTPValidationError" not in openapi["components"]["schemas"]


def test_commands_and_reads_need_a_bearer_token_but_health_does_not(
        openapi: dict[str, Any]) -> None:
    paths = openapi["paths"]
    assert openapi["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"

    assert paths["/commands/open_case"]["post"]["security"] == [{"HTTPBearer": []}]
    assert paths["/authorities/{la_code}/cases/{record_id}"]["get"]["security"] == [
        {"HTTPBearer": []}]
    assert "security" not in paths["/health"]["get"]


def test_the_pages_that_would_load_a_cdn_are_not_served(tmp_path: Path) -> None:
    with running_api(f"sqlite:///{tmp_path / 'ledger.sqlite'}") as api:
        assert api.client.get("/docs").status_code == 404
        assert api.client.get("/redoc").status_code == 404
