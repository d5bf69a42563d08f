"""OpenTelemetry: a span per HTTP request and a `ledger.execute` span per ledger command.

Set up by `create_app` (never at import). `IRO_LEDGER_OTEL_EXPORTER` chooses where spans go:
`none` (the default) uses whatever tracer provider is installed globally in the process (a
no-op unless something installed one); `console` prints spans to stdout. OTLP export is not
built in: it would need `opentelemetry-exporter-otlp-proto-http`, which is not a dependency.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from opentelemetry.trace import Span, Status, StatusCode, Tracer

from iro_ledger.api.redaction import redact_span
from iro_ledger.domain.errors import DomainError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from iro_ledger.application import Ledger, Outcome, Principal
    from iro_ledger.application.commands import CommandBase
    from iro_ledger.settings import Settings

TRACER_NAME = "iro_ledger"
EXPORTERS = ("none", "console")
_SERVICE = Resource.create({"service.name": "iro-ledger"})
_providers: dict[str, TracerProvider] = {}
"""One provider per exporter per process, so building several apps shares one export pipeline."""


class TelemetryConfigError(ValueError):
    """`otel_exporter` names an exporter this build cannot use."""


def provider_for(settings: Settings) -> TracerProvider | None:
    """The provider the settings ask for, or None to use the process's global provider."""
    exporter = settings.otel_exporter.strip().lower() or "none"
    if exporter == "none":
        return None
    if exporter == "console":
        if exporter not in _providers:
            provider = TracerProvider(resource=_SERVICE)
            provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
            _providers[exporter] = provider
        return _providers[exporter]
    raise TelemetryConfigError(
        f"otel_exporter {settings.otel_exporter!r} is not available; use one of "
        f"{', '.join(EXPORTERS)}")


def instrument_app(app: FastAPI, settings: Settings,
                   provider: TracerProvider | None = None) -> Tracer:
    """Trace the app's requests (once) and return the tracer for ledger spans.

    An explicit `provider` (tests, embedding) wins over the settings.
    """
    chosen = provider or provider_for(settings)
    existing: Tracer | None = getattr(app.state, "tracer", None)
    if existing is not None:
        return existing
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=chosen, exclude_spans=["receive", "send"],
        server_request_hook=lambda span, scope: redact_span(app.routes, span, scope))
    tracer = (chosen or trace.get_tracer_provider()).get_tracer(TRACER_NAME)
    app.state.tracer = tracer
    app.state.tracer_provider = chosen
    return tracer


def flush(app: FastAPI) -> None:
    """Export what is buffered before the process ends."""
    provider = getattr(app.state, "tracer_provider", None)
    if isinstance(provider, TracerProvider):
        provider.force_flush()


def execute_traced(tracer: Tracer, ledger: Ledger, command: CommandBase,
                   principal: Principal, source: str) -> Outcome:
    """`ledger.execute` inside a span naming the command, its authority and its outcome."""
    with _command_span(tracer, command) as span:
        outcome = ledger.execute(command, principal, source=source)
        span.set_attribute("iro_ledger.outcome", "replayed" if outcome.replayed else "accepted")
        span.set_attribute("iro_ledger.record", record_label(outcome.kind, outcome.id))
        return outcome


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
