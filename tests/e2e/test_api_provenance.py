"""Who did an act is decided by the authenticated caller, not by the `actor` a client names.

A manager cannot withdraw, escalate, refer or take to arbitration an IRO's challenge by
naming the IRO as actor; an admin (the CLI's operator, a historical ingest) may record it for
them, and then the record says so plainly on every read. On both stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e import (
    ADMIN,
    IRO_ADA,
    IRO_BEN,
    IRO_MANAGER,
    LA,
    MANAGER,
    STORES,
    Api,
    module_store,
    projection_worker,
    raise_challenge,
    running_api,
    seed,
)

OWN_ACTS: dict[str, dict[str, Any]] = {
    "withdraw_challenge": {"reason": "Management view"},
    "escalate_challenge": {"to_stage": "stage_1", "addressed_to": "mgr-cara"},
    "refer_to_cafcass": {},
    "request_arbitration": {"body": "Fictional Arbitration Panel"},
}


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with (module_store(request, tmp_path_factory.mktemp("store")) as url, running_api(url) as api,
          projection_worker(url)):
        seed(api)
        yield api


def challenge_events(api: Api, challenge_id: str) -> list[dict[str, Any]]:
    response = api.read(f"/authorities/{LA}/challenges/{challenge_id}", IRO_ADA)
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["events"]
    return events


def timeline_entry(api: Api, event_type: str) -> dict[str, Any]:
    position = api.ledger.position()
    response = api.read(f"/authorities/{LA}/cases/case-1/timeline?min_position={position}",
                        IRO_ADA)
    assert response.status_code == 200, response.text
    entries = [e for e in response.json()["entries"] if e["ref"]["type"] == event_type]
    latest: dict[str, Any] = entries[-1]
    return latest


@pytest.mark.parametrize("name", OWN_ACTS)
def test_an_iro_manager_cannot_act_on_an_iros_challenge_in_the_iros_name(
        api: Api, name: str) -> None:
    challenge_id = raise_challenge(api)

    problem = api.refused(403, name, IRO_MANAGER, challenge_id=challenge_id, actor="iro-ada",
                          **OWN_ACTS[name])

    assert problem["detail"].startswith("only iro-ada may")
    assert "irom-dev (iro_manager) may not record it on their behalf" in problem["detail"]


@pytest.mark.parametrize("who", [MANAGER, IRO_BEN], ids=["la_manager", "another_iro"])
def test_no_one_else_can_withdraw_in_the_raisers_name(api: Api, who: dict[str, str]) -> None:
    challenge_id = raise_challenge(api)

    api.refused(403, "withdraw_challenge", who, challenge_id=challenge_id, actor="iro-ada")


def test_the_raisers_own_withdrawal_is_recorded_as_theirs(api: Api) -> None:
    challenge_id = raise_challenge(api)

    api.ok("withdraw_challenge", IRO_ADA, challenge_id=challenge_id, reason="Agreed a way on")

    withdrawn = challenge_events(api, challenge_id)[-1]
    assert (withdrawn["type"], withdrawn["actor"], withdrawn["recorded_by"],
            withdrawn["on_behalf_of"]) == ("Withdrawn", "iro-ada", "iro-ada", None)
    assert timeline_entry(api, "Challenge.Withdrawn")["on_behalf_of"] is None


def test_an_admin_records_a_withdrawal_visibly_on_the_raisers_behalf(api: Api) -> None:
    challenge_id = raise_challenge(api)

    api.ok("withdraw_challenge", ADMIN, challenge_id=challenge_id, reason="From the old system")

    withdrawn = challenge_events(api, challenge_id)[-1]
    assert (withdrawn["actor"], withdrawn["recorded_by"], withdrawn["on_behalf_of"]) == (
        "iro-ada", "admin-1", "iro-ada")
    entry = timeline_entry(api, "Challenge.Withdrawn")
    assert (entry["ref"]["id"], entry["recorded_by"], entry["on_behalf_of"]) == (
        challenge_id, "admin-1", "iro-ada")


def test_even_an_admin_cannot_attribute_the_raisers_act_to_someone_else(api: Api) -> None:
    challenge_id = raise_challenge(api)

    problem = api.refused(403, "withdraw_challenge", ADMIN, challenge_id=challenge_id,
                          actor="iro-ben")

    assert "actor may not name iro-ben" in problem["detail"]


def test_an_admin_raising_a_challenge_for_an_iro_says_so(api: Api) -> None:
    challenge_id = raise_challenge(api, who=ADMIN)

    (raised,) = challenge_events(api, challenge_id)
    assert (raised["actor"], raised["recorded_by"], raised["on_behalf_of"]) == (
        "iro-ada", "admin-1", "iro-ada")
