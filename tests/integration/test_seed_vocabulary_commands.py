"""The seed stories' vocabulary through the ledger, as the API and batch files use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from iro_ledger.application import Ledger, Principal, Role
from iro_ledger.application.store import store_env
from iro_ledger.domain.errors import InvariantViolation, NotPermitted, NotRecorded
from tests.builders import LA, command

ROOT = Principal("root", Role.ADMIN)
KIT = Principal("iro-kit", Role.IRO, LA)
JO = Principal("iro-mgr-jo", Role.IRO_MANAGER, LA)


@pytest.fixture
def ledger(sqlite_url: str) -> Iterator[Ledger]:
    ledger = Ledger(env=store_env(sqlite_url))
    for name, fields in [("register_authority", {}), ("register_officer", {}),
                         ("register_officer", {"officer_id": "iro-mgr-jo",
                                               "role": "iro_manager"}),
                         ("open_case", {})]:
        ledger.execute(command(name, occurred_on="2024-03-01", **fields), ROOT, "import")
    yield ledger
    ledger.close()


def test_a_threat_linked_to_a_concern_is_recorded_with_its_link(ledger: Ledger) -> None:
    ledger.execute(command("record_concern"), KIT, "api")
    ledger.execute(command("record_disciplinary_action", about=["concern:con-1"]), KIT, "api")
    view = ledger.read("officer", LA, "iro-kit", ROOT, record=False)
    assert view.events[-1]["about"] == ["concern:con-1"]


def test_a_link_to_a_record_the_authority_does_not_hold_is_refused(ledger: Ledger) -> None:
    with pytest.raises(NotRecorded, match="ch-9"):
        ledger.execute(command("record_disciplinary_action", about=["challenge:ch-9"]),
                       KIT, "api")
    assert ledger.read("officer", LA, "iro-kit", ROOT, record=False).version == 1


def test_an_iro_manager_records_a_concern_for_an_iro_on_their_behalf(ledger: Ledger) -> None:
    ledger.execute(command("record_concern"), JO, "api")
    [raised] = ledger.read("concern", LA, "con-1", ROOT, record=False).events
    assert (raised["actor"], raised["on_behalf_of"], raised["recorded_by"]) == (
        "iro-kit", "iro-kit", "iro-mgr-jo")


def test_an_iro_records_only_their_own_concerns(ledger: Ledger) -> None:
    with pytest.raises(NotPermitted):
        ledger.execute(command("record_concern", officer_id="iro-mgr-jo"), KIT, "api")


def test_a_challenge_to_a_closed_case_about_its_closure_is_accepted(ledger: Ledger) -> None:
    ledger.execute(command("close_case"), ROOT, "import")
    with pytest.raises(InvariantViolation, match="closed"):
        ledger.execute(command("raise_challenge", about="care_plan"), KIT, "api")
    ledger.execute(command("raise_challenge", about="case_closure"), KIT, "api")
    assert ledger.read("challenge", LA, "ch-1", ROOT, record=False).state["about"] == (
        "case_closure")


def test_a_legal_step_is_recorded_after_the_challenge_is_resolved(ledger: Ledger) -> None:
    ledger.execute(command("raise_challenge", about="care_plan"), KIT, "api")
    ledger.execute(command("resolve_challenge", outcome="not_upheld"), ROOT, "import")
    ledger.execute(command("record_legal_step", step="judicial_review_letter",
                           taken_by="child"), ROOT, "import")
    state = ledger.read("challenge", LA, "ch-1", ROOT, record=False).state
    assert state["legal_steps"] == ["judicial_review_letter"]
