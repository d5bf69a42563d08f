"""The vocabulary the seed documents' stories need, as the domain keeps it.

Concerns raised outside the protocol, what a threat or an ending was about, repeated
recommendations, a review the IRO requires, consultation on decisions, emergency changes,
the legal route beyond Cafcass, FTE, short breaks, and a challenge to a case's closure.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from iro_ledger.application import Ledger
from iro_ledger.application.store import store_env
from iro_ledger.domain.case import Case, Consultation
from iro_ledger.domain.concern import Concern
from iro_ledger.domain.errors import BadTiming, InvalidValue, InvariantViolation, NotRecorded
from iro_ledger.domain.officer import Officer
from tests.builders import challenge, officer, open_case, stamp


def test_an_iro_records_a_concern_raised_in_review_minutes() -> None:
    kit = officer("iro-kit")
    concern = Concern.raise_("con-1", kit, open_case(), "review_minutes", "hos-sam",
                             "no plan for accommodation after 18", stamp(actor="iro-kit"))

    raised = concern.collect_events()[-1]
    assert isinstance(raised, Concern.Raised)
    assert (raised.officer_id, raised.case_id, raised.raised_in) == (
        "iro-kit", "case-7", "review_minutes")


def test_a_concern_about_the_service_names_no_case() -> None:
    concern = Concern.raise_("con-1", officer("iro-kit"), None, "email", "",
                             "caseloads are past 90", stamp(actor="iro-kit"))
    assert concern.case_id is None


def test_a_social_worker_does_not_raise_an_iros_concern() -> None:
    with pytest.raises(InvalidValue, match="raised by IROs"):
        Concern.raise_("con-1", officer("sw-dee", role="social_worker"), None, "email", "",
                       "worried", stamp())


def test_a_concern_must_say_what_it_was() -> None:
    with pytest.raises(InvalidValue, match="summary"):
        Concern.raise_("con-1", officer("iro-kit"), None, "email", "", "  ", stamp())


def test_a_threat_records_what_it_was_about() -> None:
    kit = officer("iro-kit")
    kit.record_disciplinary_action("threatened", "tone", stamp(actor="hos-sam"),
                                   about=("concern:con-1", "case:case-7"))
    event = kit.collect_events()[-1]
    assert isinstance(event, Officer.DisciplinaryActionRecorded)
    assert tuple(event.about) == ("concern:con-1", "case:case-7")


@pytest.mark.parametrize("link", ["concern", "decision:dec-1", "challenge:", "case:a/b"])
def test_a_link_that_is_not_kind_and_id_is_refused(link: str) -> None:
    with pytest.raises(InvalidValue, match="about"):
        officer().end_engagement("post_deleted", "restructure", stamp(), about=(link,))


def test_a_link_named_twice_is_refused() -> None:
    with pytest.raises(InvalidValue, match="twice"):
        officer().end_engagement("post_deleted", "", stamp(),
                                 about=("report:rep-1", "report:rep-1"))


def test_a_recommendation_repeats_an_earlier_one_of_its_case() -> None:
    case = open_case()
    case.make_recommendation("rec-1", "plan for after 18", date(2024, 7, 1), stamp("2024-06-03"))
    case.make_recommendation("rec-2", "plan for after 18", date(2025, 1, 6), stamp("2024-12-02"),
                             repeats="rec-1")
    made = case.collect_events()[-1]
    assert isinstance(made, Case.RecommendationMade)
    assert made.repeats == "rec-1"


def test_a_recommendation_cannot_repeat_one_never_made() -> None:
    with pytest.raises(NotRecorded, match="rec-0"):
        open_case().make_recommendation("rec-1", "x", date(2024, 7, 1), stamp(), repeats="rec-0")


def test_an_iro_requires_a_review_by_a_date() -> None:
    case = open_case()
    case.require_review(officer("iro-kit"), "placement at risk", date(2024, 6, 17),
                        stamp(actor="iro-kit"))
    required = case.collect_events()[-1]
    assert isinstance(required, Case.ReviewRequired)
    assert (required.officer_id, required.hold_by) == ("iro-kit", date(2024, 6, 17))


def test_only_an_iro_requires_a_review() -> None:
    with pytest.raises(InvalidValue, match="an IRO requires a review"):
        open_case().require_review(officer("mgr-ada", role="team_manager"), "x",
                                   date(2024, 6, 17), stamp())


def test_a_review_cannot_be_required_in_the_past() -> None:
    with pytest.raises(BadTiming, match="hold_by"):
        open_case().require_review(officer(), "x", date(2024, 6, 1), stamp("2024-06-03"))


def test_a_decision_carries_who_was_consulted_and_how_far_the_move_is() -> None:
    case = open_case()
    case.record_decision("dec-1", "placement_move", "to a home 100 miles away", stamp(),
                         consultation=Consultation(child_consulted=False, iro_consulted=False,
                                                   distance_miles=100))
    decided = case.collect_events()[-1]
    assert isinstance(decided, Case.DecisionRecorded)
    assert (decided.child_consulted, decided.iro_consulted, decided.parents_consulted,
            decided.distance_miles) == (False, False, None, 100)


def test_an_emergency_change_is_not_also_made_at_a_review() -> None:
    with pytest.raises(InvalidValue, match="emergency"):
        open_case().revise_care_plan("placement_move", "", True, True, stamp(), emergency=True)


def test_an_emergency_move_is_recorded_as_such() -> None:
    case = open_case()
    case.revise_care_plan("placement_move", "placement broke down", False, False, stamp(),
                          emergency=True)
    revised = case.collect_events()[-1]
    assert isinstance(revised, Case.CarePlanRevised)
    assert (revised.emergency, revised.child_consulted) == (True, None)


def test_a_challenge_to_a_case_closure_is_accepted_after_the_case_closed() -> None:
    case = open_case()
    case.close("returned home", stamp("2024-05-01"))
    raised = challenge(case=case, about="case_closure", on="2024-05-03")
    assert raised.about == "case_closure"


def test_any_other_challenge_on_a_closed_case_is_still_refused() -> None:
    case = open_case()
    case.close("returned home", stamp("2024-05-01"))
    with pytest.raises(InvariantViolation, match="closed"):
        challenge(case=case, about="care_plan", on="2024-05-03")


def test_the_legal_route_beyond_cafcass_follows_the_end_of_the_local_protocol() -> None:
    raised = challenge()
    raised.resolve("not_upheld", stamp("2024-04-10"))
    raised.refer_to_cafcass(stamp("2024-04-11", actor="iro-kit"))
    raised.record_legal_step("legal_advice", "carer", "advice on acting as litigation friend",
                             stamp("2024-04-20"))
    raised.record_legal_step("court_application", "carer", "Human Rights Act application",
                             stamp("2024-04-25"))
    raised.record_legal_step("court_order", "carer", "the move restrained", stamp("2024-05-02"))
    assert raised.legal_steps == ["legal_advice", "court_application", "court_order"]


def test_a_court_order_needs_a_court_application() -> None:
    with pytest.raises(InvariantViolation, match="court application"):
        challenge().record_legal_step("court_order", "carer", "", stamp())


def test_fte_is_a_share_of_a_full_time_post() -> None:
    kit = Officer.register("FX1", "iro-kit", "iro", "employed", stamp("2024-01-15"), fte=0.5)
    kit.record_fte(0.8, "hours increased", stamp())
    assert kit.fte == 0.8
    with pytest.raises(InvalidValue, match="fte"):
        kit.record_fte(1.5, "", stamp())


def test_a_case_in_short_breaks_is_recorded_and_can_end() -> None:
    case = Case.open("FX1", "case-9", "child-fc-0200", "V1", date(2024, 2, 20),
                     stamp("2024-03-01"), short_breaks=True)
    case.record_short_breaks(False, stamp())
    assert case.short_breaks is False
    with pytest.raises(InvariantViolation, match="already"):
        case.record_short_breaks(False, stamp())


OLD_STATE_LACKS = {
    Officer.DisciplinaryActionRecorded: ("about", ()),
    Officer.EngagementEnded: ("about", ()),
    Officer.Registered: ("fte", None),
    Case.Opened: ("short_breaks", False),
    Case.CarePlanRevised: ("emergency", False),
    Case.DecisionRecorded: ("child_consulted", None),
    Case.RecommendationMade: ("repeats", None),
}


def _one_of_each() -> dict[type[Any], Any]:
    kit = officer("iro-kit")
    kit.record_disciplinary_action("threatened", "", stamp())
    kit.end_engagement("resigned", "", stamp())
    case = open_case()
    case.revise_care_plan("contact", "", True, True, stamp())
    case.record_decision("dec-1", "placement", "", stamp())
    case.make_recommendation("rec-1", "x", date(2024, 7, 1), stamp())
    return {type(e): e for e in [*kit.collect_events(), *case.collect_events()]}


@pytest.mark.parametrize("cls", OLD_STATE_LACKS, ids=lambda c: c.__qualname__)
def test_events_stored_before_the_new_facts_read_them_as_not_stated(
        cls: type[Any], tmp_path: Any) -> None:
    ledger = Ledger(env=store_env(f"sqlite:///{tmp_path / 'old.sqlite'}"))
    try:
        name, default = OLD_STATE_LACKS[cls]
        stored = ledger.mapper.to_stored_event(_one_of_each()[cls])
        state = ledger.mapper.transcoder.decode(stored.state)
        state.pop(name)
        old = type(stored)(originator_id=stored.originator_id,
                           originator_version=stored.originator_version, topic=stored.topic,
                           state=ledger.mapper.transcoder.encode(state))
        assert getattr(ledger.mapper.to_domain_event(old), name) == default
    finally:
        ledger.close()
