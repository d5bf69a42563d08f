"""OpenTelemetry: a span per HTTP request and a `ledger.execute` span per ledger command,
and metrics: command latency, projection lag, flags raised.

Set up by `create_app` (never at import). `IRO_LEDGER_OTEL_EXPORTER` chooses where they go:
`none` (the default) uses whatever providers are installed globally in the process (no-ops
unless something installed them); `console` prints spans to stdout; `otlp` exports traces
and metrics over OTLP/HTTP (protobuf), configured by the standard variables:
`OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`, `..._METRICS_ENDPOINT`),
`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
`OTEL_METRIC_EXPORT_INTERVAL` (milliseconds) and the rest the SDK reads.

Metrics (names as exported):
- `iro_ledger.command.duration` (histogram, ms): each command through the API, with its
  `iro_ledger.command` and `iro_ledger.outcome` (accepted, replayed, refused, failed);
- `iro_ledger.projection.lag` (gauge, events): per read model, store positions not yet
  applied, read when metrics are collected;
- `iro_ledger.flags.raised` (counter): flags raised so far, open, cleared or withdrawn.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import metrics, trace
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.metrics import CallbackOptions, Histogram, MeterProvider, Observation
from opentelemetry.sdk.metrics import MeterProvider as SdkMeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from opentelemetry.trace import Span, Status, StatusCode, Tracer

from iro_ledger.api.request_spans import RequestSpans
from iro_ledger.application.access import Principal, Role
from iro_ledger.domain.errors import DomainError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from iro_ledger.application import Ledger, Outcome
    from iro_ledger.application.commands import CommandBase
    from iro_ledger.settings import Settings
    from iro_ledger.wiring import Services

TRACER_NAME = "iro_ledger"
EXPORTERS = ("none", "console", "otlp")
_providers: dict[str, TracerProvider] = {}
"""One provider per exporter per process, so building several apps shares one export pipeline."""
_meter_providers: dict[str, SdkMeterProvider] = {}
_command_duration: list[Histogram] = []
"""The latency histogram of this process's meter, once `watch` has made it."""
_WATCHER = Principal("telemetry", Role.ADMIN)
"""Whom the metrics read flags as (an admin's reads are not recorded)."""


def _resource() -> Resource:
    """service.name iro-ledger unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say."""
    return Resource.create({"service.name": "iro-ledger"}).merge(Resource.create())


class TelemetryConfigError(ValueError):
    """`otel_exporter` names an exporter this build cannot use."""


def provider_for(settings: Settings) -> TracerProvider | None:
    """The provider the settings ask for, or None to use the process's global provider."""
    exporter = settings.otel_exporter.strip().lower() or "none"
    if exporter == "none":
        return None
    if exporter in ("console", "otlp"):
        if exporter not in _providers:
            provider = TracerProvider(resource=_resource())
            span_exporter = ConsoleSpanExporter() if exporter == "console" else OTLPSpanExporter()
            provider.add_span_processor(BatchSpanProcessor(span_exporter))
            _providers[exporter] = provider
        return _providers[exporter]
    raise TelemetryConfigError(
        f"otel_exporter {settings.otel_exporter!r} is not available; use one of "
        f"{', '.join(EXPORTERS)}")


def instrument_app(app: FastAPI, settings: Settings,
                   provider: TracerProvider | None = None) -> Tracer:
    """Trace the app's requests (once, `api.request_spans`) and return the tracer for them
    and for ledger spans. An explicit `provider` (tests, embedding) wins over the settings.
    """
    chosen = provider or provider_for(settings)
    existing: Tracer | None = getattr(app.state, "tracer", None)
    if existing is not None:
        return existing
    tracer = (chosen or trace.get_tracer_provider()).get_tracer(TRACER_NAME)
    app.add_middleware(RequestSpans, tracer=tracer, routes=app.routes,
                       global_provider=chosen is None)
    app.state.tracer = tracer
    app.state.tracer_provider = chosen
    return tracer


def meter_provider_for(settings: Settings) -> MeterProvider:
    """OTLP metrics for `otlp`; otherwise the process's global meter provider."""
    if settings.otel_exporter.strip().lower() != "otlp":
        return metrics.get_meter_provider()
    if "otlp" not in _meter_providers:
        reader = PeriodicExportingMetricReader(OTLPMetricExporter())
        _meter_providers["otlp"] = SdkMeterProvider(resource=_resource(),
                                                    metric_readers=[reader])
    return _meter_providers["otlp"]


def watch(app: FastAPI, services: Services, settings: Settings) -> None:
    """The metrics of this process: command latency, and projection lag and flags raised,
    read from `services` each time metrics are collected."""
    meter = meter_provider_for(settings).get_meter(TRACER_NAME)
    _command_duration[:] = [meter.create_histogram(
        "iro_ledger.command.duration", unit="ms",
        description="Time to apply and store one command, refusals included")]

    def lag(options: CallbackOptions) -> Iterable[Observation]:
        for status in services.projections.status():
            yield Observation(status.lag, {"iro_ledger.read_model": status.name})

    def raised(options: CallbackOptions) -> Iterable[Observation]:
        with services.reads.by(_WATCHER, "api") as reader:
            yield Observation(reader.flags(limit=1).total)

    meter.create_observable_gauge("iro_ledger.projection.lag", [lag], unit="{event}",
                                  description="Store positions a read model has not applied")
    meter.create_observable_counter("iro_ledger.flags.raised", [raised], unit="{flag}",
                                    description="Flags raised so far, whatever their status")
    app.state.meter_provider = meter_provider_for(settings)


def flush(app: FastAPI) -> None:
    """Export what is buffered before the process ends."""
    provider = getattr(app.state, "tracer_provider", None)
    if isinstance(provider, TracerProvider):
        provider.force_flush()
    meters = getattr(app.state, "meter_provider", None)
    if isinstance(meters, SdkMeterProvider):
        meters.force_flush()


def execute_traced(tracer: Tracer, ledger: Ledger, command: CommandBase,
                   principal: Principal, source: str) -> Outcome:
    """`ledger.execute` inside a span naming the command, its authority and its outcome;
    its duration goes to the command latency histogram."""
    with _traced(tracer, command) as answered:
        return answered(ledger.execute(command, principal, source=source))


async def execute_traced_async(tracer: Tracer, ledger: Ledger, command: CommandBase,
                               principal: Principal, source: str) -> Outcome:
    """`execute_traced` in the event loop: the command waits for its group as a future
    (`Ledger.execute_async`), with no thread of its own."""
    with _traced(tracer, command) as answered:
        return answered(await ledger.execute_async(command, principal, source=source))


@contextmanager
def _traced(tracer: Tracer, command: CommandBase) -> Iterator[Callable[[Outcome], Outcome]]:
    """The command's span and its time in the latency histogram; the caller hands the
    outcome to the function yielded (a refusal or failure raises through)."""
    began = time.perf_counter()
    attributes: dict[str, Any] = {"iro_ledger.command": command.command_name(),
                                  "iro_ledger.outcome": "failed"}
    try:
        with _command_span(tracer, command) as span:

            def answered(outcome: Outcome) -> Outcome:
                said = "replayed" if outcome.replayed else "accepted"
                attributes["iro_ledger.outcome"] = said
                span.set_attribute("iro_ledger.outcome", said)
                span.set_attribute("iro_ledger.record", record_label(outcome.kind, outcome.id))
                return outcome

            try:
                yield answered
            except DomainError:
                attributes["iro_ledger.outcome"] = "refused"
                raise
    finally:
        for histogram in _command_duration:
            histogram.record((time.perf_counter() - began) * 1000, attributes)


def record_label(kind: str, record: str) -> str:
    """How a span names a record: an authority by its code, anything else by its kind only
    (officer ids are people's names; case and challenge ids are about children)."""
    return f"{kind}:{record}" if kind == "authority" else kind


@contextmanager
def _command_span(tracer: Tracer, command: CommandBase) -> Iterator[Span]:
    attributes = {"iro_ledger.command": command.command_name(),
                  "iro_ledger.la_code": command.la_code}
    with tracer.start_as_current_span("ledger.execute", attributes=attributes,
                                      record_exception=False,
                                      set_status_on_exception=False) as span:
        try:
            yield span
        except DomainError as refused:
            # A refusal is the ledger working as meant, not a server error.
            span.set_attribute("iro_ledger.outcome", "refused")
            span.set_attribute("iro_ledger.refusal", type(refused).__name__)
            raise
        except Exception as failure:
            span.set_attribute("iro_ledger.outcome", "failed")
            span.record_exception(failure)
            span.set_status(Status(StatusCode.ERROR, type(failure).__name__))
            raise
