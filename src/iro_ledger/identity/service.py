"""`Identity`: the one place a presented token becomes a principal, for every surface.

Built once per process by `wiring.build_services`. The API's bearer tokens, the dashboard's
sign-in and the CLI's `--token` all call `verify`, so each accepts exactly the same tokens
and refuses revoked ones. A token's (unverified) issuer chooses who verifies it: the
service's own (`identity.tokens`) or a configured identity provider (`identity.oidc`); any
other issuer is refused before any key is looked for. Dashboard sessions and the demo's
sign-in codes are kept by `sign_ins` (`identity.sessions`).

A token that verified is remembered (`VerifiedTokens`), so the next request bearing the very
same string skips its signature and claims; revocation is still asked of the store every
time, since another process (`iro-ledger revoke`) may have revoked it a moment ago.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import jwt

from iro_ledger.application.access import Principal
from iro_ledger.identity import redirect
from iro_ledger.identity.oidc import Providers, load_providers
from iro_ledger.identity.sessions import Session, SignIns
from iro_ledger.identity.tokens import TokenError, TokenPolicy, Verified, verify_token
from iro_ledger.projections.db import Database
from iro_ledger.settings import Settings

CODE_TTL_SECONDS = 15 * 60
"""How long a demo's sign-in link works (once)."""
REMEMBERED_TOKENS = 4096
"""Verified tokens kept at most (the least recently presented go first): a few MB."""
REMEMBERED_SECONDS = 10 * 60
"""The longest a verification is reused, even for a token living longer: an identity
provider's rotated-out key stops being honoured within this."""


class VerifiedTokens:
    """Tokens verified lately, keyed by the whole token string, each until the earlier of its
    `exp` and `REMEMBERED_SECONDS` after it was verified; bounded, least recently used first
    out. Only what verified is kept: a refused token is checked again every time."""

    def __init__(self, size: int = REMEMBERED_TOKENS,
                 seconds: float = REMEMBERED_SECONDS) -> None:
        self.size = size
        self.seconds = seconds
        self._kept: OrderedDict[str, tuple[float, Verified]] = OrderedDict()
        self._lock = threading.Lock()  # the dashboard verifies from the thread pool

    def get(self, token: str, now: float) -> Verified | None:
        with self._lock:
            kept = self._kept.get(token)
            if kept is None:
                return None
            if now >= kept[0]:
                del self._kept[token]
                return None
            self._kept.move_to_end(token)
            return kept[1]

    def keep(self, token: str, verified: Verified, now: float) -> None:
        until = min(verified.expires_at.timestamp(), now + self.seconds)
        if until <= now or self.size <= 0:
            return
        with self._lock:
            self._kept[token] = (until, verified)
            self._kept.move_to_end(token)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


@dataclass
class Identity:
    policy: TokenPolicy
    sign_ins: SignIns
    session_seconds: int = 8 * 60 * 60
    """The longest a dashboard session lasts (never beyond the token it began with)."""
    providers: Providers = field(default_factory=Providers)
    verified_tokens: VerifiedTokens = field(default_factory=VerifiedTokens, repr=False)

    def verify(self, token: str) -> Verified:
        """The principal `token` names, or `TokenError` saying why it is refused."""
        token = token.strip()
        now = time.time()
        verified = self.verified_tokens.get(token, now)
        if verified is None:
            verified = self._check(token)
            self.verified_tokens.keep(token, verified, now)
        if verified.jti is not None and self.sign_ins.is_revoked(verified.jti):
            raise TokenError("the token was revoked")
        return verified

    def _check(self, token: str) -> Verified:
        """The token's signature and claims, by whoever its (unverified) issuer names."""
        issuer = _issuer(token)
        if self.providers.trusts(issuer) and issuer != self.policy.issuer:
            return self.providers.verify(token, str(issuer), self.policy.max_lifetime)
        if issuer is None or issuer == self.policy.issuer:
            return verify_token(self.policy, token)
        raise TokenError(f"the token is from {issuer!r}, an issuer this service does not "
                         "trust")

    def sign_in(self, token: str) -> tuple[str, Session]:
        """A dashboard session for the holder of `token`: the cookie value and the session."""
        verified = self.verify(token)
        ends = min(int(verified.expires_at.timestamp()), int(time.time()) + self.session_seconds)
        return self.sign_ins.start(verified.principal, verified.jti, ends)

    def sign_in_with_code(self, code: str) -> tuple[str, Session] | None:
        """A session for a one-time code's principal; None if the code is unknown or spent."""
        principal = self.sign_ins.redeem_code(code)
        if principal is None:
            return None
        return self.sign_ins.start(principal, None, int(time.time()) + self.session_seconds)

    def redirect_providers(self) -> list[str]:
        """The names of the providers people may sign in with by redirect, in order."""
        return [p.name for p in self.providers.by_redirect()]

    def begin_redirect(self, number: int, next_path: str) -> tuple[str, str] | None:
        """The authorization URL and state for signing in with the `number`th redirect
        provider (from 0); None if there is no such provider."""
        choices = self.providers.by_redirect()
        if not 0 <= number < len(choices):
            return None
        return redirect.begin(choices[number], self.sign_ins, next_path)

    def finish_redirect(self, code: str, state: str) -> tuple[str, Session, str]:
        """A session for whoever the provider signed in: the cookie, the session and where
        they were going; `TokenError` if the answer is stale, replayed or does not verify."""
        verified, next_path = redirect.finish(self.providers, self.sign_ins, code, state,
                                              self.policy.max_lifetime)
        if verified.jti is not None and self.sign_ins.is_revoked(verified.jti):
            raise TokenError("the token was revoked")
        # The provider vouched for the person just now: the session lasts its own length,
        # not the ID token's (which only had to be fresh when presented).
        cookie, session = self.sign_ins.start(verified.principal, verified.jti,
                                              int(time.time()) + self.session_seconds)
        return cookie, session, next_path

    def issue_code(self, principal: Principal) -> str:
        return self.sign_ins.issue_code(principal, CODE_TTL_SECONDS)

    def revoke(self, token_or_jti: str, revoked_by: str, reason: str) -> tuple[str, int]:
        """Revoke a token (given whole, or by its `jti`): the jti and the sessions ended."""
        jti, expires_at = _jti_of(token_or_jti.strip(), self.policy)
        return jti, self.sign_ins.revoke(jti, expires_at, revoked_by, reason)


def identity_for(settings: Settings, db: Database | None = None) -> Identity:
    """The `Identity` of a process with `settings`, keeping sessions and revocations in `db`
    (default: a connection of its own to the store's database; close it when done).
    `ProviderConfigError` if the identity providers' file cannot be used."""
    return Identity(TokenPolicy.of(settings),
                    SignIns(db or Database(settings.resolved_database_url())),
                    session_seconds=settings.session_ttl_minutes * 60,
                    providers=Providers.of(load_providers(settings.identity_providers)))


def _issuer(token: str) -> object:
    """The issuer a token claims, unverified (None if it names none, or is no token)."""
    try:
        return jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.InvalidTokenError:
        return None


def _jti_of(token_or_jti: str, policy: TokenPolicy) -> tuple[str, int]:
    """The jti to revoke and when its token would expire anyway (unknown: the longest a
    token may live from now, after which it would be refused as over-long)."""
    longest = int(time.time() + policy.max_lifetime.total_seconds())
    if token_or_jti.count(".") != 2:
        if not token_or_jti:
            raise TokenError("give a token or its jti")
        return token_or_jti, longest
    try:
        claims = jwt.decode(token_or_jti, options={"verify_signature": False})
    except jwt.InvalidTokenError as bad:
        raise TokenError(f"that is not a token: {bad}") from None
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise TokenError("that token has no jti, so it cannot be revoked by id")
    exp = claims.get("exp")
    return jti, int(exp) if isinstance(exp, int) else longest
