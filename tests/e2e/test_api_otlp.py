"""OTLP export: traces and metrics reach an OTLP/HTTP receiver named by the standard variables.

The test starts its own receiver, a small HTTP server on loopback that keeps every protobuf
body posted to it, points `OTEL_EXPORTER_OTLP_ENDPOINT` at it and serves with
`otel_exporter=otlp`; when the app stops it exports what it holds.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from iro_ledger.api import telemetry
from iro_ledger.settings import Settings
from tests.e2e import ADMIN, SECRET, running_api


class Receiver(ThreadingHTTPServer):
    """Keeps (path, body) of every POST; answers 200 as an OTLP collector does."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.posts: list[tuple[str, bytes]] = []


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:  # the name http.server calls
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.posts.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "iro-ledger-test")
    tracers: dict[str, object] = {}
    meters: dict[str, object] = {}
    monkeypatch.setattr(telemetry, "_providers", tracers)  # this test's own pipelines
    monkeypatch.setattr(telemetry, "_meter_providers", meters)
    monkeypatch.setattr(telemetry, "_command_duration", [])
    yield server
    for provider in [*tracers.values(), *meters.values()]:
        provider.shutdown()  # type: ignore[attr-defined]
    server.shutdown()
    thread.join()


def traces(receiver: Receiver) -> list[ExportTraceServiceRequest]:
    found = []
    for path, body in receiver.posts:
        if path == "/v1/traces":
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            found.append(request)
    return found


def metric_points(receiver: Receiver) -> dict[str, list[Any]]:
    """Every data point posted, by metric name."""
    points: dict[str, list[Any]] = {}
    for path, body in receiver.posts:
        if path != "/v1/metrics":
            continue
        request = ExportMetricsServiceRequest()
        request.ParseFromString(body)
        for resource in request.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    kind = metric.WhichOneof("data")
                    points.setdefault(metric.name, []).extend(getattr(metric, kind).data_points)
    return points


def attributes(point: Any) -> dict[str, str]:
    return {a.key: a.value.string_value for a in point.attributes}


def test_commands_are_exported_as_spans_and_metrics_over_otlp(
        receiver: Receiver, tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite'}",
                        jwt_secret=SECRET, otel_exporter="otlp")
    with running_api(settings.database_url, settings=settings) as api:
        api.ok("register_authority", ADMIN, name="Northwold (fictional)")
        api.refused(404, "close_case", ADMIN, case_id="case-404")

    spans = [span for request in traces(receiver) for resource in request.resource_spans
             for scope in resource.scope_spans for span in scope.spans]
    assert sorted(s.name for s in spans if s.name == "ledger.execute") == [
        "ledger.execute", "ledger.execute"]
    services = {a.value.string_value for request in traces(receiver)
                for resource in request.resource_spans for a in resource.resource.attributes
                if a.key == "service.name"}
    assert services == {"iro-ledger-test"}

    points = metric_points(receiver)
    durations = points["iro_ledger.command.duration"]
    assert sorted(attributes(p)["iro_ledger.outcome"] for p in durations) == [
        "accepted", "refused"]
    assert sum(p.count for p in durations) == 2
    lags = {attributes(p)["iro_ledger.read_model"]: p.as_int
            for p in points["iro_ledger.projection.lag"]}
    assert "flags" in lags and all(lag >= 0 for lag in lags.values())
    assert [p.as_int for p in points["iro_ledger.flags.raised"]] == [0]
