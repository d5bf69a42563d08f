"""A back-dated answer cannot make a flag vanish: issue 8's attack, through the API.

Ada challenged a care plan in Brackenfold (fictional) in the autumn of 2023, recorded on the
day; nobody answered, so a stalled-challenge flag stood open. Years later the la_manager
records an answer dated three days after the challenge. A response is only a holding reply (the
dispute's clock runs until it is resolved), so the stall stays open. A resolution dated then
does stop the clock: the stall is withdrawn, never gone, listed with `status=withdrawn`, found
by its id with the late resolution beside it, and the late resolution is itself flagged
(`late_record_changed_a_flag`). On both stores.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from iro_ledger.domain.record import england_date
from tests.e2e import Api
from tests.e2e.test_api_bent_record import (
    LA_MANAGER,
    a_challenge,
    api,
    flags,
    send,
    suppressed,
    the_flag,
)

__all__ = ["api"]  # the module's store, shared with the other attacks' tests


def answered_years_later(api: Api, raised_on: date, command: str = "resolve_challenge",
                         **answer: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The challenge, its stalled flag before the answer, and the answer's receipt."""
    _, challenge_id = a_challenge(api, raised_on)
    [stalled] = suppressed(flags(api, status="open"), challenge_id).values()
    assert stalled["details"]["pattern"] == "stalled"
    receipt = send(api, command, LA_MANAGER, challenge_id=challenge_id,
                   occurred_on=(raised_on + timedelta(days=3)).isoformat(),
                   **(answer or {"outcome": "not_upheld"}))
    return challenge_id, stalled, receipt


def test_a_back_dated_response_leaves_the_stalled_flag_open(api: Api) -> None:
    challenge_id, stalled, _ = answered_years_later(
        api, date(2023, 9, 18), "respond_to_challenge", response="We answered at the time.")

    assert suppressed(flags(api, status="open"), challenge_id)["stalled"]["id"] == stalled["id"]
    assert the_flag(api, stalled["id"])["status"] == "open"


def test_a_back_dated_resolution_leaves_the_stalled_flag_withdrawn_with_it(api: Api) -> None:
    raised_on = date(2023, 10, 2)
    challenge_id, stalled, answer = answered_years_later(api, raised_on)

    assert suppressed(flags(api, status="open"), challenge_id) == {}
    assert suppressed(flags(api, status="withdrawn"), challenge_id)["stalled"]["id"] == (
        stalled["id"])
    by_id = the_flag(api, stalled["id"])
    assert by_id["status"] == "withdrawn"
    late = by_id["withdrawn_by"]
    assert (late["kind"], late["id"], late["event_type"], late["recorded_by"]) == (
        "challenge", challenge_id, "Challenge.Resolved", "mgr-cara")
    assert late["position"] == answer["position"]
    assert late["days_late"] == (england_date(datetime.now(UTC))
                                 - (raised_on + timedelta(days=3))).days > 365 * 3


def test_the_back_dated_resolution_is_itself_flagged_naming_both(api: Api) -> None:
    challenge_id, stalled, answer = answered_years_later(api, date(2023, 11, 1))

    [late] = [f for f in flags(api, rule="late_record_changed_a_flag")
              if f["subjects"].get("challenge_id") == challenge_id]
    assert late["status"] == "open"
    assert stalled["id"] in str(late["details"])
    assert answer["position"] in {r["position"] for r in late["evidence"]}
