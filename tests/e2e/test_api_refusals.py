"""Bad input, broken rules, unknown ids and missing tokens: each a problem+json answer, and
nothing recorded. One app and store per module and store kind; ids are fresh per test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import jwt
import pytest

from tests.e2e import (
    ADMIN,
    IRO_ADA,
    LA,
    MANAGER,
    STORES,
    Api,
    fresh_id,
    module_store,
    raise_challenge,
    running_api,
    seed,
)


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with module_store(request, tmp_path_factory.mktemp("store")) as url, running_api(url) as api:
        seed(api)
        yield api


# Bad input: 422 naming the field, 400 for a body that is not JSON.


def test_a_value_outside_the_vocabulary_is_refused_naming_its_field(api: Api) -> None:
    problem = api.refused(422, "register_officer", MANAGER, officer_id=fresh_id("o"),
                          role="overlord", employment="employed")

    assert problem["detail"].startswith("role: ")
    assert problem["errors"][0]["field"] == "role"
    assert "'iro'" in problem["errors"][0]["message"]


def test_a_missing_field_is_refused_naming_it(api: Api) -> None:
    problem = api.refused(422, "raise_challenge", IRO_ADA, challenge_id=fresh_id("ch"),
                          case_id="case-1", officer_id="iro-ada", about="care_plan")

    assert problem["detail"].startswith("grounds: ")
    assert [e["field"] for e in problem["errors"]] == ["grounds"]


def test_a_future_occurred_on_is_refused_naming_the_field(api: Api) -> None:
    the_day_after_tomorrow = (date.today() + timedelta(days=2)).isoformat()

    problem = api.refused(422, "hold_review", IRO_ADA, case_id="case-1", chaired_by="iro-ada",
                          child_participation="attended", child_seen_before=True,
                          occurred_on=the_day_after_tomorrow)

    assert problem["detail"].startswith("occurred_on: ")
    assert "future" in problem["detail"]
    assert [e["field"] for e in problem["errors"]] == ["occurred_on"]


def test_an_event_before_its_record_began_is_refused_naming_the_field(api: Api) -> None:
    problem = api.refused(422, "hold_review", IRO_ADA, case_id="case-1", chaired_by="iro-ada",
                          child_participation="attended", child_seen_before=True,
                          occurred_on="2023-12-01")

    assert problem["errors"][0]["field"] == "occurred_on"


def test_a_nested_bad_value_is_named_by_its_path(api: Api) -> None:
    problem = api.refused(422, "record_instruction", MANAGER, instruction_id=fresh_id("ins"),
                          actor="dir-lee", issued_to=["iro-ada", ""], kind="do_not_escalate")

    assert problem["errors"][0]["field"] == "issued_to.1"


def test_an_unknown_field_is_refused_rather_than_dropped(api: Api) -> None:
    problem = api.refused(422, "close_case", MANAGER, case_id="case-1", colour="red")

    assert problem["errors"][0]["field"] == "colour"


def test_a_body_naming_another_command_is_refused(api: Api) -> None:
    problem = api.refused(422, "close_case", MANAGER, command="open_case", case_id="case-1")

    assert problem["errors"][0]["field"] == "command"


def test_a_domain_rule_on_a_value_is_refused_naming_the_field(api: Api) -> None:
    problem = api.refused(422, "assign_iro", MANAGER, case_id="case-1", officer_id="dir-lee",
                          reason="workload")

    assert problem["errors"] == [{"field": "officer_id",
                                  "message": "officer dir-lee is a director, not an iro"}]


def test_a_body_that_is_not_json_is_a_bad_request(api: Api) -> None:
    before = api.events()

    response = api.client.post("/commands/close_case", content=b'{"case_id": "case-1",',
                               headers={**MANAGER, "Content-Type": "application/json"})

    problem = api.check_problem(response, 400, before)
    assert problem["detail"].startswith("the body is not valid JSON")


# Broken rules of the record: 409 with the reason.


def test_a_challenge_cannot_move_down_the_stages(api: Api) -> None:
    challenge_id = raise_challenge(api)
    api.ok("escalate_challenge", IRO_ADA, challenge_id=challenge_id, to_stage="stage_2",
           addressed_to="mgr-cara")

    problem = api.refused(409, "escalate_challenge", IRO_ADA, challenge_id=challenge_id,
                          to_stage="stage_1", addressed_to="mgr-cara")

    assert "can only move up" in problem["detail"]


def test_an_id_already_used_in_the_authority_is_refused(api: Api) -> None:
    problem = api.refused(409, "open_case", MANAGER, case_id="case-1", child_ref="child-x",
                          legal_status="C2", entered_care_on="2024-05-01")

    assert problem["detail"] == "case 'case-1' is already recorded in NWD"


def test_nothing_within_the_protocol_follows_a_resolution(api: Api) -> None:
    challenge_id = raise_challenge(api)
    api.ok("resolve_challenge", MANAGER, challenge_id=challenge_id, outcome="upheld")

    problem = api.refused(409, "respond_to_challenge", MANAGER, challenge_id=challenge_id,
                          response="Too late")

    assert "resolved" in problem["detail"]


# Unknown ids and routes: 404.


def test_a_command_about_an_unknown_case_is_not_found(api: Api) -> None:
    problem = api.refused(404, "close_case", MANAGER, case_id="case-404")

    assert problem["detail"] == "no case 'case-404' is recorded in NWD"


def test_a_record_in_an_unregistered_authority_is_not_found(api: Api) -> None:
    api.refused(404, "open_case", ADMIN, la_code="ZZZ", case_id="case-1", child_ref="child-z",
                legal_status="C2", entered_care_on="2024-05-01")


def test_reading_an_unknown_challenge_is_not_found(api: Api) -> None:
    before = api.events()

    response = api.read(f"/authorities/{LA}/challenges/ch-missing", MANAGER)

    assert "ch-missing" in api.check_problem(response, 404, before)["detail"]


@pytest.mark.parametrize("method,path", [("POST", "/commands/launch_rocket"),
                                         ("GET", "/authorities/NWD/rockets/r-1"),
                                         ("GET", "/nowhere")])
def test_an_unknown_route_is_a_not_found_problem(api: Api, method: str, path: str) -> None:
    before = api.events()

    response = api.client.request(method, path, headers=MANAGER, json={})

    assert api.check_problem(response, 404, before)["instance"] == path


# Authentication: 401 with a Bearer challenge.


def _unauthorised(api: Api, headers: dict[str, str]) -> dict[str, object]:
    before = api.events()
    response = api.client.post("/commands/close_case", headers=headers,
                               json={"la_code": LA, "occurred_on": "2024-06-03",
                                     "case_id": "case-1"})
    assert response.headers["www-authenticate"] == "Bearer"
    return api.check_problem(response, 401, before)


def test_a_command_without_a_token_is_unauthorised(api: Api) -> None:
    assert "bearer token" in str(_unauthorised(api, {})["detail"])


def test_a_command_with_a_garbled_token_is_unauthorised(api: Api) -> None:
    _unauthorised(api, {"Authorization": "Bearer not-a-token"})


def test_a_token_signed_with_another_secret_is_unauthorised(api: Api) -> None:
    now = datetime.now(UTC)
    forged = jwt.encode({"sub": "mgr-cara", "role": "admin", "iat": now,
                         "exp": now + timedelta(minutes=5)},
                        "a-guess-at-the-secret-that-is-long-enough-0123456789", algorithm="HS256")

    assert "signature" in str(_unauthorised(api, {"Authorization": f"Bearer {forged}"})["detail"])


def test_a_basic_credential_is_not_a_bearer_token(api: Api) -> None:
    _unauthorised(api, {"Authorization": "Basic bWdyLWNhcmE6c2VjcmV0"})


def test_a_read_without_a_token_is_unauthorised(api: Api) -> None:
    before = api.events()

    response = api.client.get(f"/authorities/{LA}/cases/case-1")

    api.check_problem(response, 401, before)
