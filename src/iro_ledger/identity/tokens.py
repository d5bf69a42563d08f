"""The service's own bearer tokens: HS256 JWTs with an issuer, an audience, a `jti` and a
bounded lifetime, naming a principal's subject, role, authority and arbitration body.

Minted by the CLI and checked by the API and the dashboard. A token is refused unless it
names this service as issuer and audience, carries `exp`, `iat` and `jti`, and lives no
longer than the policy's maximum (so a token valid until 9999 is refused however it was
signed). A token that would make an impossible principal (an IRO with no authority, an
arbitrator with no body, an inspector tied to one authority) is refused at minting and again
at decoding, so no route ever sees one. Identity providers' tokens are `identity.oidc`'s.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import jwt

from iro_ledger.application.access import Principal, Role

if TYPE_CHECKING:
    from iro_ledger.settings import Settings

ALGORITHM = "HS256"
ISSUER = "iro-ledger"
AUDIENCE = "iro-ledger"
MAX_LIFETIME = timedelta(hours=12)
LEEWAY = timedelta(seconds=30)
"""Clock difference tolerated between whoever minted a token and this process."""
AUTHORITY_ROLES = frozenset({Role.IRO, Role.IRO_MANAGER, Role.LA_MANAGER})
_REQUIRED_CLAIMS = ["sub", "role", "iat", "exp", "iss", "aud", "jti"]


class TokenError(Exception):
    """The token is missing, malformed, expired, over-long, wrongly signed or addressed, or
    names an impossible principal."""


class ProviderUnreachable(TokenError):
    """The token may be good, but its provider's keys cannot be fetched to check it: the
    caller should try again (answered 503, not 401, so clients do not discard the token)."""


@dataclass(frozen=True)
class TokenPolicy:
    """What the service's own tokens must be: signed with `secret`, from `issuer` to
    `audience`, living at most `max_lifetime`."""

    secret: str
    issuer: str = ISSUER
    audience: str = AUDIENCE
    max_lifetime: timedelta = MAX_LIFETIME

    @classmethod
    def of(cls, settings: Settings) -> TokenPolicy:
        return cls(secret=settings.jwt_secret.get_secret_value(), issuer=settings.jwt_issuer,
                   audience=settings.jwt_audience,
                   max_lifetime=timedelta(minutes=settings.jwt_max_ttl_minutes))


@dataclass(frozen=True)
class Verified:
    """A token that was accepted: whom it names, its id (for revocation) and its end."""

    principal: Principal
    jti: str | None
    expires_at: datetime
    issuer: str


def mint_token(
    policy: TokenPolicy,
    sub: str,
    role: str,
    la_code: str | None = None,
    body: str | None = None,
    ttl_minutes: int = 8 * 60,
    now: datetime | None = None,
) -> str:
    """A signed token for the principal; refuses what `verify_token` would refuse."""
    principal = principal_of(sub, role, la_code, body)
    if ttl_minutes <= 0:
        raise TokenError("ttl_minutes must be positive")
    lifetime = timedelta(minutes=ttl_minutes)
    if lifetime > policy.max_lifetime:
        raise TokenError(f"a token may live at most {_minutes(policy.max_lifetime)} minutes "
                         f"(IRO_LEDGER_JWT_MAX_TTL_MINUTES), not {ttl_minutes}")
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": policy.issuer,
        "aud": policy.audience,
        "sub": principal.sub,
        "role": principal.role.value,
        "iat": issued,
        "exp": issued + lifetime,
        "jti": uuid.uuid4().hex,
    }
    if principal.la_code is not None:
        claims["la"] = principal.la_code
    if principal.body is not None:
        claims["body"] = principal.body
    return jwt.encode(claims, policy.secret, algorithm=ALGORITHM)


def verify_token(policy: TokenPolicy, token: str) -> Verified:
    """The principal a service token names, or `TokenError` saying why it is not accepted."""
    try:
        claims = jwt.decode(token, policy.secret, algorithms=[ALGORITHM],
                            audience=policy.audience, issuer=policy.issuer,
                            leeway=LEEWAY, options={"require": _REQUIRED_CLAIMS})
    except jwt.InvalidTokenError as bad:
        raise TokenError(refusal(bad)) from None
    check_lifetime(claims, policy.max_lifetime)
    principal = principal_of(claims.get("sub"), claims.get("role"), claims.get("la"),
                             claims.get("body"))
    return Verified(principal, str(claims["jti"]), _moment(claims["exp"]), policy.issuer)


def decode_token(policy: TokenPolicy, token: str) -> Principal:
    """The principal a service token names (see `verify_token`)."""
    return verify_token(policy, token).principal


def refusal(bad: jwt.InvalidTokenError) -> str:
    """Why PyJWT refused a token, in the service's words."""
    if isinstance(bad, jwt.ExpiredSignatureError):
        return "the token has expired"
    if isinstance(bad, jwt.InvalidSignatureError):
        return "the token's signature does not match"
    if isinstance(bad, jwt.MissingRequiredClaimError):
        return f"the token lacks the {bad.claim!r} claim"
    if isinstance(bad, jwt.InvalidAudienceError):
        return "the token is meant for another audience"
    if isinstance(bad, jwt.InvalidIssuerError):
        return "the token is from another issuer"
    if isinstance(bad, jwt.ImmatureSignatureError):
        return "the token is not valid yet"
    return f"the token is not valid: {bad}"


def check_lifetime(claims: dict[str, Any], longest: timedelta) -> None:
    """Refuse a token meant to live longer than `longest` (from `iat`, or `nbf` if later)."""
    start = max(int(claims["iat"]), int(claims.get("nbf", claims["iat"])))
    if int(claims["exp"]) - start > longest.total_seconds():
        raise TokenError(f"the token lives longer than the {_minutes(longest)} minutes "
                         "allowed")


def principal_of(sub: object, role: object, la_code: object, body: object) -> Principal:
    """The principal these claims name, or `TokenError` if no such principal may exist."""
    if not isinstance(sub, str) or not sub.strip():
        raise TokenError("the token's subject must be a non-empty string")
    known = next((r for r in Role if r.value == role), None)
    if known is None:
        allowed = ", ".join(r.value for r in Role)
        raise TokenError(f"unknown role {role!r}; roles are {allowed}")
    for name, value in (("la", la_code), ("body", body)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise TokenError(f"the token's {name!r} claim must be a non-empty string")
    if known in AUTHORITY_ROLES and la_code is None:
        raise TokenError(f"a principal with role {known} must belong to an authority (la)")
    if known not in AUTHORITY_ROLES and la_code is not None:
        raise TokenError(f"a principal with role {known} belongs to no authority")
    if known is Role.ARBITRATOR and body is None:
        raise TokenError("an arbitrator must name their arbitration body (body)")
    if known is not Role.ARBITRATOR and body is not None:
        raise TokenError("only an arbitrator names an arbitration body")
    return Principal(sub=sub, role=known, la_code=_str_or_none(la_code), body=_str_or_none(body))


def _moment(seconds: object) -> datetime:
    return datetime.fromtimestamp(int(str(seconds)), UTC)


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
