"""Nobody can quietly bend the record: the attacks of issue 8, replayed through the API as the
roles named, each flagged and shown, none leaving a flag silently gone.

Brackenfold (fictional, `BRK`) was set up in 2023 and its IRO, Ada, challenged a care plan on
2 October 2023, recorded that day. The challenge went unanswered: a stalled-challenge flag. On
each of the store's own days the history before now was recorded on the day it claims (the
ledger's clock is moved for it, as only a test can); everything the attacks do goes through the
API today. On both stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from iro_ledger.application import Principal, Role
from iro_ledger.application.commands import parse_command
from iro_ledger.domain.record import england_date
from tests.e2e import (
    STORES,
    Api,
    bearer,
    fresh_id,
    module_store,
    projection_worker,
    running_api,
)

BRK = "BRK"
IRO = bearer("iro-ada", "iro", BRK)
LA_MANAGER = bearer("mgr-cara", "la_manager", BRK)
IRO_MANAGER = bearer("irom-dev", "iro_manager", BRK)
ADMIN = bearer("admin-1", "admin")
SET_UP_ON = date(2023, 9, 1)


def on_the_day(api: Api, sub: str, role: Role, day: date, /, **fields: Any) -> dict[str, Any]:
    """Record a command as if on `day` itself (noon UTC), as `sub`: the history before now."""
    principal = Principal(sub=sub, role=role, la_code=None if role is Role.ADMIN else BRK)
    command = parse_command({"la_code": BRK, "occurred_on": day.isoformat(), **fields})
    outcome = api.ledger.execute(command, principal, "api",
                                 now=datetime(day.year, day.month, day.day, 12, tzinfo=UTC))
    return outcome.answer()


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with (module_store(request, tmp_path_factory.mktemp("store")) as url, running_api(url) as api,
          projection_worker(url)):
        admin = ("admin-1", Role.ADMIN)
        on_the_day(api, *admin, SET_UP_ON, command="register_authority",
                   name="Brackenfold (fictional)")
        for officer_id, role in (("iro-ada", "iro"), ("irom-dev", "iro_manager"),
                                 ("mgr-cara", "team_manager")):
            on_the_day(api, *admin, SET_UP_ON, command="register_officer",
                       officer_id=officer_id, role=role, employment="employed")
        yield api


def a_case(api: Api) -> str:
    case_id = fresh_id("case")
    manager = ("mgr-cara", Role.LA_MANAGER)
    on_the_day(api, *manager, SET_UP_ON, command="open_case", case_id=case_id,
               child_ref=fresh_id("child"), legal_status="C2", entered_care_on="2023-09-01")
    on_the_day(api, *manager, SET_UP_ON, command="assign_iro", case_id=case_id,
               officer_id="iro-ada", reason="first_allocation")
    return case_id


def a_challenge(api: Api, on: date) -> tuple[str, str]:
    """A case, and a challenge Ada raised on it on `on`, recorded that day."""
    case_id, challenge_id = a_case(api), fresh_id("ch")
    on_the_day(api, "iro-ada", Role.IRO, on, command="raise_challenge",
               challenge_id=challenge_id, case_id=case_id, officer_id="iro-ada",
               about="care_plan", grounds="The plan ignores the child's wishes")
    return case_id, challenge_id


def flags(api: Api, who: dict[str, str] = LA_MANAGER, **query: str) -> list[dict[str, Any]]:
    params = "&".join(f"{k}={v}" for k, v in {"la_code": BRK, "limit": "500",
                                                "min_position": str(api.ledger.position()),
                                                **query}.items())
    response = api.read(f"/flags?{params}", who)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["items"]
    return found


def the_flag(api: Api, flag_id: str, who: dict[str, str] = LA_MANAGER) -> dict[str, Any]:
    response = api.read(f"/flags/{flag_id}", who)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def suppressed(found: list[dict[str, Any]], challenge_id: str) -> dict[str, dict[str, Any]]:
    """The suppressed_challenge flags on a challenge, by pattern."""
    return {f["details"]["pattern"]: f for f in found if f["rule"] == "suppressed_challenge"
            and f["subjects"].get("challenge_id") == challenge_id}


def instruct(api: Api, on: date, kind: str = "withdraw_challenge") -> str:
    instruction_id = fresh_id("ins")
    on_the_day(api, "mgr-cara", Role.LA_MANAGER, on, command="record_instruction",
               instruction_id=instruction_id, issued_to=["iro-ada"], kind=kind,
               actor="mgr-cara", text="Drop this challenge; the decision has been made.")
    return instruction_id


def send(api: Api, name: str, who: dict[str, str], **fields: Any) -> dict[str, Any]:
    return api.ok(name, who, la_code=BRK, **fields)


# A back-dated answer cannot make a flag vanish.


def test_a_back_dated_answer_leaves_the_stalled_flag_withdrawn_with_it(api: Api) -> None:
    raised_on = date(2023, 10, 2)
    _, challenge_id = a_challenge(api, raised_on)
    [stalled] = suppressed(flags(api, status="open"), challenge_id).values()
    assert stalled["details"]["pattern"] == "stalled"

    answer = send(api, "respond_to_challenge", LA_MANAGER, challenge_id=challenge_id,
                  response="We answered at the time.",
                  occurred_on=(raised_on + timedelta(days=3)).isoformat())

    assert suppressed(flags(api, status="open"), challenge_id) == {}
    withdrawn = suppressed(flags(api, status="withdrawn"), challenge_id)["stalled"]
    assert withdrawn["id"] == stalled["id"]
    by_id = the_flag(api, stalled["id"])
    assert by_id["status"] == "withdrawn"
    late = by_id["withdrawn_by"]
    assert (late["kind"], late["id"], late["event_type"], late["recorded_by"]) == (
        "challenge", challenge_id, "Challenge.Responded", "mgr-cara")
    assert late["days_late"] == (england_date(datetime.now(UTC))
                                 - (raised_on + timedelta(days=3))).days > 365 * 3
    assert late["position"] == answer["position"]


def test_the_back_dated_answer_is_itself_flagged_naming_both(api: Api) -> None:
    raised_on = date(2023, 11, 1)
    _, challenge_id = a_challenge(api, raised_on)
    [stalled] = suppressed(flags(api, status="open"), challenge_id).values()

    send(api, "respond_to_challenge", LA_MANAGER, challenge_id=challenge_id,
         response="Answered, we say.", occurred_on=(raised_on + timedelta(days=3)).isoformat())

    [late] = [f for f in flags(api, rule="late_record_changed_a_flag")
              if f["subjects"].get("challenge_id") == challenge_id]
    assert late["status"] == "open"
    assert stalled["id"] in str(late["details"])
    assert any(r["event_type"] == "Challenge.Responded" for r in late["evidence"])


# A withdrawal not made by the raiser's own principal.


def test_a_withdrawal_an_admin_records_for_the_iro_is_flagged(api: Api) -> None:
    _, challenge_id = a_challenge(api, date(2024, 3, 1))

    send(api, "withdraw_challenge", ADMIN, challenge_id=challenge_id, reason="Agreed",
         occurred_on="2024-03-05")

    flag = suppressed(flags(api), challenge_id)["withdrawn_on_behalf"]
    assert flag["subjects"]["officer_id"] == "iro-ada"
    assert flag["details"]["recorded_by"] == "admin-1"


def test_naming_the_iro_as_actor_changes_nothing(api: Api) -> None:
    _, challenge_id = a_challenge(api, date(2024, 3, 4))

    send(api, "withdraw_challenge", ADMIN, challenge_id=challenge_id, actor="iro-ada",
         occurred_on="2024-03-06")

    assert "withdrawn_on_behalf" in suppressed(flags(api), challenge_id)


def test_the_iros_own_free_withdrawal_is_not_flagged(api: Api) -> None:
    _, challenge_id = a_challenge(api, date(2024, 3, 11))

    send(api, "withdraw_challenge", IRO, challenge_id=challenge_id, reason="Resolved in talk",
         occurred_on="2024-03-13")

    assert suppressed(flags(api), challenge_id) == {}


# The seed pattern: a challenge withdrawn under pressure, however the withdrawal is recorded.


def test_withdrawn_under_pressure_by_the_iro_is_flagged(api: Api) -> None:
    _, challenge_id = a_challenge(api, date(2024, 4, 1))
    instruction_id = instruct(api, date(2024, 4, 3))

    send(api, "withdraw_challenge", IRO, challenge_id=challenge_id, occurred_on="2024-04-08")

    flag = suppressed(flags(api), challenge_id)["withdrawn_after_instruction"]
    assert flag["subjects"]["instruction_id"] == instruction_id


def test_withdrawn_under_pressure_recorded_by_an_admin_for_the_iro_is_flagged(api: Api) -> None:
    _, challenge_id = a_challenge(api, date(2024, 4, 15))
    instruct(api, date(2024, 4, 16))

    send(api, "withdraw_challenge", ADMIN, challenge_id=challenge_id, occurred_on="2024-04-19")

    assert {"withdrawn_after_instruction", "withdrawn_on_behalf"} <= set(
        suppressed(flags(api), challenge_id))


@pytest.mark.parametrize("manager", [LA_MANAGER, IRO_MANAGER], ids=["la_manager",
                                                                     "iro_manager"])
def test_a_manager_cannot_record_the_withdrawal_under_pressure_at_all(
        api: Api, manager: dict[str, str]) -> None:
    _, challenge_id = a_challenge(api, date(2024, 5, 1))
    instruct(api, date(2024, 5, 2))

    api.refused(403, "withdraw_challenge", manager, la_code=BRK, challenge_id=challenge_id,
                actor="iro-ada", occurred_on="2024-05-06")

    stalled = suppressed(flags(api, status="open"), challenge_id)
    assert set(stalled) == {"stalled"}


def test_withdrawn_under_pressure_and_recorded_years_later_is_flagged(api: Api) -> None:
    _, challenge_id = a_challenge(api, date(2023, 10, 9))
    instruct(api, date(2023, 10, 10))

    send(api, "withdraw_challenge", IRO, challenge_id=challenge_id, occurred_on="2023-10-12")

    found = suppressed(flags(api), challenge_id)
    assert "withdrawn_after_instruction" in found
    # The stall the back-dated withdrawal ended stays, withdrawn, with it.
    withdrawn = suppressed(flags(api, status="withdrawn"), challenge_id)
    assert withdrawn["stalled"]["withdrawn_by"]["event_type"] == "Challenge.Withdrawn"
