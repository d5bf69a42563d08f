"""Nobody can quietly bend the record: the attacks of issue 8 on a challenge's withdrawal,
replayed through the API as the roles named, each refused or flagged.

Brackenfold (fictional, `BRK`) was set up in 2023; its IRO, Ada, challenges care plans. The
history before each attack was recorded on the day it claims (the ledger's clock moved for it,
as only a test can); every attack goes through the API today. A withdrawal Ada did not record
with her own sign-in is flagged whatever `actor` says; the seed pattern "challenge withdrawn
under pressure" is flagged whether the withdrawal is recorded by Ada, by an admin for her, or
years after the day it claims, and a manager cannot record it at all. On both stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from iro_ledger.application import Principal, Role
from iro_ledger.application.commands import parse_command
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

    flag = suppressed(flags(api), challenge_id)["withdrawn_after_instruction"]
    assert flag["raised_on"] == "2023-10-12"
    [withdrawal] = [r for r in flag["evidence"] if r["event_type"] == "Challenge.Withdrawn"]
    events = api.read(f"/authorities/{BRK}/challenges/{challenge_id}", LA_MANAGER).json()
    assert events["events"][-1]["days_late"] > 365 * 3
    assert withdrawal["occurred_on"] == "2023-10-12"
