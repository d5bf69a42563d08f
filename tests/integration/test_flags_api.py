"""`GET /flags` and `GET /flags/{id}` over HTTP on both stores: filters, pages, `as_of`,
read-your-writes, and who may read whose flags (DESIGN: privacy and access)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from iro_ledger.settings import Settings
from iro_ledger.wiring import build_services
from tests.e2e import (
    ARBITRATOR,
    INSPECTOR,
    LA,
    MANAGER,
    OTHER_LA,
    OTHER_MANAGER,
    PROBLEM,
    STORES,
    Api,
    fresh_id,
    module_store,
    running_api,
    seed,
)


@contextlib.contextmanager
def worker(url: str) -> Iterator[None]:
    """On PostgreSQL the read models follow the store in a worker of their own, as
    `iro-ledger worker` would run them (on SQLite reads catch up in-process)."""
    if not url.startswith("postgresql"):
        yield
        return
    services = build_services(Settings(database_url=url))
    follower = threading.Thread(target=services.projections.follow, daemon=True)
    follower.start()
    try:
        yield
    finally:
        services.projections.stop()
        follower.join(timeout=10)
        services.close()


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with (module_store(request, tmp_path_factory.mktemp("store")) as url, running_api(url) as api,
          worker(url)):
        seed(api)
        yield api


def permission_rule(api: Api, on: str = "2024-03-01") -> tuple[str, int]:
    """A manager's instruction that IRO Ada must ask before challenging; its id and position."""
    instruction_id = fresh_id("ins")
    answer = api.ok("record_instruction", MANAGER, instruction_id=instruction_id,
                    actor="dir-lee", issued_to=["iro-ada"], kind="permission_before_challenge",
                    text="Clear every challenge with me first", occurred_on=on)
    return instruction_id, int(answer["position"])


def listed(api: Api, who: dict[str, str], **params: Any) -> dict[str, Any]:
    response = api.client.get("/flags", params=params, headers=who)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def about(page: dict[str, Any], instruction_id: str) -> list[dict[str, Any]]:
    return [f for f in page["items"] if f["subjects"].get("instruction_id") == instruction_id]


def test_a_recorded_instruction_is_flagged_at_once_with_its_evidence(api: Api) -> None:
    instruction_id, position = permission_rule(api)
    page = listed(api, MANAGER, la_code=LA, rule="permission_required", as_of="2024-06-30",
                  min_position=position, limit=500)
    [flag] = about(page, instruction_id)
    assert (flag["severity"], flag["status"], flag["raised_on"]) == ("high", "open",
                                                                     "2024-03-01")
    assert flag["subjects"] == {"instruction_id": instruction_id, "officer_id": "iro-ada"}
    assert [(e["kind"], e["id"], e["event_type"]) for e in flag["evidence"]] == [
        ("instruction", instruction_id, "Instruction.Recorded")]
    assert "dir-lee (director, employed)" in flag["explanation"]
    assert page["as_of"] == "2024-06-30" and page["position"] >= position


def test_filters_and_pages_narrow_the_list(api: Api) -> None:
    _, position = permission_rule(api)
    everything = listed(api, MANAGER, la_code=LA, as_of="2024-12-31", limit=500,
                        min_position=position)
    assert {f["rule"] for f in everything["items"]} >= {"permission_required", "review_overdue"}
    first = listed(api, MANAGER, la_code=LA, as_of="2024-12-31", limit=1)
    second = listed(api, MANAGER, la_code=LA, as_of="2024-12-31", limit=1, offset=1)
    assert first["total"] == second["total"] == everything["total"]
    assert [first["items"][0], second["items"][0]] == everything["items"][:2]
    by_case = listed(api, MANAGER, la_code=LA, case_id="case-1", as_of="2024-12-31")
    assert {f["rule"] for f in by_case["items"]} == {"review_overdue"}
    assert listed(api, MANAGER, la_code=LA, severity="critical", as_of="2024-12-31")[
        "items"] == []
    by_officer = listed(api, MANAGER, officer_id="iro-ada", status="open", as_of="2024-12-31",
                        limit=500)
    assert by_officer["items"] and all(
        f["subjects"]["officer_id"] == "iro-ada" and f["status"] == "open"
        for f in by_officer["items"])


def test_as_of_before_the_instruction_shows_no_flag_for_it(api: Api) -> None:
    instruction_id, position = permission_rule(api, on="2024-05-01")
    assert about(listed(api, MANAGER, la_code=LA, as_of="2024-04-30", min_position=position,
                        limit=500), instruction_id) == []


def test_rescinding_clears_the_flag_and_both_steps_stay_in_its_history(api: Api) -> None:
    instruction_id, position = permission_rule(api)
    [flag] = about(listed(api, MANAGER, la_code=LA, as_of="2024-12-31", limit=500,
                          min_position=position), instruction_id)
    answer = api.ok("rescind_instruction", MANAGER, instruction_id=instruction_id,
                    actor="dir-lee", occurred_on="2024-04-02")
    response = api.client.get(f"/flags/{flag['id']}", headers=MANAGER,
                              params={"min_position": answer["position"],
                                      "as_of": "2024-12-31"})
    assert response.status_code == 200, response.text
    cleared = response.json()
    assert (cleared["status"], cleared["cleared_on"]) == ("cleared", "2024-04-02")
    assert [h["action"] for h in cleared["history"]] == ["raised", "cleared"]
    assert cleared["history"][1]["event"]["event_type"] == "Instruction.Rescinded"


def test_an_unknown_flag_is_not_found(api: Api) -> None:
    response = api.client.get("/flags/permission_required-0000000000000000", headers=MANAGER)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_another_authoritys_principal_sees_only_its_own_flags(api: Api) -> None:
    permission_rule(api)
    response = api.client.get("/flags", params={"la_code": LA}, headers=OTHER_MANAGER)
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    own = listed(api, OTHER_MANAGER, as_of="2024-12-31", limit=500)
    assert own["items"] and {f["la_code"] for f in own["items"]} == {OTHER_LA}


def test_an_arbitrator_sees_no_flags_but_those_around_disputes_referred_to_them(
        api: Api) -> None:
    # Nothing here is referred to the arbitrator's body: no authority's flags are theirs.
    response = api.client.get("/flags", headers=ARBITRATOR)
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert api.client.get("/flags", params={"la_code": LA},
                          headers=ARBITRATOR).status_code == 403


def test_an_inspectors_read_of_flags_is_itself_recorded(api: Api) -> None:
    before = api.events()
    page = listed(api, INSPECTOR, la_code=LA, as_of="2024-12-31")
    assert page["items"]
    assert api.events() == before + 1


def test_an_unknown_rule_or_a_malformed_day_is_refused(api: Api) -> None:
    for params in ({"rule": "no_such_rule"}, {"as_of": "31/12/2024"},
                   {"severity": "grave"}, {"limit": 0}):
        response = api.client.get("/flags", params=params, headers=MANAGER)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"] == PROBLEM
