"""The monitoring reads over HTTP on both stores: read-your-writes, authority rules, evidence."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e import (
    ADMIN,
    ARBITRATOR,
    INSPECTOR,
    IRO_ADA,
    LA,
    MANAGER,
    OTHER_MANAGER,
    PANEL,
    PROBLEM,
    Api,
    projection_worker,
    raise_challenge,
    running_api,
    seed,
)

TIMELINE = f"/authorities/{LA}/cases/case-1/timeline"


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    with running_api(database_url) as running:
        seed(running)
        yield running


@pytest.fixture
def worker(database_url: str) -> Iterator[None]:
    """On PostgreSQL, a worker following the store (in a thread, as its own process would)."""
    with projection_worker(database_url):
        yield


def test_a_read_given_the_write_position_shows_the_write(api: Api, worker: None) -> None:
    challenge_id = raise_challenge(api)
    position = api.ok("escalate_challenge", IRO_ADA, challenge_id=challenge_id,
                      to_stage="stage_1", addressed_to="dir-lee")["position"]
    timeline = api.read(f"{TIMELINE}?min_position={position}", MANAGER)
    assert timeline.status_code == 200, timeline.text
    assert timeline.json()["position"] >= position
    assert timeline.json()["entries"][-1]["ref"] == {
        "kind": "challenge", "id": challenge_id, "la_code": LA, "number": 2,
        "position": position, "type": "Challenge.Escalated"}
    register = api.read(f"/authorities/{LA}/challenges?min_position={position}", MANAGER).json()
    assert [(c["challenge_id"], c["stage"]) for c in register["items"]] == [
        (challenge_id, "stage_1")]


def test_with_no_worker_on_postgresql_a_read_still_shows_the_write(postgres_url: str) -> None:
    """One freshness policy on both stores: the read catches the read models up itself."""
    with running_api(postgres_url) as api:
        seed(api)
        position = api.ok("close_case", MANAGER, case_id="case-1", reason="adopted")["position"]
        answer = api.read(f"{TIMELINE}?min_position={position}", MANAGER)
    assert answer.status_code == 200, answer.text
    assert answer.json()["position"] >= position
    assert answer.json()["closed_on"] is not None


def test_a_position_not_yet_stored_is_refused(api: Api) -> None:
    answer = api.read(f"{TIMELINE}?min_position={api.ledger.position() + 10}", MANAGER)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "min_position"


def test_another_authority_s_manager_reads_none_of_it(api: Api) -> None:
    for path in (TIMELINE, f"/authorities/{LA}/challenges",
                 f"/authorities/{LA}/officers/iro-ada/record", f"/authorities/{LA}/measures"):
        answer = api.read(path, OTHER_MANAGER)
        assert answer.status_code == 403, path
        assert answer.headers["content-type"] == PROBLEM


def test_an_arbitrator_sees_a_dispute_only_once_it_is_referred_to_their_body(
        api: Api, worker: None) -> None:
    challenge_id = raise_challenge(api)
    now = f"min_position={api.ledger.position()}"
    assert api.read(f"{TIMELINE}?{now}", ARBITRATOR).status_code == 403
    assert api.read(f"/authorities/{LA}/challenges?{now}", ARBITRATOR).json()["total"] == 0
    position = api.ok("request_arbitration", IRO_ADA, challenge_id=challenge_id,
                      body=PANEL)["position"]
    assert api.read(f"{TIMELINE}?min_position={position}", ARBITRATOR).status_code == 200
    register = api.read(f"/authorities/{LA}/challenges?min_position={position}",
                        ARBITRATOR).json()
    assert [c["challenge_id"] for c in register["items"]] == [challenge_id]
    assert api.read(f"/authorities/{LA}/measures", ARBITRATOR).status_code == 403


def test_an_inspector_s_read_is_itself_recorded(api: Api) -> None:
    before = api.events()
    assert api.read(f"/authorities/{LA}/measures?from=2024-01-01&to=2024-12-31",
                    INSPECTOR).status_code == 200
    assert api.events() == before + 1
    assert api.read(f"/authorities/{LA}/measures", MANAGER).status_code == 200
    assert api.events() == before + 1


def test_the_register_pages_and_filters(api: Api, worker: None) -> None:
    ids = [raise_challenge(api) for _ in range(3)]
    position = api.ok("withdraw_challenge", IRO_ADA, challenge_id=ids[0],
                      reason="settled")["position"]
    register = f"/authorities/{LA}/challenges?min_position={position}"
    page = api.read(f"{register}&limit=2&offset=1", MANAGER).json()
    assert (page["total"], len(page["items"])) == (3, 2)
    closed = api.read(f"{register}&status=closed", MANAGER).json()
    assert [c["challenge_id"] for c in closed["items"]] == [ids[0]]
    assert api.read(f"/authorities/{LA}/challenges?status=lost", MANAGER).status_code == 422


def test_an_officer_record_and_the_measures_carry_their_evidence(api: Api, worker: None) -> None:
    raise_challenge(api)
    now = f"min_position={api.ledger.position()}"
    record = api.read(f"/authorities/{LA}/officers/iro-ada/record?as_of=2024-06-30&{now}",
                      IRO_ADA).json()
    assert record["open_cases"] == 1
    assert record["challenges"][0]["ref"]["type"] == "Challenge.Raised"
    measures = api.read(f"/authorities/{LA}/measures?from=2024-01-01&to=2024-12-31&{now}",
                        ADMIN).json()
    found = {m["name"]: m for m in measures["measures"]}
    assert found["challenges_raised"]["value"] == 1
    assert found["challenges_raised"]["evidence"][0]["type"] == "Challenge.Raised"
    assert measures["from"] == "2024-01-01"
    unknown = api.read(f"/authorities/{LA}/officers/nobody/record", ADMIN)
    assert unknown.status_code == 404
    backwards = api.read(f"/authorities/{LA}/measures?from=2024-12-31&to=2024-01-01", ADMIN)
    assert backwards.status_code == 422
