"""The FastAPI application, built by `create_app` (uvicorn: `create_app --factory`).

Nothing is built at import: the lifespan builds one `Services` per process and closes it at
shutdown. To serve a new router, import its module and add its router to `ROUTERS`.
Swagger UI and ReDoc are off because they load their assets from a CDN at run time; the
OpenAPI document is at /openapi.json. Request bodies over `max_body_bytes` are 413. While the
app runs, uvicorn's access line shows route templates, never ids or query values
(`api.redaction`), as its spans do.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import APIRouter, FastAPI
from opentelemetry.sdk.trace import TracerProvider

from iro_ledger.api import commands, flags, health, monitoring, proof, records
from iro_ledger.api.body_limit import BodyLimit
from iro_ledger.api.errors import install_error_handlers
from iro_ledger.api.redaction import ACCESS_LOGGER, RedactedAccessLog
from iro_ledger.api.telemetry import flush, instrument_app, watch
from iro_ledger.settings import Settings, get_settings
from iro_ledger.web import mount_static
from iro_ledger.web import router as web_router
from iro_ledger.wiring import build_services

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    commands.router,
    records.router,
    monitoring.router,
    flags.router,
    proof.router,
    web_router,
)


def create_app(settings: Settings | None = None, *,
               tracer_provider: TracerProvider | None = None) -> FastAPI:
    """The API for `settings` (default: from the environment); `tracer_provider` for tests."""
    chosen = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = build_services(chosen)
        watch(app, app.state.services, chosen)
        access_log = RedactedAccessLog(app.routes)
        logging.getLogger(ACCESS_LOGGER).addFilter(access_log)
        try:
            yield
        finally:
            logging.getLogger(ACCESS_LOGGER).removeFilter(access_log)
            flush(app)  # metrics read the services as they are exported
            app.state.services.close()

    app = FastAPI(
        title="iro-ledger",
        summary="An immutable record of IRO challenges, recommendations and instructions.",
        version=version("iro-ledger"),
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=chosen.max_body_bytes)
    for router in ROUTERS:
        app.include_router(router)
    mount_static(app, chosen)
    instrument_app(app, chosen, tracer_provider)
    return app
