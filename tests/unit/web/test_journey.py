"""A journey's order of questions, worked out from the form and who is recording."""

from __future__ import annotations

from iro_ledger.application import Principal, Role
from iro_ledger.web.forms import BY_SLUG
from iro_ledger.web.journey import (
    CHECK,
    first_step,
    next_step,
    previous_step,
    questions,
    read_back,
)

RAISE = BY_SLUG["raise-challenge"]
IRO = Principal(sub="iro.marsh", role=Role.IRO, la_code="EMR")
ADMIN = Principal(sub="admin", role=Role.ADMIN)


def names(principal: Principal) -> list[str]:
    return [one.name for one in questions(RAISE, principal)]


def test_an_iro_is_asked_the_case_what_is_challenged_the_grounds_and_when() -> None:
    assert names(IRO) == ["case_id", "about", "grounds", "occurred_on"]


def test_an_admin_is_asked_the_authority_and_the_iro_first() -> None:
    assert names(ADMIN)[:2] == ["la_code", "officer_id"]


def test_the_reference_drawn_for_the_record_is_changed_on_the_check_page_only() -> None:
    assert "challenge_id" not in names(IRO)
    rows = read_back(RAISE, IRO, {"challenge_id": "ch-1"}, {})
    assert [r.text for r in rows if r.field.name == "challenge_id"] == ["ch-1"]


def test_a_journey_opened_from_a_case_starts_at_what_is_challenged() -> None:
    assert first_step(RAISE, IRO, {"case_id": "EMR-C12"}) == "about"
    assert first_step(RAISE, IRO, {}) == "case_id"


def test_the_last_question_and_a_changed_answer_lead_to_the_check_page() -> None:
    assert next_step(RAISE, IRO, "about", returning=False) == "grounds"
    assert next_step(RAISE, IRO, "occurred_on", returning=False) == CHECK
    assert next_step(RAISE, IRO, "case_id", returning=True) == CHECK


def test_back_from_the_check_page_is_the_last_question_and_the_first_has_none() -> None:
    assert previous_step(RAISE, IRO, CHECK) == "occurred_on"
    assert previous_step(RAISE, IRO, "grounds") == "about"
    assert previous_step(RAISE, IRO, "case_id") is None
    assert previous_step(RAISE, IRO, "challenge_id") == CHECK, "a reference: from the check"


def test_the_check_page_reads_a_day_in_words_and_a_choice_by_its_label() -> None:
    rows = {r.field.name: r.text for r in read_back(
        RAISE, IRO, {"about": "dec-1", "occurred_on-day": "3", "occurred_on-month": "4",
                     "occurred_on-year": "2025"}, {"about": [("dec-1", "Decision dec-1")]})}

    assert rows["about"] == "Decision dec-1" and rows["occurred_on"] == "3 Apr 2025"
    assert rows["grounds"] == "Not given"
