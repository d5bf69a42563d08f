"""Signing in by redirect to an identity provider: the OpenID Connect authorization code flow
with PKCE (RFC 7636), for the dashboard.

`begin` remembers a fresh state, nonce and code verifier (server-side, single use, ten
minutes) and gives the provider's authorization URL; the browser comes back to
`/login/callback?code=...&state=...`, where `finish` takes the state (once), exchanges the
code at the provider's token endpoint (with the verifier, and the client secret if the
provider has one) and verifies the ID token as any of the provider's tokens, but addressed to
this client and carrying the nonce sent. The code and state in the callback's URL are useless
once used, and the access log never shows them (`api.redaction`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlencode

from iro_ledger.identity.oidc import Provider, Providers
from iro_ledger.identity.sessions import Pending, SignIns
from iro_ledger.identity.tokens import ProviderUnreachable, TokenError, Verified

PENDING_SECONDS = 10 * 60
"""How long a person has at the provider before the sign-in must begin again."""


def begin(provider: Provider, sign_ins: SignIns, next_path: str) -> tuple[str, str]:
    """The provider's authorization URL for a new sign-in, and its state (for the browser's
    cookie, so the answer can only finish a sign-in this browser began)."""
    assert provider.client_id and provider.authorization_endpoint and provider.redirect_uri
    pending = Pending(state=secrets.token_urlsafe(24), issuer=provider.issuer,
                      nonce=secrets.token_urlsafe(24), verifier=secrets.token_urlsafe(48),
                      next=next_path)
    sign_ins.remember_pending(pending, PENDING_SECONDS)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(pending.verifier.encode("ascii")).digest()).rstrip(b"=").decode()
    query = urlencode({"response_type": "code", "client_id": provider.client_id,
                       "redirect_uri": provider.redirect_uri, "scope": provider.scopes,
                       "state": pending.state, "nonce": pending.nonce,
                       "code_challenge": challenge, "code_challenge_method": "S256"})
    separator = "&" if "?" in provider.authorization_endpoint else "?"
    return f"{provider.authorization_endpoint}{separator}{query}", pending.state


def finish(providers: Providers, sign_ins: SignIns, code: str, state: str,
           longest: timedelta) -> tuple[Verified, str]:
    """The person the provider signed in, and where they were going; `TokenError` if the
    state is unknown, used or stale, or the provider's answer does not verify."""
    pending = sign_ins.take_pending(state)
    if pending is None or not providers.trusts(pending.issuer):
        raise TokenError("this sign-in has expired or was already used; please start again")
    provider, _ = providers.by_issuer[pending.issuer]
    id_token = _exchange(provider, code, pending.verifier)
    return providers.verify(id_token, provider.issuer, longest, nonce=pending.nonce), \
        pending.next


def _exchange(provider: Provider, code: str, verifier: str) -> str:
    assert provider.token_endpoint and provider.client_id and provider.redirect_uri
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": provider.redirect_uri, "client_id": provider.client_id,
            "code_verifier": verifier}
    if provider.client_secret:
        form["client_secret"] = provider.client_secret
    request = urllib.request.Request(
        provider.token_endpoint, data=urlencode(form).encode("ascii"), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read(1_000_000))
    except urllib.error.HTTPError as refused:
        raise TokenError(f"the {provider.name} provider refused the sign-in "
                         f"(HTTP {refused.code})") from None
    except OSError:
        raise ProviderUnreachable(f"the {provider.name} provider could not be reached; try "
                                  "again shortly") from None
    except ValueError:
        raise TokenError(f"the {provider.name} provider's answer was not JSON") from None
    id_token = answer.get("id_token") if isinstance(answer, dict) else None
    if not isinstance(id_token, str):
        raise TokenError(f"the {provider.name} provider sent no ID token")
    return id_token
