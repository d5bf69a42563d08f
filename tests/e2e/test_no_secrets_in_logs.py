"""Neither the access log nor the spans carry a token or a personal datum: the real server
(uvicorn, on loopback) is asked with a token in a link, officer and case ids in paths and
query strings, and both are searched for them afterwards."""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.routing import BaseRoute

from iro_ledger.api.app import create_app
from iro_ledger.api.redaction import redacted_target
from iro_ledger.identity.tokens import mint_token
from iro_ledger.settings import Settings
from tests.e2e import ADMIN, LA, MANAGER, POLICY, SECRET

OFFICER = "iro-ada"
CASE = "case-1"


@dataclass
class Served:
    client: httpx.Client
    exporter: InMemorySpanExporter
    routes: list[BaseRoute]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite'}",
                              jwt_secret=SECRET), tracer_provider=provider)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            yield Served(client, exporter, list(app.routes))
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_no_token_or_officer_or_case_id_reaches_the_access_log_or_the_spans(
        served: Served, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    client = served.client
    token = mint_token(POLICY, "mgr-cara", "la_manager", la_code=LA)
    bearer = {"Authorization": f"Bearer {token}"}
    for command, fields in (
            ("register_authority", {"name": "Northwold (fictional)"}),
            ("register_officer", {"officer_id": OFFICER, "role": "iro",
                                  "employment": "employed"}),
            ("open_case", {"case_id": CASE, "child_ref": "child-nw-0001",
                           "legal_status": "C2", "entered_care_on": "2024-01-10"})):
        who = ADMIN if command == "register_authority" else MANAGER
        answer = client.post(f"/commands/{command}", headers=who,
                             json={"la_code": LA, "occurred_on": "2024-01-11", **fields})
        assert answer.status_code == 201, answer.text

    assert client.get("/login", params={"token": token}).status_code == 400
    assert client.get(f"/authorities/{LA}/officers/{OFFICER}/record",
                      headers=bearer).status_code == 200
    assert client.get("/flags", params={"la_code": LA, "officer_id": OFFICER,
                                        "case_id": CASE}, headers=bearer).status_code == 200
    assert client.get(f"/authorities/{LA}/cases/{CASE}/timeline",
                      headers=bearer).status_code == 200
    assert client.get(f"/no/such/{OFFICER}").status_code == 404

    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    spans = served.exporter.get_finished_spans()
    assert len(lines) >= 8 and spans
    shown = "\n".join(lines) + "\n" + "\n".join(
        f"{span.name} {dict(span.attributes or {})}" for span in spans)
    for secret in (token, token.split(".")[1], OFFICER, CASE):
        assert secret not in shown, f"{secret[:20]} is in the log or the spans"
    assert '"GET /authorities/{la_code}/officers/{officer_id}/record HTTP/1.1" 200' in shown
    assert '"GET /login?token=* HTTP/1.1" 400' in shown
    assert "/flags?la_code=*&officer_id=*&case_id=*" in shown
    assert re.search(r"'http\.url': 'http://127\.0\.0\.1:\d+/login\?token=\*'", shown)


def test_a_static_file_shows_its_mount_and_an_odd_parameter_name_is_hidden(
        tmp_path: Path) -> None:
    routes = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite'}")).routes

    assert redacted_target(routes, "GET", "/static/app.css") == "/static/{path}"
    assert redacted_target(routes, "GET", "/flags?eyJhbGciOiJIUzI1NiJ9=1&la_code=NWD") == (
        "/flags??=*&la_code=*")
    assert redacted_target(routes, "GET", "/ui/authorities/NWD/officers/iro%2Dada") == (
        "/ui/authorities/{la_code}/officers/{officer_id}")
