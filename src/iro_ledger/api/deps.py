"""The API's dependencies as `Annotated` aliases: one `Services` per process, and the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from opentelemetry.trace import Tracer

from iro_ledger.api.auth import WRITERS, authenticate, bearer, principal_of, refuse_other_roles
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


@dataclass(frozen=True)
class Recording:
    """What a command's handler needs: a writer within their rate limit, the ledger and the
    tracer for its span."""

    principal: Principal
    ledger: Ledger
    tracer: Tracer


async def recording(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Recording:
    """A writer (401 without a usable token, 403 for a role that only reads) within their
    rate limit (429 with Retry-After beyond it), in one dependency: FastAPI spends more on
    solving each dependency than most of these do on their work, once per command."""
    principal = refuse_other_roles(principal_of(request, credentials), WRITERS)
    services: Services = request.app.state.services
    services.limiter.take(principal)
    return Recording(principal, services.ledger, request.app.state.tracer)


ServicesDep = Annotated[Services, Depends(get_services)]
LedgerDep = Annotated[Ledger, Depends(get_ledger)]
CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
"""Any authenticated principal."""
RecordingDep = Annotated[Recording, Depends(recording)]
"""A principal whose role records things (not inspectors or arbitrators), within their rate
limit, with the ledger and tracer a command needs."""
TracerDep = Annotated[Tracer, Depends(get_tracer)]
