"""Identity providers' tokens (OpenID Connect ID and access tokens), verified against the
provider's published keys and mapped to a principal by configuration.

Most English councils sign their staff in with Microsoft Entra ID; others with Google
Workspace or another OpenID Connect provider. Each trusted provider is a `[[provider]]` table
in the TOML file `IRO_LEDGER_IDENTITY_PROVIDERS` names (docs/operations.md has an Entra ID
example). A token is accepted only if its `iss` is a configured provider's, it is signed with
one of that provider's keys and allowed algorithms (RS256, ES256, EdDSA; never HMAC), names
that provider's audience, carries `exp` and `iat`, lives no longer than the service allows,
and its claims (roles or groups) map to exactly one role, with an authority for the roles
that need one.

Keys come from the provider's JWKS URL or a file. From a URL they are cached
(`cache_seconds`) and fetched again when a token names a key id not seen yet (the provider
rotated its keys), but at most once per `min_refetch_seconds`, so tokens with made-up key ids
cannot make the service hammer the provider. PyJWT's `PyJWKClient` does exactly this; a file
is read again when it changes.
"""

from __future__ import annotations

import json
import os
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
from jwt import PyJWK, PyJWKClient, PyJWKSet

from iro_ledger.application.access import Principal, Role
from iro_ledger.identity.startup import is_loopback
from iro_ledger.identity.tokens import (
    AUTHORITY_ROLES,
    LEEWAY,
    ProviderUnreachable,
    TokenError,
    Verified,
    check_lifetime,
    principal_of,
    refusal,
)

ALGORITHMS = ("RS256", "ES256", "EdDSA")
"""The signatures a provider may use: asymmetric only, so a public key can never be used as
an HMAC secret."""
_REQUIRED = ["exp", "iat", "iss", "aud"]


class ProviderConfigError(Exception):
    """The identity providers' file cannot be used (the message says where and why)."""


@dataclass(frozen=True)
class Provider:
    """One trusted identity provider and how its tokens' claims become a principal."""

    name: str
    issuer: str
    audience: tuple[str, ...]
    jwks_url: str | None = None
    jwks_file: Path | None = None
    algorithms: tuple[str, ...] = ALGORITHMS
    subject_claim: str = "sub"
    """Which claim is the principal's subject (for an IRO, their officer_id)."""
    roles_claim: str = "roles"
    """The claim whose values (app roles, or group ids: `groups`) map to a role."""
    roles: Mapping[str, Role] = field(default_factory=dict)
    la: str | None = None
    """Everyone this provider signs in belongs to this authority (one council's tenant)..."""
    la_claim: str | None = None
    """...or a claim gives the authority's code..."""
    authorities_claim: str | None = None
    authorities: Mapping[str, str] = field(default_factory=dict)
    """...or this claim's values (e.g. groups) map to authorities."""
    body: str | None = None
    """The arbitration body of the arbitrators this provider signs in."""
    cache_seconds: float = 300
    min_refetch_seconds: float = 60
    client_id: str | None = None
    """With the three below: the dashboard offers "Sign in with <name>" (the authorization
    code flow with PKCE, `identity.redirect`); the ID token's audience is the client id."""
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    redirect_uri: str | None = None
    """This service's `/login/callback`, as registered with the provider."""
    client_secret: str | None = field(default=None, repr=False)
    """Read from the environment variable `client_secret_env` names, never from the file."""
    scopes: str = "openid profile email"

    @property
    def signs_in_by_redirect(self) -> bool:
        return self.client_id is not None

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        """The principal the token's claims map to, or `TokenError` saying why none."""
        mapped = {self.roles[v] for v in _values(claims.get(self.roles_claim))
                  if v in self.roles}
        if not mapped:
            raise TokenError(f"the token's {self.roles_claim!r} give no role in iro-ledger "
                             f"(the {self.name} provider maps {_listed(self.roles)})")
        if len(mapped) > 1:
            roles = ", ".join(sorted(r.value for r in mapped))
            raise TokenError(f"the token's {self.roles_claim!r} map to more than one role "
                             f"({roles}); give each person one")
        role = mapped.pop()
        la = self._authority(claims) if role in AUTHORITY_ROLES else None
        body = self.body if role is Role.ARBITRATOR else None
        return principal_of(claims.get(self.subject_claim), role.value, la, body)

    def _authority(self, claims: Mapping[str, Any]) -> str | None:
        if self.la is not None:
            return self.la
        if self.la_claim is not None:
            value = claims.get(self.la_claim)
            return value if isinstance(value, str) else None
        if self.authorities_claim is not None:
            found = {self.authorities[v] for v in _values(claims.get(self.authorities_claim))
                     if v in self.authorities}
            if len(found) > 1:
                raise TokenError(f"the token maps to more than one authority "
                                 f"({', '.join(sorted(found))})")
            return found.pop() if found else None
        return None


def _values(claim: object) -> list[str]:
    if isinstance(claim, str):
        return [claim]
    if isinstance(claim, list):
        return [v for v in claim if isinstance(v, str)]
    return []


def _listed(mapping: Mapping[str, Any]) -> str:
    return ", ".join(sorted(mapping)) or "nothing"


class Keys:
    """A provider's signing keys, from its JWKS URL or file (see the module docstring)."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self._client = None if provider.jwks_url is None else PyJWKClient(
            provider.jwks_url, cache_jwk_set=True, lifespan=provider.cache_seconds,
            cooldown_duration=provider.min_refetch_seconds, timeout=10)
        self._file_keys: PyJWKSet | None = None
        self._file_stamp: float | None = None
        self._lock = threading.Lock()

    def key_for(self, kid: object) -> PyJWK:
        if not isinstance(kid, str) or not kid:
            raise TokenError("the token names no key (kid)")
        if self._client is not None:
            try:
                return self._client.get_signing_key(kid)
            except jwt.PyJWKClientConnectionError:
                raise ProviderUnreachable(f"the {self.provider.name} provider's keys could "
                                          "not be fetched; try again shortly") from None
            except jwt.PyJWKClientError:
                raise TokenError(f"the token's key {kid!r} is not one of the "
                                 f"{self.provider.name} provider's") from None
        for key in self._from_file().keys:
            if key.key_id == kid:
                return key
        raise TokenError(f"the token's key {kid!r} is not one of the {self.provider.name} "
                         "provider's")

    def _from_file(self) -> PyJWKSet:
        path = self.provider.jwks_file
        assert path is not None
        with self._lock:
            try:
                stamp = path.stat().st_mtime
                if self._file_keys is None or stamp != self._file_stamp:
                    self._file_keys = PyJWKSet.from_dict(json.loads(path.read_text()))
                    self._file_stamp = stamp
            except (OSError, ValueError, jwt.PyJWKSetError) as bad:
                raise TokenError(f"the {self.provider.name} provider's key file cannot be "
                                 f"read: {bad}") from None
            return self._file_keys


@dataclass
class Providers:
    """The trusted identity providers, by issuer."""

    by_issuer: dict[str, tuple[Provider, Keys]] = field(default_factory=dict)

    @classmethod
    def of(cls, providers: list[Provider]) -> Providers:
        return cls({p.issuer: (p, Keys(p)) for p in providers})

    def verify(self, token: str, issuer: str, longest: timedelta,
               nonce: str | None = None) -> Verified:
        """A token from `issuer` (one of ours: `trusts` says), verified and mapped; with
        `nonce`, an ID token from the sign-in this service began (its audience the client
        id, its nonce the one sent)."""
        provider, keys = self.by_issuer[issuer]
        audience = [provider.client_id] if nonce is not None and provider.client_id \
            else list(provider.audience)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as bad:
            raise TokenError(refusal(bad)) from None
        algorithm = header.get("alg")
        if algorithm not in provider.algorithms:
            raise TokenError(f"the token is signed with {algorithm!r}; the {provider.name} "
                             f"provider is trusted for {', '.join(provider.algorithms)}")
        key = keys.key_for(header.get("kid"))
        try:
            claims = jwt.decode(token, key, algorithms=list(provider.algorithms),
                                audience=audience, issuer=provider.issuer,
                                leeway=LEEWAY, options={"require": _REQUIRED})
        except jwt.InvalidTokenError as bad:
            raise TokenError(refusal(bad)) from None
        if nonce is not None and claims.get("nonce") != nonce:
            raise TokenError("the ID token's nonce is not the one this sign-in sent")
        check_lifetime(claims, longest)
        principal = provider.principal(claims)
        token_id = claims.get("jti") or claims.get("uti")  # Entra ID calls it uti
        return Verified(principal, token_id if isinstance(token_id, str) else None,
                        datetime.fromtimestamp(int(claims["exp"]), UTC), provider.issuer)

    def trusts(self, issuer: object) -> bool:
        return isinstance(issuer, str) and issuer in self.by_issuer

    def by_redirect(self) -> list[Provider]:
        """The providers people may sign in with by redirect, in the file's order."""
        return [p for p, _ in self.by_issuer.values() if p.signs_in_by_redirect]


def load_providers(path: Path | None,
                   environ: Mapping[str, str] | None = None) -> list[Provider]:
    """The providers the TOML file at `path` configures (none without a file); client
    secrets come from `environ` (the process's environment)."""
    if path is None:
        return []
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as unreadable:
        raise ProviderConfigError(f"{path}: {unreadable.strerror or unreadable}") from None
    except tomllib.TOMLDecodeError as bad:
        raise ProviderConfigError(f"{path}: not TOML: {bad}") from None
    tables = document.get("provider", [])
    if not isinstance(tables, list) or not tables:
        raise ProviderConfigError(f"{path}: configure each provider as a [[provider]] table")
    env = dict(os.environ if environ is None else environ)
    providers = [_provider(path, i + 1, table, env) for i, table in enumerate(tables)]
    issuers = [p.issuer for p in providers]
    if len(set(issuers)) != len(issuers):
        raise ProviderConfigError(f"{path}: two providers share an issuer")
    return providers


_REDIRECT = ("client_id", "authorization_endpoint", "token_endpoint", "redirect_uri")
_KNOWN = {"name", "issuer", "audience", "jwks_url", "jwks_file", "algorithms", "subject_claim",
          "roles_claim", "roles", "la", "la_claim", "authorities_claim", "authorities", "body",
          "cache_seconds", "min_refetch_seconds", *_REDIRECT, "client_secret_env", "scopes"}


def _provider(path: Path, number: int, table: object, env: Mapping[str, str]) -> Provider:
    def bad(message: str) -> ProviderConfigError:
        return ProviderConfigError(f"{path}: provider {number}: {message}")

    if not isinstance(table, dict):
        raise bad("must be a table")
    unknown = sorted(set(table) - _KNOWN)
    if unknown:
        raise bad(f"unknown setting(s) {', '.join(unknown)}")
    issuer, name = table.get("issuer"), table.get("name", f"provider {number}")
    if not isinstance(issuer, str) or not issuer:
        raise bad("needs an issuer (the tokens' iss)")
    audience = table.get("audience")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or not audiences or not all(
            isinstance(a, str) and a for a in audiences):
        raise bad("needs an audience (the tokens' aud: this service's client id or app id URI)")
    url, file = table.get("jwks_url"), table.get("jwks_file")
    if (url is None) == (file is None):
        raise bad("give exactly one of jwks_url and jwks_file")
    if url is not None and not _https(str(url)):
        raise bad(f"jwks_url must be https (plain http only on loopback): {url}")
    algorithms = tuple(table.get("algorithms", ALGORITHMS))
    refused = [a for a in algorithms if a not in ALGORITHMS]
    if refused or not algorithms:
        raise bad(f"algorithms may be {', '.join(ALGORITHMS)}, not {', '.join(map(str, refused))}")
    roles: dict[str, Role] = {}
    for value, role in dict(table.get("roles", {})).items():
        known = next((r for r in Role if r.value == role), None)
        if known is None:
            raise bad(f"roles: {value!r} maps to {role!r}, which is no role "
                      f"({', '.join(r.value for r in Role)})")
        roles[str(value)] = known
    if not roles:
        raise bad("map at least one value of the roles claim to a role ([provider.roles])")
    redirect = [k for k in _REDIRECT if table.get(k) is not None]
    if redirect and len(redirect) != len(_REDIRECT):
        missing = [k for k in _REDIRECT if k not in redirect]
        raise bad(f"signing in by redirect needs {', '.join(_REDIRECT)}; missing "
                  f"{', '.join(missing)}")
    for name_ in ("authorization_endpoint", "token_endpoint"):
        if table.get(name_) is not None and not _https(str(table[name_])):
            raise bad(f"{name_} must be https (plain http only on loopback)")
    secret_env = table.get("client_secret_env")
    secret = None if secret_env is None else env.get(str(secret_env))
    if secret_env is not None and not secret:
        raise bad(f"client_secret_env names {secret_env}, which is not set")
    ways = [k for k in ("la", "la_claim", "authorities_claim") if table.get(k) is not None]
    if len(ways) > 1:
        raise bad(f"name the authority one way, not {' and '.join(ways)}")
    try:
        return Provider(
            name=str(name), issuer=issuer, audience=tuple(audiences),
            jwks_url=None if url is None else str(url),
            jwks_file=None if file is None else (path.parent / str(file)),
            algorithms=algorithms, subject_claim=str(table.get("subject_claim", "sub")),
            roles_claim=str(table.get("roles_claim", "roles")), roles=roles,
            la=table.get("la"), la_claim=table.get("la_claim"),
            authorities_claim=table.get("authorities_claim"),
            authorities={str(k): str(v) for k, v in dict(table.get("authorities", {})).items()},
            body=table.get("body"),
            cache_seconds=float(table.get("cache_seconds", 300)),
            min_refetch_seconds=float(table.get("min_refetch_seconds", 60)),
            client_id=table.get("client_id"),
            authorization_endpoint=table.get("authorization_endpoint"),
            token_endpoint=table.get("token_endpoint"), redirect_uri=table.get("redirect_uri"),
            client_secret=secret, scopes=str(table.get("scopes", "openid profile email")))
    except (TypeError, ValueError) as wrong:
        raise bad(str(wrong)) from None


def _https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname))
