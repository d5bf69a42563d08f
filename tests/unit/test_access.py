"""Who may record what, and read whose records: the authorisation matrix as sentences."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from iro_ledger.application import Ledger, Principal, Role
from iro_ledger.application.access import (
    RECORDS_ON_BEHALF,
    authorise,
    can_read,
    check_owner,
    own_act,
    reads_are_recorded,
)
from iro_ledger.application.commands import COMMANDS
from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.errors import NotPermitted
from iro_ledger.domain.record import record_id
from tests.builders import LA, command

OTHER_LA = "FX2"
KIT = Principal("iro-kit", Role.IRO, LA)
MAX = Principal("iro-max", Role.IRO, LA)
JO = Principal("iro-mgr-jo", Role.IRO_MANAGER, LA)
ADA = Principal("mgr-ada", Role.LA_MANAGER, LA)
VALE = Principal("insp-vale", Role.INSPECTOR)
NEL = Principal("arb-nel", Role.ARBITRATOR, body="Northbridge Arbitration Panel")
ROOT = Principal("root", Role.ADMIN)

IRO_MAY = {
    "raise_challenge", "escalate_challenge", "withdraw_challenge", "refer_to_cafcass",
    "record_cafcass_outcome", "request_arbitration", "make_recommendation", "hold_review",
    "record_decision", "revise_care_plan", "record_instruction", "record_disciplinary_action",
    "end_engagement", "correct_record", "record_concern", "require_review", "record_legal_step",
}
LA_MANAGER_MAY = {
    "register_officer", "end_engagement", "record_disciplinary_action", "open_case",
    "assign_iro", "revise_care_plan", "record_decision", "close_case",
    "record_recommendation_outcome", "respond_to_challenge", "resolve_challenge",
    "record_instruction", "rescind_instruction", "draft_annual_report", "request_report_edit",
    "revise_annual_report", "submit_annual_report", "withhold_annual_report", "correct_record",
    "record_fte", "record_short_breaks", "record_legal_step", "record_data_quality",
    "record_source_period",
}
MAY: dict[Principal, set[str]] = {
    KIT: IRO_MAY, JO: IRO_MAY | LA_MANAGER_MAY, ADA: LA_MANAGER_MAY, VALE: set(), NEL: set(),
    ROOT: set(COMMANDS),
}
"""What each role may record in its own authority (an IRO, as iro-kit, about themselves)."""


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("principal", MAY, ids=lambda p: p.role.value)
def test_each_role_records_exactly_its_own_commands(principal: Principal, name: str) -> None:
    if name in MAY[principal]:
        authorise(principal, command(name))
    else:
        with pytest.raises(NotPermitted, match=f"role {principal.role} may not {name}"):
            authorise(principal, command(name))


@pytest.mark.parametrize(("principal", "name"), [
    pytest.param(p, name, id=f"{p.role}-{name}")
    for p in (KIT, JO, ADA) for name in sorted(MAY[p])])
def test_no_principal_writes_into_another_authority(principal: Principal, name: str) -> None:
    with pytest.raises(NotPermitted, match=f"belongs to {LA}, not {OTHER_LA}"):
        authorise(principal, command(name, la_code=OTHER_LA))


def test_a_la_manager_can_never_withdraw_a_challenge() -> None:
    with pytest.raises(NotPermitted):
        authorise(ADA, command("withdraw_challenge", actor="iro-kit"))


@pytest.mark.parametrize("principal", [VALE, NEL], ids=["inspector", "arbitrator"])
@pytest.mark.parametrize("name", COMMANDS)
def test_inspectors_and_arbitrators_write_nothing(principal: Principal, name: str) -> None:
    with pytest.raises(NotPermitted):
        authorise(principal, command(name))


def test_an_admin_can_register_an_authority() -> None:
    authorise(ROOT, command("register_authority", la_code="FX9", name="Holt Vale"))


@pytest.mark.parametrize("name", ["raise_challenge", "record_disciplinary_action",
                                  "end_engagement"])
def test_an_iro_records_these_only_about_themselves(name: str) -> None:
    authorise(KIT, command(name, officer_id="iro-kit"))

    with pytest.raises(NotPermitted, match="only as themselves"):
        authorise(KIT, command(name, officer_id="iro-max"))


def test_an_iro_manager_may_raise_a_challenge_for_an_iro() -> None:
    authorise(JO, command("raise_challenge", officer_id="iro-kit"))


@pytest.mark.parametrize("issued_to", [["iro-kit"], ["iro-max", "iro-kit"], ["all_iros"]])
def test_an_iro_records_instructions_they_received(issued_to: list[str]) -> None:
    authorise(KIT, command("record_instruction", issued_to=issued_to))


def test_an_iro_cannot_record_an_instruction_given_to_someone_else() -> None:
    with pytest.raises(NotPermitted, match="instructions they received"):
        authorise(KIT, command("record_instruction", issued_to=["iro-max"]))


def test_an_iro_acts_only_on_challenges_they_raised() -> None:
    check_owner(KIT, "iro-kit", "challenge ch-1")

    with pytest.raises(NotPermitted, match="raised by iro-max, not iro-kit"):
        check_owner(KIT, "iro-max", "challenge ch-1")


@pytest.mark.parametrize("principal", [JO, ADA, ROOT], ids=lambda p: p.role.value)
def test_managers_and_admins_are_not_limited_to_their_own_challenges(
        principal: Principal) -> None:
    check_owner(principal, "iro-kit", "challenge ch-1")


@pytest.mark.parametrize("principal", [KIT, JO, ADA], ids=lambda p: p.role.value)
def test_a_principal_reads_only_their_own_authority(principal: Principal) -> None:
    assert (can_read(principal, LA), can_read(principal, OTHER_LA)) == (True, False)


@pytest.mark.parametrize("principal", [VALE, ROOT], ids=["inspector", "admin"])
def test_inspectors_and_admins_read_every_authority(principal: Principal) -> None:
    assert can_read(principal, LA) and can_read(principal, OTHER_LA)


def test_an_arbitrator_reads_only_disputes_referred_to_their_body() -> None:
    assert can_read(NEL, LA, "Northbridge Arbitration Panel")
    assert not can_read(NEL, LA, "Another Panel")
    assert not can_read(NEL, LA)


@pytest.mark.parametrize("principal", MAY, ids=lambda p: p.role.value)
def test_only_reads_by_inspectors_and_arbitrators_are_recorded(principal: Principal) -> None:
    assert reads_are_recorded(principal) is (principal.role in (Role.INSPECTOR, Role.ARBITRATOR))


# Through the application, which knows who raised a challenge (in memory: no I/O).

STORED_ON = datetime(2024, 12, 2, 10, 30, tzinfo=UTC)


@pytest.fixture
def ledger() -> Ledger:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    history = [
        (ROOT, command("register_authority", occurred_on="2024-01-01")),
        (ADA, command("register_officer", occurred_on="2024-01-02")),
        (ADA, command("register_officer", officer_id="iro-max", occurred_on="2024-01-02")),
        (ADA, command("open_case", occurred_on="2024-03-01")),
        (KIT, command("raise_challenge", about="care_plan", occurred_on="2024-04-02")),
    ]
    for principal, cmd in history:
        ledger.execute(cmd, principal, "api", now=STORED_ON)
    return ledger


@pytest.mark.parametrize("name", ["escalate_challenge", "withdraw_challenge",
                                  "refer_to_cafcass", "request_arbitration"])
def test_another_iro_cannot_act_on_a_challenge_they_did_not_raise(
        ledger: Ledger, name: str) -> None:
    stored = ledger.count_events()

    with pytest.raises(NotPermitted, match=r"only iro-kit may .* iro-max \(iro\) may not"):
        ledger.execute(command(name), MAX, "api", now=STORED_ON)
    assert ledger.count_events() == stored


@pytest.mark.parametrize("name", ["escalate_challenge", "withdraw_challenge",
                                  "refer_to_cafcass", "request_arbitration"])
def test_the_raiser_acts_on_their_own_challenge(ledger: Ledger, name: str) -> None:
    outcome = ledger.execute(command(name), KIT, "api", now=STORED_ON)

    assert (outcome.kind, outcome.id, outcome.event_numbers) == ("challenge", "ch-1", [2])


OWN_ACTS = ["escalate_challenge", "withdraw_challenge", "refer_to_cafcass", "request_arbitration"]


def last_event(ledger: Ledger) -> Any:
    return ledger.view(ledger._load(Challenge, LA, "ch-1")).events[-1]


@pytest.mark.parametrize("manager", [JO, ADA], ids=lambda p: p.role.value)
@pytest.mark.parametrize("name", OWN_ACTS)
def test_a_manager_cannot_make_an_iros_own_act_by_naming_them_as_actor(
        ledger: Ledger, manager: Principal, name: str) -> None:
    stored = ledger.count_events()

    with pytest.raises(NotPermitted, match="may not"):
        ledger.execute(command(name, actor="iro-kit"), manager, "api", now=STORED_ON)
    assert ledger.count_events() == stored


@pytest.mark.parametrize("name", OWN_ACTS)
def test_the_raisers_own_act_names_no_one_on_whose_behalf_it_was_made(
        ledger: Ledger, name: str) -> None:
    ledger.execute(command(name), KIT, "api", now=STORED_ON)

    event = last_event(ledger)
    assert (event["actor"], event["recorded_by"], event["on_behalf_of"]) == (
        "iro-kit", "iro-kit", None)


@pytest.mark.parametrize("name", OWN_ACTS)
def test_an_admin_records_an_iros_own_act_visibly_on_their_behalf(
        ledger: Ledger, name: str) -> None:
    ledger.execute(command(name), ROOT, "import", now=STORED_ON)

    event = last_event(ledger)
    assert (event["actor"], event["recorded_by"], event["on_behalf_of"]) == (
        "iro-kit", "root", "iro-kit")


def test_an_own_act_cannot_be_attributed_to_anyone_but_the_raiser(ledger: Ledger) -> None:
    with pytest.raises(NotPermitted, match="actor may not name iro-max"):
        ledger.execute(command("withdraw_challenge", actor="iro-max"), ROOT, "import",
                       now=STORED_ON)


def test_whether_the_person_made_the_act_themselves_is_on_the_event(ledger: Ledger) -> None:
    ledger.execute(command("escalate_challenge"), KIT, "api", now=STORED_ON)
    ledger.execute(command("withdraw_challenge"), ROOT, "import", now=STORED_ON)

    events = list(ledger.events.get(record_id("challenge", LA, "ch-1")))
    assert [e.recorded_by_actor for e in events[1:]] == [True, False]


def test_own_act_answers_for_whom_the_record_was_made() -> None:
    assert own_act(KIT, "iro-kit", "withdraw challenge ch-1") is None
    assert own_act(ROOT, "iro-kit", "withdraw challenge ch-1") == "iro-kit"
    assert set(RECORDS_ON_BEHALF) == {Role.ADMIN}
