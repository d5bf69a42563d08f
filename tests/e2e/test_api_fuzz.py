"""Schemathesis over every operation of the OpenAPI document, signed in as an admin (who may
do everything, so the cases reach the handlers): no request may answer a server error.

The budget is bounded so the whole run stays near a minute in `make test`: each operation gets
`EXAMPLES_PER_OPERATION` generated cases against one store seeded with two authorities. A
failure prints the request as a curl command to reproduce it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from starlette.types import ASGIApp, Receive, Scope, Send

from iro_ledger.api.app import create_app
from iro_ledger.settings import Settings
from iro_ledger.trust.keys import ensure_signing_key
from tests.e2e import ADMIN, SECRET, running_api, seed

EXAMPLES_PER_OPERATION = 6

schema = schemathesis.openapi.from_dict(create_app(Settings(jwt_secret=SECRET)).openapi())
"""Every operation the API documents (the app is only built, never started, here)."""


class Started:
    """The app as schemathesis calls it: its lifespan is the fixture's, already running (a
    lifespan schemathesis started would hold the store open until the process ends)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    where = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{where / 'ledger.sqlite'}"
    unlimited = Settings(database_url=url, jwt_secret=SECRET, rate_limit_per_minute=0,
                         signing_key_path=where / "checkpoint.pem")
    ensure_signing_key(where / "checkpoint.pem")
    with running_api(url, settings=unlimited) as api:
        seed(api)
        yield Started(api.app)


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=False,
          suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
def test_no_operation_answers_a_server_error(case: Any, fuzzed_app: Started) -> None:
    response = case.call(headers=ADMIN, app=fuzzed_app)

    assert response.status_code < 500, (
        f"{response.status_code} {response.text[:500]}\n{case.as_curl_command(headers=ADMIN)}")
