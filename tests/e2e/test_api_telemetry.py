"""Tracing: a command over HTTP gives the request's span and a `ledger.execute` span inside it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from iro_ledger.api.app import create_app
from iro_ledger.api.telemetry import TelemetryConfigError
from iro_ledger.settings import Settings
from tests.e2e import ADMIN, INSPECTOR, LA, Api, running_api


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def api(tmp_path: Path, exporter: InMemorySpanExporter) -> Iterator[Api]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with running_api(f"sqlite:///{tmp_path / 'ledger.sqlite'}", provider) as api:
        yield api


def _named(spans: tuple[ReadableSpan, ...], name: str) -> ReadableSpan:
    matching = [s for s in spans if s.name == name]
    assert len(matching) == 1, [s.name for s in spans]
    return matching[0]


def test_a_command_request_is_traced_with_its_ledger_span_inside(
        api: Api, exporter: InMemorySpanExporter) -> None:
    api.ok("register_authority", ADMIN, name="Northwold (fictional)")

    spans = exporter.get_finished_spans()
    http = _named(spans, "POST /commands/register_authority")
    ledger = _named(spans, "ledger.execute")
    assert ledger.parent is not None and ledger.parent.span_id == http.context.span_id
    assert dict(ledger.attributes or {}) == {
        "iro_ledger.command": "register_authority", "iro_ledger.la_code": LA,
        "iro_ledger.outcome": "accepted", "iro_ledger.record": f"authority:{LA}"}


def test_a_refused_command_is_traced_as_refused_not_as_a_server_error(
        api: Api, exporter: InMemorySpanExporter) -> None:
    api.refused(404, "close_case", ADMIN, case_id="case-404")

    ledger = _named(exporter.get_finished_spans(), "ledger.execute")
    assert ledger.attributes is not None
    assert (ledger.attributes["iro_ledger.outcome"], ledger.attributes["iro_ledger.refusal"]) == (
        "refused", "NotRecorded")
    assert ledger.status.status_code is StatusCode.UNSET


def test_a_request_refused_before_the_ledger_has_no_ledger_span(
        api: Api, exporter: InMemorySpanExporter) -> None:
    api.refused(403, "close_case", INSPECTOR, case_id="case-1")

    assert "ledger.execute" not in [s.name for s in exporter.get_finished_spans()]


def test_a_request_carrying_a_traceparent_continues_its_callers_trace(
        api: Api, exporter: InMemorySpanExporter) -> None:
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    answer = api.client.get("/flags", headers={**INSPECTOR,
                                               "traceparent": f"00-{trace_id}-{parent_id}-01"})

    assert answer.status_code == 200
    http = _named(exporter.get_finished_spans(), "GET /flags")
    assert http.kind is SpanKind.SERVER
    assert (f"{http.context.trace_id:032x}", http.parent and f"{http.parent.span_id:016x}") == (
        trace_id, parent_id)
    assert (http.attributes or {})["http.route"] == "/flags"


def test_a_failure_escaping_the_app_is_recorded_on_the_request_span_as_a_500(
        api: Api, exporter: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(api.ledger, "execute_async", broken)
    client = TestClient(api.app, base_url=str(api.client.base_url),
                        raise_server_exceptions=False)
    answer = client.post("/commands/register_authority", headers=ADMIN,
                         json={"la_code": LA, "occurred_on": "2024-06-03", "name": "N"})

    assert answer.status_code == 500
    http = _named(exporter.get_finished_spans(), "POST /commands/register_authority")
    assert http.status.status_code is StatusCode.ERROR
    assert (http.attributes or {})["http.status_code"] == 500
    assert [e.name for e in http.events] == ["exception"]


def test_an_exporter_this_build_lacks_is_refused_when_the_app_is_built() -> None:
    with pytest.raises(TelemetryConfigError, match="zipkin"):
        create_app(Settings(database_url="sqlite:///unused.sqlite", otel_exporter="zipkin"))
