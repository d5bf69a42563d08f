import json
from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iro_ledger.projections.rules.catalogue import RULE_NAMES
from iro_ledger.projections.rules.engine import RulesEngine
from iro_ledger.projections.runner import Decoder
from tests.unit.rules.story import RECORDED_AT, Story, d, envelopes, recorded, staffed


class Kept:
    """An engine's state as the flags read model keeps it: each changed record's facts and
    each changed flag, through JSON, written after every batch."""

    def __init__(self) -> None:
        self.facts: dict[tuple[str, str, str], str] = {}
        self.flags: dict[str, tuple[str, str]] = {}

    def save(self, engine: RulesEngine) -> None:
        changes = engine.changes()
        for la_code, kind, ref, doc in changes.facts:
            self.facts[(la_code, kind, ref)] = json.dumps(doc)
        for flag in changes.flags:
            self.flags[flag.id] = (flag.la_code, flag.model_dump_json())

    def load(self) -> RulesEngine:
        engine = RulesEngine()
        for la_code in sorted({la for la, _, _ in self.facts} | {la for la, _ in
                                                                   self.flags.values()}):
            engine.load(la_code,
                        [(kind, json.loads(doc)) for (la, kind, _), doc in self.facts.items()
                         if la == la_code],
                        [json.loads(doc) for la, doc in self.flags.values() if la == la_code])
        return engine

    def state(self) -> dict[str, Any]:
        return {"facts": dict(sorted(self.facts.items())),
                "flags": dict(sorted(self.flags.items()))}


def healthy() -> Story:
    """A year of good practice: reviews on time, challenges answered, plans reviewed."""
    story = staffed(since="2024-01-02")
    story.case("c1", "2024-02-05", iro="iro-kit")
    story.case("c2", "2024-02-05", iro="iro-lee")
    for case, chair in (("c1", "iro-kit"), ("c2", "iro-lee")):
        story.review(case, "2024-02-28", chair=chair)
        story.review(case, "2024-05-20", chair=chair)
    for case in ("c1", "c2"):  # c2 is iro-kit's from September
        story.review(case, "2024-11-11", chair="iro-kit")
    story.revise_plan("c1", "2024-05-20", via_review=True, iro_consulted=True)
    story.challenge("ch-1", "c1", "iro-kit", "2024-06-03")
    story.respond("ch-1", "2024-06-10")
    story.escalate("ch-1", "stage_1", "2024-06-12")
    story.respond("ch-1", "2024-06-20")
    story.resolve("ch-1", "2024-06-27", outcome="partially_upheld")
    story.instruct("ins-1", "additional_duties", ["iro-lee"], "2024-08-01")
    story.assign("c2", "iro-kit", "2024-09-02", reason="workload")
    story.draft_report("ar-2024", "irom-ola", "2024-09-02", content="v1")
    story.revise_report("ar-2024", "2024-09-20", actor="irom-ola", content="v2")
    story.submit_report("ar-2024", "2024-10-01", content="v2", actor="irom-ola")
    story.end_engagement("iro-lee", "resigned", "2024-10-31", actor="iro-lee")
    return story


def troubled(now: datetime = RECORDED_AT) -> Story:
    story = staffed(since="2024-01-02", now=now)
    story.case("c1", "2024-02-05", iro="iro-kit")
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-01")
    story.instruct("ins-1", "permission_before_challenge", ["all_iros"], "2024-03-04")
    story.discipline("iro-kit", "threatened", "2024-03-18")
    story.assign("c1", "iro-lee", "2024-04-02")
    story.rescind("ins-1", "2024-06-03")
    return story


def test_healthy_case_history_raises_no_flag() -> None:
    assert healthy().flags("2024-12-31") == []


def test_a_troubled_history_raises_its_flags_with_evidence_from_the_store() -> None:
    flags = troubled().flags("2024-12-31")
    assert {f.rule for f in flags} == {
        "permission_required", "disciplinary_after_challenge", "reallocation_after_dispute",
        "review_overdue", "suppressed_challenge"}
    assert all(f.rule in RULE_NAMES and f.la_code == "FX9" and f.evidence for f in flags)
    positions = {r.position for f in flags for r in f.evidence}
    assert positions and all(p >= 1 for p in positions)


def test_flag_ids_are_the_same_on_every_rebuild() -> None:
    first = [f.id for f in troubled().flags("2024-12-31")]
    again = [f.id for f in troubled().flags("2024-12-31")]
    assert first == again and len(set(first)) == len(first)


def test_state_survives_json_and_processing_goes_on_as_if_uninterrupted() -> None:
    story = troubled()
    named = envelopes(story.events)
    half = len(named) // 2
    kept, engine = Kept(), RulesEngine()
    for env in named[:half]:
        engine.apply(env)
    kept.save(engine)
    resumed = kept.load()
    for env in named[half:]:
        resumed.apply(env)
    kept.save(resumed)
    straight, kept_straight = story.engine(), Kept()
    kept_straight.save(straight)
    assert resumed.flags(d("2024-12-31")) == straight.flags(d("2024-12-31"))
    assert kept.state() == kept_straight.state()


def test_changes_hand_over_only_what_changed_since_last_asked() -> None:
    story = troubled()
    engine = story.engine()
    first = engine.changes()
    assert {kind for _, kind, _, _ in first.facts} >= {"officer", "case", "challenge"}
    assert first.flags
    assert not engine.changes().facts
    story.respond("ch-1", "2024-06-10")
    engine.apply(envelopes(story.events)[-1])
    later = engine.changes()
    assert [(kind, ref) for _, kind, ref, _ in later.facts] == [("challenge", "ch-1")]


def test_events_of_records_the_rules_do_not_know_are_ignored() -> None:
    story = troubled()
    engine = RulesEngine()
    # Without the records' first events the rules know nothing of them: nothing happens.
    for env in envelopes(story.events):
        if env.number > 1:
            assert engine.apply(env) is None
    # And an event whose record nobody has named is no ledger record's to the machinery.
    assert Decoder().name([(story.events[-1], 1, None)]) == []


def busy() -> Story:
    """Every rule's pattern at least once, so every kind of state is carried across splits."""
    story = troubled(now=recorded("2024-11-30"))
    story.case("c2", "2024-02-05", iro="iro-lee")
    story.revise_plan("c2", "2024-03-01")
    story.review("c2", "2024-03-05", chair="iro-lee")
    story.recommend("c2", "rec-1", "2024-03-05", due="2024-04-05")
    story.decide("c2", "dec-1", "2024-03-12", child_consulted=False)
    story.revise_plan("c2", "2024-03-19", emergency=True)
    story.challenge("ch-2", "c2", "iro-lee", "2024-04-01")
    story.instruct("ins-2", "withdraw_challenge", ["iro-lee"], "2024-04-03")
    story.withdraw("ch-2", "2024-04-04")
    story.officer("iro-max")
    story.assign("c2", "iro-max", "2024-05-01")
    story.assign("c2", "iro-kit", "2024-06-03")
    story.draft_report("ar-1", "irom-ola", "2024-04-01")
    story.request_edit("ar-1", "2024-04-10", actor="dir-moss")
    story.end_engagement("irom-ola", "post_deleted", "2024-07-01")
    story.case("c3", "2024-02-05", iro="iro-lee")
    story.challenge("ch-3", "c3", "iro-lee", "2024-05-01")
    story.close("c3", "2024-05-10")
    # A reassignment flagged while a challenge seemed open, withdrawn by its late resolution.
    story.challenge("ch-4", "c2", "iro-kit", "2024-06-10")
    story.assign("c2", "iro-max", "2024-10-01")
    story.resolve("ch-4", "2024-06-20")
    # A stalled challenge resolved by a record made 35 days after the day it claims.
    story.challenge("ch-6", "c1", "iro-kit", "2024-10-07")
    story.now = recorded("2024-12-20")
    story.resolve("ch-6", "2024-11-15")
    return story


BUSY = busy()


@settings(max_examples=25, deadline=None)
@given(st.sets(st.integers(min_value=1, max_value=len(BUSY.events) - 1), max_size=6))
def test_replay_with_state_saved_anywhere_equals_live_processing(splits: set[int]) -> None:
    kept, engine = Kept(), RulesEngine()
    for env in envelopes(BUSY.events):
        engine.apply(env)
        if env.position in splits:
            kept.save(engine)
            engine = kept.load()
    live = BUSY.engine()
    assert engine.flags(d("2024-12-31")) == live.flags(d("2024-12-31"))
    assert engine.flags(d("2024-12-31"), withdrawn=True) == live.flags(d("2024-12-31"),
                                                                       withdrawn=True)
    assert {f.rule for f in live.flags(d("2024-12-31"))} == set(RULE_NAMES) - {
        "caseload_excess"}


def test_withdrawn_flags_are_kept_but_listed_only_when_asked_for() -> None:
    engine = BUSY.engine()
    [withdrawn] = [f for f in engine.flags(d("2024-12-31"), withdrawn=True)
                   if f.status == "withdrawn"]
    assert withdrawn.rule == "reallocation_after_dispute"
    assert withdrawn.subjects["case_id"] == "c2" and withdrawn.raised_on == d("2024-10-01")
    assert withdrawn.id not in {f.id for f in engine.flags(d("2024-12-31"))}
    assert withdrawn.id not in {f.id for f in engine.flags(d("2024-09-30"), withdrawn=True)}
