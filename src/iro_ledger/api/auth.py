"""Bearer authentication: every route but health and readiness names its principal.

A missing, malformed, expired or wrongly signed token is 401 with `WWW-Authenticate: Bearer`.
What the principal may then do is the application's decision (`application.access`); routes
also declare which roles they serve, so OpenAPI and an early 403 say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from iro_ledger.api.errors import NotReady, Unauthorized
from iro_ledger.application.access import Principal, Role
from iro_ledger.domain.errors import NotPermitted
from iro_ledger.identity.service import Identity
from iro_ledger.identity.tokens import ProviderUnreachable, TokenError

bearer = HTTPBearer(auto_error=False, description="a JWT: the service's own (`iro-ledger "
                                                  "token`) or an identity provider's")

WRITERS = frozenset({Role.IRO, Role.IRO_MANAGER, Role.LA_MANAGER, Role.ADMIN})
"""Roles that record anything; inspectors and arbitrators only read."""


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The principal a request's bearer token names."""
    return principal_of(request, credentials)


def principal_of(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    """`authenticate`'s work, for a dependency that does more in the same call."""
    if credentials is None:
        raise Unauthorized("this route needs a bearer token: Authorization: Bearer <token>")
    identity: Identity = request.app.state.services.identity
    try:
        return identity.verify(credentials.credentials).principal
    except ProviderUnreachable as down:
        raise NotReady(str(down)) from None
    except TokenError as bad:
        raise Unauthorized(str(bad)) from None


def require_roles(
    roles: frozenset[Role],
) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency refusing (403) principals whose role is not among `roles`."""

    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        return refuse_other_roles(principal, roles)

    return check


def refuse_other_roles(principal: Principal, roles: frozenset[Role]) -> Principal:
    """`principal`, or `NotPermitted` (403) if their role is not among `roles`."""
    if principal.role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        raise NotPermitted(f"this route serves {allowed}; {principal.sub} is "
                           f"{principal.role.value}")
    return principal
