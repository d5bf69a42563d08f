"""The design's access table, route by route: every route of the app (API and dashboard, found
by walking `app.routes`, so a new route cannot be missed) by every role, by the principal's own
and a foreign authority.

DESIGN ("Privacy and access"): a principal belongs to one authority, except inspectors and
arbitrators; authority data never crosses to another authority's principals; an arbitrator
sees only disputes referred to their body; inspectors and arbitrators write nothing. Who may
record which command is `application/access.py`'s table, restated here so that a change to it
must be made on purpose in both places.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount

from iro_ledger.api.app import create_app
from iro_ledger.application.commands import COMMANDS
from iro_ledger.settings import Settings
from iro_ledger.trust.keys import ensure_signing_key
from tests.builders import EXAMPLES
from tests.e2e import (
    ADMIN,
    ARBITRATOR,
    INSPECTOR,
    IRO_ADA,
    IRO_MANAGER,
    LA,
    MANAGER,
    OTHER_LA,
    SECRET,
    Api,
    bearer,
    running_api,
    seed,
    sign_in,
    sign_in_form,
)


class Access(Enum):
    PUBLIC = "anyone, signed in or not"
    SIGNED_IN = "anyone signed in"
    AUTHORITY = "the authority's own principals, admins and inspectors"
    REFERRED = "as AUTHORITY, and arbitrators (who see only what is referred to them)"
    RECORDERS = "anyone signed in who records something (not inspectors or arbitrators)"
    FORM = "the roles that may record the form's command (a challenge's, here)"
    FORM_POST = "a form sent with the session's CSRF token; without it refused (403)"
    SIGN_IN_STEP = "anyone arriving mid sign-in; a sign-in not begun here is refused (403)"
    COMMAND = "the roles the command table allows, in their own authority; admins anywhere"


def every_route(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route, through included routers and mounts."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:  # FastAPI keeps an included router whole
            yield from every_route(inner.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Mount):
            yield "GET", f"{prefix}{route.path}/{{path}}"
        else:
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                if method != "HEAD":
                    yield method, prefix + getattr(route, "path", "")


TABLE: dict[tuple[str, str], Access] = {
    ("GET", "/openapi.json"): Access.PUBLIC,
    ("GET", "/health"): Access.PUBLIC,
    ("GET", "/ready"): Access.PUBLIC,
    ("GET", "/authorities/{la_code}"): Access.AUTHORITY,
    ("GET", "/authorities/{la_code}/cases/{record_id}"): Access.AUTHORITY,
    ("GET", "/authorities/{la_code}/challenges/{record_id}"): Access.AUTHORITY,
    ("GET", "/authorities/{la_code}/officers/{record_id}"): Access.AUTHORITY,
    ("GET", "/authorities/{la_code}/instructions/{record_id}"): Access.AUTHORITY,
    ("GET", "/authorities/{la_code}/reports/{record_id}"): Access.AUTHORITY,
    ("GET", "/authorities/{la_code}/concerns/{record_id}"): Access.AUTHORITY,
    ("GET", "/proof/disputes/{la_code}/{challenge_id}/bundle"): Access.AUTHORITY,
    ("GET", "/proof/disputes/{la_code}/{challenge_id}/bundle.pdf"): Access.AUTHORITY,
    ("GET", "/ui/authorities/{la_code}/challenges/{challenge_id}/bundle.zip"): Access.AUTHORITY,
    ("GET", "/authorities/{la_code}/cases/{case_id}/timeline"): Access.AUTHORITY,
    ("GET", "/authorities/{la_code}/challenges"): Access.REFERRED,
    ("GET", "/authorities/{la_code}/officers/{officer_id}/record"): Access.AUTHORITY,
    ("GET", "/authorities/{la_code}/measures"): Access.AUTHORITY,
    ("GET", "/authorities/{la_code}/data-quality"): Access.AUTHORITY,
    ("GET", "/authorities/{la_code}/data-quality/findings"): Access.AUTHORITY,
    ("GET", "/flags"): Access.AUTHORITY,
    ("GET", "/flags/{flag_id}"): Access.AUTHORITY,
    ("GET", "/proof/public-key"): Access.PUBLIC,
    ("GET", "/proof/checkpoints/latest"): Access.PUBLIC,
    ("GET", "/proof/checkpoints"): Access.PUBLIC,
    ("POST", "/proof/cosignatures"): Access.PUBLIC,
    ("GET", "/proof/consistency"): Access.PUBLIC,
    ("GET", "/proof/receipts"): Access.AUTHORITY,
    ("GET", "/login"): Access.PUBLIC,
    ("POST", "/login"): Access.PUBLIC,
    ("POST", "/logout"): Access.PUBLIC,
    ("GET", "/login/provider/{number}"): Access.PUBLIC,
    ("GET", "/login/callback"): Access.SIGN_IN_STEP,
    ("GET", "/"): Access.SIGNED_IN,
    ("GET", "/ui/authorities/{la_code}"): Access.REFERRED,
    ("GET", "/ui/authorities/{la_code}/challenges.csv"): Access.REFERRED,
    ("GET", "/ui/authorities/{la_code}/officers.csv"): Access.AUTHORITY,
    ("GET", "/ui/authorities/{la_code}/cases/{case_id}"): Access.AUTHORITY,
    ("GET", "/ui/authorities/{la_code}/officers/{officer_id}"): Access.AUTHORITY,
    ("GET", "/ui/authorities/{la_code}/data-quality"): Access.AUTHORITY,
    ("GET", "/ui/flags"): Access.AUTHORITY,
    ("GET", "/ui/flags/{flag_id}"): Access.AUTHORITY,
    ("GET", "/ui/authorities/{la_code}/records/{kind}/{ref}"): Access.AUTHORITY,
    ("GET", "/static/{path}"): Access.PUBLIC,
    ("GET", "/static/govuk/{path}"): Access.PUBLIC,
    ("GET", "/assets/{path}"): Access.PUBLIC,
    ("GET", "/ui/record"): Access.RECORDERS,
    ("GET", "/ui/record/{slug}"): Access.FORM,
    ("POST", "/ui/record/{slug}"): Access.FORM_POST,
    ("GET", "/ui/record/{slug}/{step}"): Access.FORM,
    ("POST", "/ui/record/{slug}/{step}"): Access.FORM_POST,
    ("GET", "/ui/recorded/{slug}/{la_code}/{ref}"): Access.AUTHORITY,
    ("GET", "/ui/authorities/{la_code}/records/{kind}/{ref}/receipts.json"): Access.AUTHORITY,
    **{("POST", f"/commands/{name}"): Access.COMMAND for name in COMMANDS},
}
"""Every route's row of the access table."""

IRO_RECORDS = {
    "raise_challenge", "escalate_challenge", "withdraw_challenge", "refer_to_cafcass",
    "record_cafcass_outcome", "request_arbitration", "make_recommendation", "hold_review",
    "record_decision", "revise_care_plan", "record_instruction", "record_disciplinary_action",
    "end_engagement", "correct_record", "record_concern", "require_review", "record_legal_step"}
LA_MANAGER_RECORDS = {
    "register_officer", "end_engagement", "record_disciplinary_action", "open_case",
    "assign_iro", "revise_care_plan", "record_decision", "close_case",
    "record_recommendation_outcome", "respond_to_challenge", "resolve_challenge",
    "record_instruction", "rescind_instruction", "draft_annual_report", "request_report_edit",
    "revise_annual_report", "submit_annual_report", "withhold_annual_report", "correct_record",
    "record_fte", "record_short_breaks", "record_legal_step", "record_data_quality",
    "record_source_period"}
RECORDS: dict[str, set[str]] = {
    "iro": IRO_RECORDS, "la_manager": LA_MANAGER_RECORDS,
    "iro_manager": IRO_RECORDS | LA_MANAGER_RECORDS, "inspector": set(), "arbitrator": set(),
    "admin": set(COMMANDS)}
"""Which commands each role may record in its own authority (only admins record elsewhere)."""

READERS = {"iro": IRO_ADA, "iro_manager": IRO_MANAGER, "la_manager": MANAGER, "admin": ADMIN,
           "inspector": INSPECTOR, "arbitrator": ARBITRATOR, "nobody": {}}
WRITERS = {**READERS, "iro": bearer("iro-kit", "iro", LA)}
"""An IRO records their own acts: the examples' IRO is iro-kit (of Northwold)."""
ANYWHERE = {"admin", "inspector"}


@dataclass
class Store:
    api: Api
    flags: dict[str, str]
    """An open flag's id in each authority."""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    where: Path = tmp_path_factory.mktemp("matrix")
    url = f"sqlite:///{where / 'ledger.sqlite'}"
    ensure_signing_key(where / "checkpoint.pem")
    settings = Settings(database_url=url, jwt_secret=SECRET, rate_limit_per_minute=0,
                        signing_key_path=where / "checkpoint.pem")
    with running_api(url, settings=settings) as api:
        seed(api)
        for la, case in ((LA, "case-1"), (OTHER_LA, "case-9")):
            api.ok("record_instruction", ADMIN, la_code=la, instruction_id="ins-m",
                   actor="dir-x", issued_to=["all_iros"], kind="do_not_escalate")
            api.ok("draft_annual_report", ADMIN, la_code=la, report_id="rep-m", year=2024,
                   author="irom-dev", content_sha256="a" * 64)
            api.ok("raise_challenge", ADMIN, la_code=la, challenge_id="ch-m", case_id=case,
                   officer_id="iro-ada" if la == LA else "iro-sol", about="care_plan",
                   grounds="Fictional grounds")
            api.ok("record_concern", ADMIN, la_code=la, concern_id="con-m", case_id=case,
                   officer_id="iro-ada" if la == LA else "iro-sol", raised_in="review_minutes",
                   summary="Fictional concern")
        found = api.client.get("/flags?status=open", headers=ADMIN).json()["items"]
        yield Store(api, {f["la_code"]: f["id"] for f in found})


def _fill(path: str, la: str, flags: dict[str, str]) -> str:
    own = la == LA
    ids = {"la_code": la, "case_id": "case-1" if own else "case-9",
           "officer_id": "iro-ada" if own else "iro-sol", "flag_id": flags.get(la, "none"),
           "challenge_id": "ch-m", "number": "0", "slug": "raise-challenge", "step": "grounds",
           "kind": "case", "ref": "case-1" if own else "case-9", "path": "missing.css"}
    record = {"cases": ids["case_id"], "challenges": "ch-m", "officers": ids["officer_id"],
              "instructions": "ins-m", "reports": "rep-m", "concerns": "con-m"}
    for collection, ref in record.items():
        path = path.replace(f"/{collection}/{{record_id}}", f"/{collection}/{ref}")
    if path.startswith("/ui/recorded/"):  # the confirmation of a challenge raised
        ids["ref"] = "ch-m"
    filled = path.format(**ids)
    query = {"/flags": f"la_code={la}", "/ui/flags": f"la={la}",
             "/proof/receipts": f"la_code={la}&kind=case&id={ids['case_id']}"}.get(path)
    return f"{filled}?{query}" if query else filled


def _call(api: Api, method: str, path: str, who: str, la: str) -> int:
    client: TestClient = api.client
    client.cookies.clear()
    if path.startswith("/commands/"):
        name = path.removeprefix("/commands/")
        body = {"la_code": la, "occurred_on": "2024-06-03", **EXAMPLES[name]}
        return client.post(path, json=body, headers=WRITERS[who]).status_code
    if (method, path) == ("POST", "/login"):
        token = READERS[who].get("Authorization", "").removeprefix("Bearer ")
        return sign_in_form(client, token).status_code
    if path == "/" or path.startswith("/ui/"):
        if READERS[who]:
            sign_in(client, READERS[who])
        status = client.request(method, path, follow_redirects=False).status_code
        client.cookies.clear()
        return status
    return client.request(method, path, headers=READERS[who]).status_code


def _may(access: Access, who: str, own: bool, command: str) -> bool:
    if access is Access.PUBLIC:
        return True
    if who == "nobody":
        return False
    if access is Access.SIGNED_IN:
        return True
    if access is Access.COMMAND:
        return who == "admin" or (own and command in RECORDS[who])
    if who == "arbitrator":
        return access is Access.REFERRED
    return own or who in ANYWHERE


ROUTES = sorted(set(every_route(create_app(Settings(jwt_secret=SECRET)).routes)))


def test_every_route_has_a_row_in_the_access_table() -> None:
    missing = [route for route in ROUTES if route not in TABLE]
    assert missing == [], f"routes with no row in the access table: {missing}"
    assert [route for route in TABLE if route not in ROUTES] == []


def test_every_documented_operation_is_among_the_routes_walked() -> None:
    document = create_app(Settings(jwt_secret=SECRET)).openapi()
    documented = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    assert documented <= set(ROUTES)


@pytest.mark.parametrize("side", ["own", "foreign"])
@pytest.mark.parametrize("who", list(READERS))
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_the_route_answers_as_the_access_table_says(store: Store, method: str, path: str,
                                                    who: str, side: str) -> None:
    access = TABLE[(method, path)]
    la = LA if side == "own" else OTHER_LA
    status = _call(store.api, method, _fill(path, la, store.flags), who, la)

    assert status < 500, status
    if access is Access.FORM_POST and who != "nobody":
        assert status == 403, status
    elif access is Access.RECORDERS and who != "nobody":
        assert (status == 200) if RECORDS[who] else (status == 403), (who, status)
    elif access is Access.FORM and who != "nobody":
        may = "raise_challenge" in RECORDS[who]  # a journey: its first question's address
        assert (status in (200, 303)) if may else (status in (403, 404)), (who, status)
    elif access is Access.SIGN_IN_STEP:
        assert status in (303, 400, 403), status  # here no sign-in was begun: 403
    elif access is Access.PUBLIC and who == "nobody" and (method, path) == ("POST", "/login"):
        assert status == 401  # the form, sent without a token, asks for one
    elif _may(access, who, side == "own", path.removeprefix("/commands/")):
        assert status not in (401, 403), f"{who} was refused ({status}); {access.value}"
        if method == "GET" and access in (Access.AUTHORITY, Access.REFERRED, Access.SIGNED_IN):
            assert status == 200, f"{who} could not read ({status})"
    elif who == "nobody":
        assert status in (401, 303), f"nobody got {status}"
    else:
        assert status in (403, 404), f"{who} got {status}; only {access.value}"
