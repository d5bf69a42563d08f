"""A looked-after child's case: IRO allocation, plan, reviews, recommendations, decisions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from iro_ledger.domain.case import Case
from iro_ledger.domain.errors import BadTiming, InvalidValue, InvariantViolation, NotRecorded
from iro_ledger.domain.values import OfficerRole
from tests.builders import LA, officer, open_case, stamp


def test_opening_a_case_records_the_child_pseudonym_and_legal_status() -> None:
    case = Case.open(LA, "case-7", "child-fc-0193", "C2", date(2024, 2, 20), stamp("2024-03-01"))

    assert (case.child_ref, case.legal_status, case.entered_care_on, case.is_open) == (
        "child-fc-0193", "C2", date(2024, 2, 20), True)


def test_a_child_cannot_enter_care_after_the_case_opens() -> None:
    with pytest.raises(BadTiming) as refused:
        Case.open(LA, "case-7", "child-fc-0193", "C2", date(2024, 3, 2), stamp("2024-03-01"))
    assert refused.value.field == "entered_care_on"


def test_an_iro_is_assigned_to_a_case() -> None:
    case, iro = open_case(), officer("iro-kit")

    case.assign_iro(iro, "first_allocation", stamp())

    assigned = case.collect_events()[-1]
    assert isinstance(assigned, Case.IroAssigned)
    assert (case.iro, assigned.previous_officer_id) == ("iro-kit", None)


def test_a_reassignment_names_the_iro_it_replaces() -> None:
    case = open_case()
    case.assign_iro(officer("iro-kit"), "first_allocation", stamp())

    case.assign_iro(officer("iro-max"), "after_dispute", stamp())

    reassigned = case.collect_events()[-1]
    assert isinstance(reassigned, Case.IroAssigned)
    assert (case.iro, reassigned.previous_officer_id, reassigned.reason) == (
        "iro-max", "iro-kit", "after_dispute")


def test_the_current_iro_cannot_be_assigned_again() -> None:
    case, iro = open_case(), officer()
    case.assign_iro(iro, "first_allocation", stamp())

    with pytest.raises(InvariantViolation, match="already the IRO"):
        case.assign_iro(iro, "workload", stamp())


@pytest.mark.parametrize("role", [r for r in OfficerRole if r is not OfficerRole.IRO])
def test_only_an_officer_of_role_iro_can_be_assigned(role: OfficerRole) -> None:
    with pytest.raises(InvalidValue) as refused:
        open_case().assign_iro(officer("o-2", role=role), "first_allocation", stamp())
    assert refused.value.field == "officer_id"


def test_an_officer_whose_engagement_ended_cannot_be_assigned() -> None:
    iro = officer()
    iro.end_engagement("contract_terminated", "", stamp("2024-05-01"))

    with pytest.raises(InvariantViolation, match="engagement already ended"):
        open_case().assign_iro(iro, "first_allocation", stamp())


def test_an_assignment_cannot_predate_the_officers_registration() -> None:
    iro = officer(on="2024-04-01")

    with pytest.raises(BadTiming, match="officer iro-kit"):
        open_case(on="2024-03-01").assign_iro(iro, "first_allocation", stamp("2024-03-15"))


def test_an_assignment_cannot_predate_the_case() -> None:
    with pytest.raises(BadTiming, match="case case-7"):
        open_case(on="2024-03-01").assign_iro(officer(), "first_allocation", stamp("2024-02-01"))


def test_an_unknown_assignment_reason_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        open_case().assign_iro(officer(), "because", stamp())
    assert refused.value.field == "reason"


def test_a_care_plan_revision_records_whether_it_went_through_review() -> None:
    case = open_case()

    case.revise_care_plan("placement_move", "moved to Holt Lane", False, False, stamp())

    revised = case.collect_events()[-1]
    assert isinstance(revised, Case.CarePlanRevised)
    assert (revised.change, revised.via_review, revised.iro_consulted) == (
        "placement_move", False, False)


def test_an_unknown_kind_of_plan_change_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        open_case().revise_care_plan("haircut", "", True, True, stamp())
    assert refused.value.field == "change"


def test_a_review_records_its_chair_and_the_childs_participation() -> None:
    case = open_case()

    case.hold_review(officer("iro-kit"), "views_conveyed", True, stamp())

    held = case.collect_events()[-1]
    assert isinstance(held, Case.ReviewHeld)
    assert (held.chaired_by, held.child_participation, held.child_seen_before) == (
        "iro-kit", "views_conveyed", True)


def test_a_review_cannot_predate_its_chairs_registration() -> None:
    with pytest.raises(BadTiming):
        open_case().hold_review(officer(on="2024-05-01"), "attended", True, stamp("2024-04-30"))


def test_an_unknown_kind_of_child_participation_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        open_case().hold_review(officer(), "sulked", True, stamp())
    assert refused.value.field == "child_participation"


def test_a_recommendation_is_outstanding_until_its_outcome_is_recorded() -> None:
    case = open_case()
    case.make_recommendation("rec-1", "arrange sibling contact", date(2024, 7, 1), stamp())
    assert case.recommendations == {"rec-1": None}

    case.record_recommendation_outcome("rec-1", "declined", "no budget", stamp())

    assert case.recommendations == {"rec-1": "declined"}


def test_a_recommendation_id_is_used_once_per_case() -> None:
    case = open_case()
    case.make_recommendation("rec-1", "arrange sibling contact", date(2024, 7, 1), stamp())

    with pytest.raises(InvariantViolation, match="already recorded"):
        case.make_recommendation("rec-1", "something else", date(2024, 7, 1), stamp())


def test_a_recommendation_cannot_fall_due_before_it_is_made() -> None:
    with pytest.raises(BadTiming) as refused:
        open_case().make_recommendation("rec-1", "soon", date(2024, 6, 2), stamp("2024-06-03"))
    assert refused.value.field == "due_on"


def test_an_outcome_needs_a_recorded_recommendation() -> None:
    with pytest.raises(NotRecorded):
        open_case().record_recommendation_outcome("rec-9", "completed", "", stamp())


def test_a_recommendation_has_one_outcome() -> None:
    case = open_case()
    case.make_recommendation("rec-1", "arrange sibling contact", date(2024, 7, 1), stamp())
    case.record_recommendation_outcome("rec-1", "completed", "", stamp())

    with pytest.raises(InvariantViolation, match="already has an outcome"):
        case.record_recommendation_outcome("rec-1", "lapsed", "", stamp())


def test_an_unknown_recommendation_outcome_is_refused() -> None:
    case = open_case()
    case.make_recommendation("rec-1", "arrange sibling contact", date(2024, 7, 1), stamp())

    with pytest.raises(InvalidValue) as refused:
        case.record_recommendation_outcome("rec-1", "ignored", "", stamp())
    assert refused.value.field == "outcome"


def test_an_outcome_cannot_predate_its_recommendation() -> None:
    case = open_case()
    case.make_recommendation("rec-1", "arrange sibling contact", date(2024, 7, 1),
                             stamp("2024-06-03"))

    with pytest.raises(BadTiming):
        case.record_recommendation_outcome("rec-1", "completed", "", stamp("2024-05-01"))


def test_a_decision_is_recorded_once_per_case() -> None:
    case = open_case()
    case.record_decision("dec-1", "placement", "move to residential care", stamp())

    with pytest.raises(InvariantViolation, match="already recorded"):
        case.record_decision("dec-1", "placement", "again", stamp())
    assert case.decisions == {"dec-1"}


def test_a_closed_case_records_when_it_closed() -> None:
    case = open_case()

    case.close("special guardianship order", stamp("2024-06-03"))

    assert (case.is_open, case.closed_on) == (False, date(2024, 6, 3))


CASE_COMMANDS: dict[str, Callable[[Case], None]] = {
    "assign_iro": lambda k: k.assign_iro(officer("iro-new"), "workload", stamp()),
    "revise_care_plan": lambda k: k.revise_care_plan("contact", "", True, True, stamp()),
    "hold_review": lambda k: k.hold_review(officer(), "attended", True, stamp()),
    "make_recommendation": lambda k: k.make_recommendation(
        "rec-2", "", date(2024, 7, 1), stamp()),
    "record_recommendation_outcome": lambda k: k.record_recommendation_outcome(
        "rec-1", "lapsed", "", stamp()),
    "record_decision": lambda k: k.record_decision("dec-2", "contact", "", stamp()),
    "close_case": lambda k: k.close("again", stamp()),
}


@pytest.mark.parametrize("name", CASE_COMMANDS)
def test_every_case_command_needs_an_open_case(name: str) -> None:
    case = open_case()
    case.make_recommendation("rec-1", "arrange sibling contact", date(2024, 7, 1),
                             stamp("2024-05-01"))
    case.close("adopted", stamp("2024-05-02"))

    with pytest.raises(InvariantViolation, match="is closed"):
        CASE_COMMANDS[name](case)
    assert case.version == 3


@pytest.mark.parametrize("about", ["care_plan", "other", "dec-1", "rec-1"])
def test_a_case_can_be_challenged_about_its_plan_its_decisions_and_recommendations(
        about: str) -> None:
    case = open_case()
    case.record_decision("dec-1", "placement", "", stamp())
    case.make_recommendation("rec-1", "", date(2024, 7, 1), stamp())

    case.check_can_be_challenged_about(about, date(2024, 6, 3))


def test_a_case_cannot_be_challenged_about_something_it_does_not_record() -> None:
    with pytest.raises(NotRecorded, match="dec-404"):
        open_case().check_can_be_challenged_about("dec-404", date(2024, 6, 3))


def test_a_case_cannot_be_challenged_about_a_decision_before_it_was_made() -> None:
    case = open_case()
    case.record_decision("dec-1", "placement", "", stamp("2024-06-03"))

    with pytest.raises(BadTiming):
        case.check_can_be_challenged_about("dec-1", date(2024, 6, 2))
