"""The API's dependencies as `Annotated` aliases: one `Services` per process, and the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from opentelemetry.trace import Tracer

from iro_ledger.api.auth import WRITERS, authenticate, require_roles
from iro_ledger.application import Ledger, Principal
from iro_ledger.wiring import Services


async def get_services(request: Request) -> Services:
    """The `Services` the lifespan built for this process.

    The dependencies here do no I/O, so they are `async def`: FastAPI runs a plain `def`
    dependency in its thread pool, a thread hop per dependency per request."""
    services: Services = request.app.state.services
    return services


async def get_ledger(services: Annotated[Services, Depends(get_services)]) -> Ledger:
    return services.ledger


async def get_tracer(request: Request) -> Tracer:
    """The tracer `create_app` set up for ledger spans."""
    tracer: Tracer = request.app.state.tracer
    return tracer


async def limited_writer(principal: Annotated[Principal, Depends(require_roles(WRITERS))],
                   services: Annotated[Services, Depends(get_services)]) -> Principal:
    """A writer within their rate limit (429 with Retry-After beyond it)."""
    services.limiter.take(principal)
    return principal


ServicesDep = Annotated[Services, Depends(get_services)]
LedgerDep = Annotated[Ledger, Depends(get_ledger)]
CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
"""Any authenticated principal."""
Writer = Annotated[Principal, Depends(limited_writer)]
"""A principal whose role records things (not inspectors or arbitrators), within their rate
limit."""
TracerDep = Annotated[Tracer, Depends(get_tracer)]
