"""Records stay readable: free text and `details` are held to limits before anything is stored,
and the worst shapes the limits allow read back through every surface. On both stores.

Events are immutable, so a value some reader cannot serialise would make a record unreadable
for good: here a manager's attempts to do that are refused, and bodies are capped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from iro_ledger.api.app import create_app
from iro_ledger.api.body_limit import MAX_JSON_DEPTH
from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.limits import (
    DETAILS_MAX_CHARS,
    DETAILS_MAX_DEPTH,
    DETAILS_MAX_KEY_CHARS,
    LARGEST_INTEGER,
    TEXT_MAX_CHARS,
    TOO_DEEP_TO_SHOW,
)
from iro_ledger.domain.record import Stamp
from iro_ledger.settings import Settings
from iro_ledger.trust.keys import ensure_signing_key
from iro_ledger.trust.verifier import verify_receipt
from tests.e2e import (
    INSPECTOR,
    IRO_ADA,
    LA,
    MANAGER,
    ON,
    PROBLEM,
    SECRET,
    STORES,
    Api,
    fresh_id,
    module_store,
    projection_worker,
    raise_challenge,
    seed,
)

AWKWARD = ("tab\there, lines\nand\r\nreturns, \u202eright-to-left\u202c, zero\u200bwidth, "
           "\ufeffBOM, \u2028\u2029 separators, \U0001f600 astral, e\u0301 combining, "
           "quotes \" ' \\ backslash, </script><b>{{ 7*7 }}</b>")
"""Every awkward character the limits allow: none may break a reader."""


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    home = tmp_path_factory.mktemp("readable")
    key = home / "keys" / "checkpoint.pem"
    ensure_signing_key(key)
    with module_store(request, home) as url, projection_worker(url):
        app = create_app(Settings(database_url=url, jwt_secret=SECRET, signing_key_path=key))
        with TestClient(app) as client:
            made = Api(app, client)
            seed(made)
            yield made


def post_raw(api: Api, name: str, body: bytes | Iterator[bytes]) -> Any:
    return api.client.post(f"/commands/{name}", content=body,
                           headers={**MANAGER, "Content-Type": "application/json"})


def correction(challenge_id: str, **fields: Any) -> dict[str, Any]:
    return {"la_code": LA, "occurred_on": ON, "kind": "challenge", "record_id": challenge_id,
            "corrects_event": 1, "reason": "Wrong date", **fields}


def nested(depth: int) -> dict[str, Any]:
    """An object `depth` levels deep (`{}` is one level)."""
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def worst_details() -> dict[str, Any]:
    """As deep, as long, as awkward and as large in number as `details` may be."""
    deepest: Any = []
    for level in range(DETAILS_MAX_DEPTH - 2):
        deepest = ({f"level {level} {AWKWARD[:20]}": deepest, "empty": {}} if level % 2
                   else [deepest, None, True, {}])
    details: dict[str, Any] = {
        "deep": deepest,
        "k" * DETAILS_MAX_KEY_CHARS: AWKWARD,
        "numbers": [LARGEST_INTEGER, -LARGEST_INTEGER, 1e308, -0.0, 5e-324, 0],
        "text": "",
    }
    room = DETAILS_MAX_CHARS - len(json.dumps(details, ensure_ascii=False,
                                              separators=(",", ":")))
    details["text"] = ("\U0001f600" * room)[:room]
    return details


def long_awkward_text() -> str:
    return (AWKWARD * (TEXT_MAX_CHARS // len(AWKWARD) + 1))[:TEXT_MAX_CHARS]


# Refused before anything is stored.


@pytest.mark.parametrize("depth", [DETAILS_MAX_DEPTH + 1, MAX_JSON_DEPTH - 1])
def test_details_nested_too_deeply_are_refused(api: Api, depth: int) -> None:
    challenge_id = raise_challenge(api)

    problem = api.refused(422, "correct_record", MANAGER, kind="challenge",
                          record_id=challenge_id, corrects_event=1, reason="Wrong date",
                          details=nested(depth))

    assert problem["errors"][0]["field"] == "details"
    assert f"deeper than {DETAILS_MAX_DEPTH} levels" in problem["detail"]


def test_json_nested_beyond_what_the_parser_takes_is_a_bad_request(api: Api) -> None:
    challenge_id = raise_challenge(api)
    depth = 100_000
    before = api.events()
    body = json.dumps(correction(challenge_id, details={}))[:-len('{}}')]
    deep = body + '{"a":' * depth + "{}" + "}" * depth + "}"

    response = post_raw(api, "correct_record", deep.encode())

    problem = api.check_problem(response, 400, before)
    assert problem["detail"] == f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels"


def test_details_larger_than_the_limit_are_refused(api: Api) -> None:
    challenge_id = raise_challenge(api)

    problem = api.refused(422, "correct_record", MANAGER, kind="challenge",
                          record_id=challenge_id, corrects_event=1, reason="Wrong date",
                          details={"text": "x" * DETAILS_MAX_CHARS})

    assert f"at most {DETAILS_MAX_CHARS}" in problem["detail"]


@pytest.mark.parametrize("value", ["NaN", "Infinity", str(LARGEST_INTEGER + 1)])
def test_numbers_not_every_reader_holds_exactly_are_refused(api: Api, value: str) -> None:
    challenge_id = raise_challenge(api)
    before = api.events()
    body = json.dumps(correction(challenge_id, details={"n": 0})).replace('"n": 0',
                                                                          f'"n": {value}')

    problem = api.check_problem(post_raw(api, "correct_record", body.encode()), 422, before)

    assert problem["errors"][0]["field"] == "details"


@pytest.mark.parametrize("escape", ["\\u0000", "\\u001b", "\\u007f", "\\ud800"],
                         ids=["NUL", "ESC", "DEL", "lone-surrogate"])
@pytest.mark.parametrize("field", ["reason", "actor", "details"])
def test_text_a_reader_cannot_store_is_refused_naming_its_field(
        api: Api, escape: str, field: str) -> None:
    challenge_id = raise_challenge(api)
    before = api.events()
    fields = correction(challenge_id)
    fields[field] = {"note": "PLACEHOLDER"} if field == "details" else "PLACEHOLDER"
    body = json.dumps(fields).replace("PLACEHOLDER", f"before{escape}after")

    problem = api.check_problem(post_raw(api, "correct_record", body.encode()), 422, before)

    assert problem["errors"][0]["field"] == field


def test_a_body_over_the_limit_is_refused_as_too_large(api: Api) -> None:
    challenge_id = raise_challenge(api)
    before = api.events()
    five_megabytes = json.dumps(correction(challenge_id, details={"x": "y" * 5_000_000}))

    problem = api.check_problem(post_raw(api, "correct_record", five_megabytes.encode()), 413,
                                before)

    assert "larger than 1048576 bytes" in problem["detail"]


def test_a_body_sent_without_a_length_is_held_to_the_same_limit(api: Api) -> None:
    before = api.events()

    def chunks() -> Iterator[bytes]:
        yield b'{"details": {"x": "'
        for _ in range(20):
            yield b"y" * 100_000
        yield b'"}}'

    response = post_raw(api, "correct_record", chunks())

    assert response.headers["content-type"] == PROBLEM
    api.check_problem(response, 413, before)


# The worst allowed shapes read back everywhere.


def test_the_worst_allowed_record_reads_back_on_every_surface(api: Api) -> None:
    details = worst_details()
    text = long_awkward_text()
    challenge_id = fresh_id("ch")
    api.ok("raise_challenge", IRO_ADA, challenge_id=challenge_id, case_id="case-1",
           officer_id="iro-ada", about="care_plan", grounds=text)
    api.ok("respond_to_challenge", MANAGER, challenge_id=challenge_id, response=text)
    api.ok("correct_record", MANAGER, kind="challenge", record_id=challenge_id,
           corrects_event=1, reason=text, details=details)
    api.ok("correct_record", MANAGER, kind="case", record_id="case-1", corrects_event=1,
           reason=text, details=details)
    api.ok("withdraw_challenge", IRO_ADA, challenge_id=challenge_id, reason=text)
    position = api.ledger.position()

    for path, who in [
        (f"/authorities/{LA}/challenges/{challenge_id}", IRO_ADA),
        (f"/authorities/{LA}/challenges/{challenge_id}", INSPECTOR),
        (f"/authorities/{LA}/cases/case-1", MANAGER),
        (f"/authorities/{LA}/cases/case-1/timeline?min_position={position}", INSPECTOR),
        (f"/authorities/{LA}/challenges?min_position={position}", MANAGER),
        (f"/authorities/{LA}/officers/iro-ada/record?min_position={position}", MANAGER),
        (f"/authorities/{LA}/measures?min_position={position}", MANAGER),
        (f"/flags?la_code={LA}&min_position={position}", MANAGER),
    ]:
        response = api.read(path, who)
        assert response.status_code == 200, f"{path}: {response.text[:300]}"

    events = api.read(f"/authorities/{LA}/challenges/{challenge_id}", IRO_ADA).json()["events"]
    assert events[0]["grounds"] == text
    assert events[2]["details"] == details
    timeline = api.read(f"/authorities/{LA}/cases/case-1/timeline", MANAGER).json()
    assert details in [e["fields"].get("details") for e in timeline["entries"]]

    public_key = api.client.get("/proof/public-key").content
    for kind, record in (("challenge", challenge_id), ("case", "case-1")):
        response = api.read(f"/proof/receipts?la_code={LA}&kind={kind}&id={record}", IRO_ADA)
        assert response.status_code == 200, response.text[:300]
        for receipt in response.json()["receipts"]:
            verify_receipt(receipt, public_key)


def test_a_record_stored_before_the_limits_still_reads(api: Api) -> None:
    """A store written before the limits may hold `details` 255 levels deep: reads show what
    they can and mark the rest, rather than failing."""
    challenge_id = raise_challenge(api)
    record = api.ledger._load(Challenge, LA, challenge_id)
    now = datetime.now(UTC)
    stamp = Stamp(occurred_on=now.date(), recorded_at=now, recorded_by="mgr-cara",
                  actor="mgr-cara", source="api")
    record.correct(1, "Wrong date", nested(255), stamp)
    api.ledger.save(record)
    position = api.ledger.position()

    read = api.read(f"/authorities/{LA}/challenges/{challenge_id}", IRO_ADA)
    timeline = api.read(f"/authorities/{LA}/cases/case-1/timeline?min_position={position}",
                        IRO_ADA)
    receipts = api.read(f"/proof/receipts?la_code={LA}&kind=challenge&id={challenge_id}",
                        IRO_ADA)

    assert read.status_code == 200, read.text[:300]
    assert TOO_DEEP_TO_SHOW in read.text
    assert timeline.status_code == 200, timeline.text[:300]
    assert receipts.status_code == 200, receipts.text[:300]
