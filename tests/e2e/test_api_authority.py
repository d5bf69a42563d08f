"""Roles and authorities over HTTP (DESIGN: privacy and access): who may record and read what,
and that reads by outsiders are themselves recorded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e import (
    ARBITRATOR,
    INSPECTOR,
    IRO_ADA,
    IRO_BEN,
    IRO_MANAGER,
    LA,
    MANAGER,
    OTHER_LA,
    OTHER_MANAGER,
    PANEL,
    STORES,
    Api,
    bearer,
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


def _referred_to_panel(api: Api) -> str:
    challenge_id = raise_challenge(api)
    api.ok("request_arbitration", IRO_ADA, challenge_id=challenge_id, body=PANEL)
    return challenge_id


# Writing


def test_an_iro_records_a_challenge_as_themselves(api: Api) -> None:
    challenge_id = raise_challenge(api, IRO_ADA, officer_id="iro-ada")

    challenge = api.read(f"/authorities/{LA}/challenges/{challenge_id}", IRO_ADA).json()
    assert challenge["state"]["officer_id"] == "iro-ada"


def test_an_iro_cannot_record_a_challenge_as_another_officer(api: Api) -> None:
    problem = api.refused(403, "raise_challenge", IRO_ADA, challenge_id=fresh_id("ch"),
                          case_id="case-1", officer_id="iro-ben", about="care_plan",
                          grounds="Raised in someone else's name")

    assert "only as themselves" in problem["detail"]


def test_an_iro_cannot_escalate_another_iros_challenge(api: Api) -> None:
    challenge_id = raise_challenge(api)

    api.refused(403, "escalate_challenge", IRO_BEN, challenge_id=challenge_id,
                to_stage="stage_1", addressed_to="mgr-cara")


def test_the_raiser_may_withdraw_their_own_challenge(api: Api) -> None:
    challenge_id = raise_challenge(api)

    api.ok("withdraw_challenge", IRO_ADA, challenge_id=challenge_id, reason="Settled")

    challenge = api.read(f"/authorities/{LA}/challenges/{challenge_id}", IRO_ADA).json()
    assert challenge["state"]["closed_as"] == "withdrawn"


@pytest.mark.parametrize("actor", [None, "iro-ada"])
def test_a_la_manager_can_never_withdraw_a_challenge(api: Api, actor: str | None) -> None:
    challenge_id = raise_challenge(api)
    named = {"actor": actor} if actor else {}

    api.refused(403, "withdraw_challenge", MANAGER, challenge_id=challenge_id, **named)


def test_no_one_but_the_raiser_may_withdraw_a_challenge(api: Api) -> None:
    challenge_id = raise_challenge(api)

    problem = api.refused(403, "withdraw_challenge", IRO_MANAGER, challenge_id=challenge_id,
                          reason="Management view")

    assert "only iro-ada" in problem["detail"]
    api.refused(403, "withdraw_challenge", IRO_BEN, challenge_id=challenge_id)


def test_a_principal_cannot_record_in_another_authority(api: Api) -> None:
    problem = api.refused(403, "open_case", OTHER_MANAGER, case_id=fresh_id("case"),
                          child_ref="child-x", legal_status="C2", entered_care_on="2024-05-01")

    assert f"not {LA}" in problem["detail"]


def test_an_iro_of_another_authority_cannot_challenge_there(api: Api) -> None:
    api.refused(403, "raise_challenge", bearer("iro-sol", "iro", OTHER_LA),
                challenge_id=fresh_id("ch"), case_id="case-1", officer_id="iro-sol",
                about="care_plan", grounds="Not my authority")


@pytest.mark.parametrize("who", [INSPECTOR, ARBITRATOR], ids=["inspector", "arbitrator"])
def test_inspectors_and_arbitrators_record_nothing(api: Api, who: dict[str, str]) -> None:
    api.refused(403, "close_case", who, case_id="case-1")


# Reading


def _read(api: Api, path: str, who: dict[str, str]) -> tuple[int, int]:
    """(status, events recorded by the read)."""
    before = api.events()
    status = api.read(path, who).status_code
    return status, api.events() - before


def test_a_principal_cannot_read_another_authoritys_records(api: Api) -> None:
    for path, who in ((f"/authorities/{LA}/cases/case-1", OTHER_MANAGER),
                      (f"/authorities/{LA}", OTHER_MANAGER),
                      (f"/authorities/{OTHER_LA}/cases/case-9", MANAGER),
                      (f"/authorities/{OTHER_LA}/officers/iro-sol", IRO_ADA)):
        assert _read(api, path, who) == (403, 0), path


def test_reads_within_ones_own_authority_are_not_logged(api: Api) -> None:
    assert _read(api, f"/authorities/{LA}/cases/case-1", MANAGER) == (200, 0)
    assert _read(api, f"/authorities/{LA}/officers/iro-ada", IRO_ADA) == (200, 0)


def test_an_inspector_reads_any_authority_and_each_read_is_recorded(api: Api) -> None:
    assert _read(api, f"/authorities/{LA}/cases/case-1", INSPECTOR) == (200, 1)
    assert _read(api, f"/authorities/{OTHER_LA}/cases/case-9", INSPECTOR) == (200, 1)
    assert _read(api, f"/authorities/{OTHER_LA}", INSPECTOR) == (200, 1)


def test_an_arbitrator_reads_a_challenge_referred_to_their_body_and_the_read_is_recorded(
        api: Api) -> None:
    challenge_id = _referred_to_panel(api)

    assert _read(api, f"/authorities/{LA}/challenges/{challenge_id}", ARBITRATOR) == (200, 1)


def test_an_arbitrator_sees_nothing_not_referred_to_their_body(api: Api) -> None:
    referred, not_referred = _referred_to_panel(api), raise_challenge(api)
    other_panel = bearer("arb-gus", "arbitrator", body="Another Fictional Panel")

    assert _read(api, f"/authorities/{LA}/challenges/{not_referred}", ARBITRATOR) == (403, 0)
    assert _read(api, f"/authorities/{LA}/challenges/{referred}", other_panel) == (403, 0)
    assert _read(api, f"/authorities/{OTHER_LA}/cases/case-9", ARBITRATOR) == (403, 0)
    assert _read(api, f"/authorities/{LA}", ARBITRATOR) == (403, 0)
    # The case of a dispute referred to them is in its bundle, so theirs to read.
    assert _read(api, f"/authorities/{LA}/cases/case-1", ARBITRATOR) == (200, 1)
