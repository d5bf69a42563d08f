"""End-to-end tests over HTTP, and the helpers the API tests share.

`running_api` builds the app as uvicorn would (`create_app` with settings) and runs its
lifespan; `Api` speaks the domain language to it and can say how many events are stored, so
a test can show that a refused command recorded nothing. Authorities and people are fictional.
"""

from __future__ import annotations

import contextlib
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import TracerProvider

from iro_ledger.api.app import create_app
from iro_ledger.application import Ledger
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from iro_ledger.settings import Settings
from iro_ledger.wiring import build_services
from tests.conftest import fresh_database

SECRET = "e2e-secret-long-enough-for-hs256-0123456789abcdef"
POLICY = TokenPolicy(SECRET)
PROBLEM = "application/problem+json"
LA = "NWD"
"""Northwold, a fictional authority."""
OTHER_LA = "SMR"
"""Southmere, another fictional authority."""
PANEL = "Fictional Arbitration Panel"
ON = "2024-06-03"
"""The default day things happen on: after everything `seed` records."""
SHA_A, SHA_B = "a" * 64, "b" * 64


def bearer(sub: str, role: str, la: str | None = None, body: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(POLICY, sub, role, la_code=la, body=body)}"}


ADMIN = bearer("admin-1", "admin")
MANAGER = bearer("mgr-cara", "la_manager", LA)
IRO_ADA = bearer("iro-ada", "iro", LA)
IRO_BEN = bearer("iro-ben", "iro", LA)
IRO_MANAGER = bearer("irom-dev", "iro_manager", LA)
OTHER_MANAGER = bearer("mgr-olu", "la_manager", OTHER_LA)
INSPECTOR = bearer("insp-eve", "inspector")
ARBITRATOR = bearer("arb-fay", "arbitrator", body=PANEL)


@dataclass
class Api:
    """A test client speaking the domain language to a running app."""

    app: FastAPI
    client: TestClient

    @property
    def ledger(self) -> Ledger:
        ledger: Ledger = self.app.state.services.ledger
        return ledger

    def events(self) -> int:
        return self.ledger.count_events()

    def command(self, name: str, who: dict[str, str], /, **fields: Any) -> httpx.Response:
        body = {"la_code": LA, "occurred_on": ON, **fields}
        response: httpx.Response = self.client.post(f"/commands/{name}", json=body, headers=who)
        return response

    def ok(self, name: str, who: dict[str, str], /, **fields: Any) -> dict[str, Any]:
        response = self.command(name, who, **fields)
        assert response.status_code == 201, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def refused(self, status: int, name: str, who: dict[str, str], /,
                **fields: Any) -> dict[str, Any]:
        """Send a command that must be refused with `status`; check nothing was recorded."""
        before = self.events()
        response = self.command(name, who, **fields)
        return self.check_problem(response, status, before)

    def check_problem(self, response: httpx.Response, status: int,
                      events_before: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == PROBLEM
        assert self.events() == events_before, "a refused request recorded something"
        problem: dict[str, Any] = response.json()
        assert problem["status"] == status
        return problem

    def read(self, path: str, who: dict[str, str]) -> httpx.Response:
        response: httpx.Response = self.client.get(path, headers=who)
        return response


@contextlib.contextmanager
def running_api(database_url: str, tracer_provider: TracerProvider | None = None,
                settings: Settings | None = None) -> Iterator[Api]:
    app = create_app(settings or Settings(database_url=database_url, jwt_secret=SECRET),
                     tracer_provider=tracer_provider)
    with TestClient(app, base_url=BROWSER_URL) as client:
        yield Api(app, client)


@contextlib.contextmanager
def module_store(request: pytest.FixtureRequest, tmp: Path) -> Iterator[str]:
    """A store shared by one module's tests: `request.param` is sqlite or postgres."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp / 'ledger.sqlite'}"
        return
    with fresh_database(request.getfixturevalue("postgres_server_dsn")) as url:
        yield url


@contextlib.contextmanager
def projection_worker(url: str) -> Iterator[None]:
    """On PostgreSQL, a worker following the store (in a thread, as its own process would)."""
    if not url.startswith("postgresql"):
        yield
        return
    services = build_services(Settings(database_url=url))
    thread = threading.Thread(target=services.projections.follow)
    thread.start()
    try:
        yield
    finally:
        services.projections.stop()
        thread.join(timeout=15)
        services.close()


STORES = [pytest.param("sqlite", id="sqlite"),
          pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]
"""Params for a module-scoped store fixture built with `module_store`."""


def seed(api: Api) -> None:
    """Two fictional authorities: Northwold with IROs, managers and an open case, Southmere
    with one IRO and one case."""
    api.ok("register_authority", ADMIN, name="Northwold (fictional)", occurred_on="2024-01-02")
    for officer_id, role, employment in (("iro-ada", "iro", "employed"),
                                         ("iro-ben", "iro", "freelance"),
                                         ("irom-dev", "iro_manager", "employed"),
                                         ("dir-lee", "director", "employed")):
        api.ok("register_officer", MANAGER, officer_id=officer_id, role=role,
               employment=employment, occurred_on="2024-01-03")
    api.ok("open_case", MANAGER, case_id="case-1", child_ref="child-nw-0001",
           legal_status="C2", entered_care_on="2024-01-10", occurred_on="2024-01-10")
    api.ok("assign_iro", MANAGER, case_id="case-1", officer_id="iro-ada",
           reason="first_allocation", occurred_on="2024-01-11")
    api.ok("register_authority", ADMIN, la_code=OTHER_LA, name="Southmere (fictional)",
           occurred_on="2024-01-02")
    api.ok("register_officer", OTHER_MANAGER, la_code=OTHER_LA, officer_id="iro-sol",
           role="iro", employment="agency", occurred_on="2024-01-03")
    api.ok("open_case", OTHER_MANAGER, la_code=OTHER_LA, case_id="case-9",
           child_ref="child-sm-0009", legal_status="C2", entered_care_on="2024-01-10",
           occurred_on="2024-01-10")


BROWSER_URL = "https://testserver"
"""Where test clients browse the dashboard: not loopback, so over https, as a browser would
(the session cookie is Secure there)."""


def sign_in_form(client: TestClient, token: str, next: str = "/") -> httpx.Response:
    """Open the sign-in form, then send it with `token` as a browser would (its CSRF token
    included); the answer, unfollowed."""
    form = client.get("/login", params={"next": next})
    found = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert found, form.text
    response: httpx.Response = client.post(
        "/login", data={"token": token, "next": next, "csrf": found.group(1)},
        follow_redirects=False)
    return response


def sign_in(client: TestClient, who: dict[str, str] | str) -> None:
    """Sign the client in to the dashboard as the bearer of `who` (headers or a token)."""
    client.cookies.clear()
    token = who if isinstance(who, str) else who["Authorization"].removeprefix("Bearer ")
    response = sign_in_form(client, token)
    assert response.status_code == 303, response.text


def fresh_id(prefix: str) -> str:
    """An id no other test in a shared store uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def raise_challenge(api: Api, who: dict[str, str] = IRO_ADA, officer_id: str = "iro-ada",
                    la_code: str = LA, case_id: str = "case-1") -> str:
    """A new informal challenge on a seeded case; its id."""
    challenge_id = fresh_id("ch")
    api.ok("raise_challenge", who, la_code=la_code, challenge_id=challenge_id, case_id=case_id,
           officer_id=officer_id, about="care_plan", grounds="The plan ignores the child's wishes")
    return challenge_id
