"""One door for reads: the API, the dashboard and the CLI show the same flags, challenge
register and measures to the same principal on the same day, on SQLite and PostgreSQL.

The store holds the demo's fictional history. Each surface is asked as it is used: the API as
JSON, the dashboard as HTML pages (read back from their `data-*` attributes), the CLI with
`--json --token`. No worker runs: every surface catches the read models up itself.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from iro_ledger.api.app import create_app
from iro_ledger.application import Principal, Role
from iro_ledger.application.ingest import ingest, numbered
from iro_ledger.cli import app as cli_app
from iro_ledger.domain.access_log import RecordRead
from iro_ledger.generator import demo
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from iro_ledger.settings import Settings
from tests.e2e import BROWSER_URL, STORES, module_store, sign_in
from tests.e2e.test_web_pages import elements_with

SECRET = "one-door-secret-long-enough-for-hs256-0123456789"
POLICY = TokenPolicy(SECRET)
LA = "EMR"
"""The demo's Borough of Eastmere (fictional), where its patterns are planted."""
PRINCIPALS = {
    "inspector": ("insp-one-door", "inspector", None),
    "the authority's IRO": ("iro.marsh", "iro", LA),
}


@dataclass
class Store:
    url: str
    client: TestClient


@pytest.fixture(scope="module", params=STORES)
def store(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with module_store(request, tmp_path_factory.mktemp("store")) as url:
        app = create_app(Settings(database_url=url, jwt_secret=SECRET))
        with TestClient(app, base_url=BROWSER_URL) as client:
            seeder = Principal(sub="test:seed", role=Role.ADMIN)
            summary = ingest(app.state.services.ledger, numbered(demo.demo_commands()), seeder,
                             atomic=True)
            assert not summary.rejected
            yield Store(url, client)


@dataclass(frozen=True)
class Seen:
    """What one surface showed: open flags, the register, the measures."""

    flags: set[str]
    register: list[tuple[str, str, str, int]]
    """(challenge_id, stage, status, days_open) in the order raised."""
    measures: dict[str, Any]


def by_api(store: Store, token: str) -> Seen:
    who = {"Authorization": f"Bearer {token}"}

    def get(path: str, **params: Any) -> Any:
        answer = store.client.get(path, params=params, headers=who)
        assert answer.status_code == 200, answer.text
        return answer.json()

    flags = get("/flags", la_code=LA, status="open", limit=500)
    register = get(f"/authorities/{LA}/challenges", limit=500)
    measures = get(f"/authorities/{LA}/measures")
    return Seen({f["id"] for f in flags["items"]},
                [(c["challenge_id"], c["stage"], c["status"], c["days_open"])
                 for c in register["items"]],
                {m["name"]: m["value"] for m in measures["measures"]})


def by_web(store: Store, token: str) -> Seen:
    sign_in(store.client, token)
    flags_page = store.client.get("/ui/flags", params={"la": LA, "status": "open"})
    authority_page = store.client.get(f"/ui/authorities/{LA}")
    assert flags_page.status_code == authority_page.status_code == 200
    rows = elements_with(authority_page.text, "data-challenge")
    return Seen({r["data-flag"] for r in elements_with(flags_page.text, "data-flag")},
                [(r["data-challenge"], r["data-stage"], r["data-status"],
                  int(r["data-days-open"])) for r in rows],
                {r["id"].removeprefix("measure-"): json.loads(r["data-value"])
                 for r in elements_with(authority_page.text, "data-value")})


def by_cli(store: Store, token: str) -> Seen:
    env = {"IRO_LEDGER_DATABASE_URL": store.url, "IRO_LEDGER_JWT_SECRET": SECRET,
           "POSTGRES_PASSWORD": os.environ.get("POSTGRES_PASSWORD") or "iro-ledger-test"}

    def run(*args: str) -> Any:
        result = CliRunner().invoke(cli_app, [*args, "--la", LA, "--json", "--token", token],
                                    env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    flags = run("flags", "--status", "open")
    register = run("challenges")
    measures = run("measures")
    return Seen({f["id"] for f in flags},
                [(c["challenge_id"], c["stage"], c["status"], c["days_open"])
                 for c in register["items"]],
                {m["name"]: m["value"] for m in measures["measures"]})


@pytest.mark.parametrize("who", PRINCIPALS)
def test_the_api_the_dashboard_and_the_cli_show_the_same_reads(store: Store, who: str) -> None:
    sub, role, la_code = PRINCIPALS[who]
    token = mint_token(POLICY, sub, role, la_code=la_code)
    api, web, cli = by_api(store, token), by_web(store, token), by_cli(store, token)
    assert api.flags, "the demo plants open flags in Eastmere"
    assert api.register, "the demo raises challenges in Eastmere"
    assert web.flags == cli.flags == api.flags
    assert web.register == cli.register == api.register
    assert web.measures == cli.measures == api.measures


def test_an_inspectors_reads_are_recorded_from_every_surface(store: Store) -> None:
    sub = "insp-recorded"
    token = mint_token(POLICY, sub, "inspector")
    by_api(store, token), by_web(store, token), by_cli(store, token)
    ledger = store.client.app.state.services.ledger  # type: ignore[attr-defined]
    sources = {e.source for e in _reads_by(ledger, sub)}
    assert sources == {"api", "web", "cli"}


def _reads_by(ledger: Any, sub: str) -> list[Any]:
    notes = ledger.recorder.select_notifications(start=1, limit=1_000_000)
    events = [ledger.mapper.to_domain_event(n) for n in notes]
    return [e for e in events if isinstance(e, RecordRead.Recorded) and e.recorded_by == sub]
