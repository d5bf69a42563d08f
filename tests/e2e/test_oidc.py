"""Identity providers: a local OpenID Connect issuer, run by the test (keys generated here, its
JWKS served on loopback), signs tokens that work on the API and the dashboard; tokens from
another issuer, for another audience, expired, over-long or badly mapped are refused."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import get_default_algorithms

from iro_ledger.settings import Settings
from tests.e2e import (
    BROWSER_URL,
    LA,
    OTHER_LA,
    SECRET,
    Api,
    raise_challenge,
    running_api,
    seed,
    sign_in,
)
from tests.e2e import sign_in_form as form_sign_in

AUDIENCE = "api://iro-ledger-test"
CLIENT_ID = "iro-ledger-test-client"
CLIENT_SECRET = "a-client-secret-only-this-test-knows"
PANEL = "Fictional Arbitration Panel"


def private_key(algorithm: str) -> Any:
    if algorithm == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    return Ed25519PrivateKey.generate()


@dataclass
class LocalIssuer:
    """An OpenID Connect provider in miniature: signing keys and their JWKS on loopback."""

    issuer: str = ""
    keys: dict[str, tuple[Any, str]] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)
    fetches: int = 0
    server: ThreadingHTTPServer | None = None
    signing_in: dict[str, Any] = field(default_factory=lambda: {"sub": "iro-ada",
                                                                "roles": ["IRO"]})
    """The claims of whoever signs in at /authorize next (and a `nonce` to send instead)."""
    codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def add_key(self, kid: str, algorithm: str, publish: bool = True) -> None:
        self.keys[kid] = (private_key(algorithm), algorithm)
        if publish:
            self.published.append(kid)

    def jwks(self) -> dict[str, Any]:
        found = []
        for kid in self.published:
            key, algorithm = self.keys[kid]
            jwk = get_default_algorithms()[algorithm].to_jwk(key.public_key(), as_dict=True)
            found.append({**jwk, "kid": kid, "alg": algorithm, "use": "sig"})
        return {"keys": found}

    def token(self, kid: str = "rsa-1", lifetime: timedelta = timedelta(hours=1),
              issued: datetime | None = None, **claims: Any) -> str:
        key, algorithm = self.keys[kid]
        now = issued or datetime.now(UTC)
        body: dict[str, Any] = {"iss": self.issuer, "aud": AUDIENCE, "sub": "iro-ada",
                                "roles": ["IRO"], "iat": now, "exp": now + lifetime,
                                "uti": secrets.token_hex(8)}
        body.update(claims)
        return jwt.encode({k: v for k, v in body.items() if v is not None}, key,
                          algorithm=algorithm, headers={"kid": kid})


def serve(issuer: LocalIssuer) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path == "/authorize":
                self.authorize(dict(parse_qsl(query)))
                return
            if path != "/keys":
                self.send_error(404)
                return
            issuer.fetches += 1
            self.answer(issuer.jwks())

        def authorize(self, asked: dict[str, str]) -> None:
            """Signs `signing_in` in at once and sends the browser back with a code."""
            assert asked["response_type"] == "code" and asked["client_id"] == CLIENT_ID
            assert asked["code_challenge_method"] == "S256"
            code = secrets.token_urlsafe(16)
            issuer.codes[code] = asked
            self.send_response(302)
            self.send_header("Location", f"{asked['redirect_uri']}?"
                             + urlencode({"code": code, "state": asked["state"]}))
            self.end_headers()

        def do_POST(self) -> None:
            """The token endpoint: the code once, with its PKCE verifier and the secret."""
            length = int(self.headers["Content-Length"])
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            asked = issuer.codes.pop(form.get("code", ""), None)
            challenge = base64.urlsafe_b64encode(hashlib.sha256(
                form.get("code_verifier", "").encode()).digest()).rstrip(b"=").decode()
            if (self.path != "/token" or asked is None or challenge != asked["code_challenge"]
                    or form.get("client_secret") != CLIENT_SECRET):
                self.send_error(400)
                return
            claims = {"aud": CLIENT_ID, "nonce": asked["nonce"], **issuer.signing_in}
            self.answer({"id_token": issuer.token(**claims), "token_type": "Bearer"})

        def answer(self, document: dict[str, Any]) -> None:
            body = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def northwold() -> Iterator[LocalIssuer]:
    """Northwold's provider (Entra-like: app roles in `roles`), its keys served on loopback."""
    issuer = LocalIssuer()
    for kid, algorithm in (("rsa-1", "RS256"), ("ec-1", "ES256"), ("ed-1", "EdDSA")):
        issuer.add_key(kid, algorithm)
    issuer.server = serve(issuer)
    issuer.issuer = f"http://127.0.0.1:{issuer.server.server_address[1]}/northwold/v2.0"
    yield issuer
    issuer.server.shutdown()
    issuer.server.server_close()


@pytest.fixture
def consortium(tmp_path: Path) -> LocalIssuer:
    """A second provider (groups, several authorities) whose keys are in a file."""
    issuer = LocalIssuer(issuer="https://idp.consortium.invalid")
    issuer.add_key("ed-c", "EdDSA")
    (tmp_path / "consortium-jwks.json").write_text(json.dumps(issuer.jwks()))
    return issuer


def providers_file(tmp_path: Path, northwold: LocalIssuer, consortium: LocalIssuer) -> Path:
    assert northwold.server is not None
    port = northwold.server.server_address[1]
    path = tmp_path / "providers.toml"
    path.write_text(f"""
[[provider]]
name = "Northwold Entra ID (test)"
issuer = "{northwold.issuer}"
audience = "{AUDIENCE}"
jwks_url = "http://127.0.0.1:{port}/keys"
la = "{LA}"
min_refetch_seconds = 0.5
client_id = "{CLIENT_ID}"
authorization_endpoint = "http://127.0.0.1:{port}/authorize"
token_endpoint = "http://127.0.0.1:{port}/token"
redirect_uri = "{BROWSER_URL}/login/callback"
client_secret_env = "IRO_LEDGER_TEST_CLIENT_SECRET"

[provider.roles]
"IRO" = "iro"
"Ledger.Manager" = "la_manager"
"Ledger.Inspector" = "inspector"

[[provider]]
name = "Consortium (test)"
issuer = "{consortium.issuer}"
audience = ["{AUDIENCE}"]
jwks_file = "consortium-jwks.json"
roles_claim = "groups"
authorities_claim = "groups"
body = "{PANEL}"

[provider.roles]
"g-managers" = "la_manager"
"g-arbitrators" = "arbitrator"

[provider.authorities]
"g-southmere" = "{OTHER_LA}"
""")
    return path


@pytest.fixture
def api(tmp_path: Path, northwold: LocalIssuer, consortium: LocalIssuer,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("IRO_LEDGER_TEST_CLIENT_SECRET", CLIENT_SECRET)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite'}",
                        jwt_secret=SECRET,
                        identity_providers=providers_file(tmp_path, northwold, consortium))
    with running_api(settings.database_url, settings=settings) as running:
        seed(running)
        yield running


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refusal(api: Api, token: str) -> str:
    response = api.read("/flags", bearer(token))
    assert response.status_code == 401, response.text
    detail: str = response.json()["detail"]
    return detail


@pytest.mark.parametrize("kid", ["rsa-1", "ec-1", "ed-1"])
def test_an_iro_signed_in_by_the_provider_records_a_challenge(
        api: Api, northwold: LocalIssuer, kid: str) -> None:
    token = northwold.token(kid, sub="iro-ada", roles=["IRO"])

    challenge = raise_challenge(api, who=bearer(token))

    assert challenge.startswith("ch-")
    principal = api.app.state.services.identity.verify(token).principal
    assert (principal.sub, principal.role.value, principal.la_code) == ("iro-ada", "iro", LA)


def test_a_providers_token_signs_in_on_the_dashboard(
        api: Api, northwold: LocalIssuer) -> None:
    sign_in(api.client, northwold.token(sub="mgr-cara", roles=["Ledger.Manager"]))

    page = api.client.get("/")

    assert page.status_code == 200
    assert "mgr-cara" in page.text


def test_groups_map_to_a_role_an_authority_and_a_body(
        api: Api, consortium: LocalIssuer) -> None:
    manager = consortium.token("ed-c", sub="mgr-olu", roles=None,
                               groups=["g-managers", "g-southmere", "g-unrelated"])
    arbitrator = consortium.token("ed-c", sub="arb-fay", roles=None, groups=["g-arbitrators"])

    verify = api.app.state.services.identity.verify
    assert (verify(manager).principal.role.value, verify(manager).principal.la_code) == (
        "la_manager", OTHER_LA)
    assert verify(arbitrator).principal.body == PANEL
    assert api.read(f"/authorities/{OTHER_LA}/challenges", bearer(manager)).status_code == 200


def test_a_token_from_another_issuer_is_refused(api: Api) -> None:
    stranger = LocalIssuer(issuer="https://login.elsewhere.invalid/v2.0")
    stranger.add_key("rsa-1", "RS256")

    assert "an issuer this service does not trust" in refusal(api, stranger.token())
    response = form_sign_in(api.client, stranger.token())
    assert response.status_code == 401


def test_a_token_claiming_the_issuer_but_signed_with_another_key_is_refused(
        api: Api, northwold: LocalIssuer) -> None:
    northwold.add_key("rogue", "RS256", publish=False)

    assert "is not one of the Northwold" in refusal(api, northwold.token("rogue"))


def test_a_token_for_another_audience_is_refused(api: Api, northwold: LocalIssuer) -> None:
    assert "another audience" in refusal(api, northwold.token(aud="api://another-service"))


def test_an_expired_token_is_refused(api: Api, northwold: LocalIssuer) -> None:
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)

    assert "expired" in refusal(api, northwold.token(issued=two_hours_ago))


def test_an_over_long_token_is_refused(api: Api, northwold: LocalIssuer) -> None:
    assert "lives longer than the 720 minutes" in refusal(
        api, northwold.token(lifetime=timedelta(hours=13)))


def test_an_hmac_token_naming_the_provider_is_refused(api: Api, northwold: LocalIssuer) -> None:
    now = datetime.now(UTC)
    forged = jwt.encode({"iss": northwold.issuer, "aud": AUDIENCE, "sub": "x", "roles": ["IRO"],
                         "iat": now, "exp": now + timedelta(minutes=5)}, SECRET,
                        algorithm="HS256", headers={"kid": "rsa-1"})

    assert "signed with 'HS256'" in refusal(api, forged)


def test_a_token_whose_roles_map_to_nothing_is_refused(api: Api, northwold: LocalIssuer) -> None:
    assert "give no role in iro-ledger" in refusal(api, northwold.token(roles=["Finance"]))


def test_a_token_whose_roles_map_to_two_roles_is_refused(
        api: Api, northwold: LocalIssuer) -> None:
    assert "more than one role" in refusal(
        api, northwold.token(roles=["IRO", "Ledger.Manager"]))


def test_a_rotated_key_is_fetched_when_first_seen(api: Api, northwold: LocalIssuer) -> None:
    assert api.read("/flags", bearer(northwold.token(roles=["Ledger.Inspector"]))).status_code \
        == 200
    northwold.add_key("rsa-2", "RS256")
    time.sleep(0.6)  # past the provider's refetch floor (0.5 s here; 60 s by default)

    response = api.read("/flags", bearer(northwold.token("rsa-2", roles=["Ledger.Inspector"])))

    assert response.status_code == 200, response.text


def test_unknown_key_ids_cannot_make_the_service_hammer_the_provider(
        api: Api, northwold: LocalIssuer) -> None:
    api.read("/flags", bearer(northwold.token(roles=["Ledger.Inspector"])))
    before = northwold.fetches
    northwold.add_key("made-up", "RS256", publish=False)

    for _ in range(20):
        refusal(api, northwold.token("made-up"))

    assert northwold.fetches - before <= 1


def test_a_provider_that_cannot_be_reached_is_a_503_to_try_again_not_a_refusal(
        api: Api, northwold: LocalIssuer) -> None:
    token = northwold.token(roles=["Ledger.Inspector"])
    assert northwold.server is not None
    northwold.server.shutdown()
    northwold.server.server_close()

    response = api.read("/flags", bearer(token))

    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"].isdigit()
    assert "could not be fetched" in response.json()["detail"]


def test_a_provider_that_cannot_be_reached_asks_the_dashboard_user_to_try_again(
        api: Api, northwold: LocalIssuer) -> None:
    token = northwold.token(sub="mgr-cara", roles=["Ledger.Manager"])
    assert northwold.server is not None
    northwold.server.shutdown()
    northwold.server.server_close()

    page = form_sign_in(api.client, token)

    assert page.status_code == 503
    assert "try again" in page.text and "mgr-cara" not in page.text


# Signing in by redirect: the authorization code flow with PKCE


def go_to_provider(api: Api, next_path: str = "/") -> str:
    """Press "Sign in with ..." and let the provider answer: the callback address it sends
    the browser back to."""
    form = api.client.get("/login")
    assert "Sign in with Northwold Entra ID (test)" in form.text
    begun = api.client.get("/login/provider/0", params={"next": next_path},
                           follow_redirects=False)
    assert begun.status_code == 303
    answered = httpx.get(begun.headers["location"], follow_redirects=False)
    assert answered.status_code == 302
    back = urlsplit(answered.headers["location"])
    return f"{back.path}?{back.query}"


def test_signing_in_by_redirect_to_the_provider_starts_a_session(
        api: Api, northwold: LocalIssuer) -> None:
    northwold.signing_in = {"sub": "mgr-cara", "roles": ["Ledger.Manager"]}
    callback = go_to_provider(api, "/ui/flags")

    back = api.client.get(callback, follow_redirects=False)

    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/ui/flags"
    page = api.client.get("/")
    assert page.status_code == 200
    assert "mgr-cara" in page.text


def test_the_providers_answer_works_once(api: Api) -> None:
    callback = go_to_provider(api)
    assert api.client.get(callback, follow_redirects=False).status_code == 303
    state = dict(parse_qsl(urlsplit(callback).query))["state"]
    api.client.cookies.clear()
    api.client.cookies.set("iro_ledger_flow", state, path="/login")

    again = api.client.get(callback, follow_redirects=False)

    assert again.status_code == 401
    assert "already used" in again.text
    assert api.client.get("/", follow_redirects=False).status_code == 303


def test_an_answer_for_a_sign_in_another_browser_began_is_refused(api: Api) -> None:
    callback = go_to_provider(api)
    api.client.cookies.clear()  # the victim's browser: it began no sign-in

    response = api.client.get(callback, follow_redirects=False)

    assert response.status_code == 403
    assert "not begun in this browser" in response.text


def test_an_id_token_with_another_nonce_is_refused(api: Api, northwold: LocalIssuer) -> None:
    northwold.signing_in = {"sub": "iro-ada", "roles": ["IRO"], "nonce": "replayed-nonce"}

    response = api.client.get(go_to_provider(api), follow_redirects=False)

    assert response.status_code == 401
    assert "nonce" in response.text
