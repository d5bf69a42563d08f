"""A fictional authority's history told through the real aggregates, for the rules' tests.

Each method acts on the domain exactly as the Ledger would and keeps the events in the order
they were made, so a test reads as the story of what happened and feeds the engine the very
events the store would hold. Every person and place is fictional.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from iro_ledger.domain.authority import Authority
from iro_ledger.domain.case import Case, Consultation
from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.concern import Concern
from iro_ledger.domain.instruction import Instruction
from iro_ledger.domain.officer import Officer
from iro_ledger.domain.record import LedgerRecord, Stamp, record_id
from iro_ledger.domain.report import AnnualReport
from iro_ledger.projections.base import Envelope
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.engine import RulesEngine
from iro_ledger.projections.rules.flag import Flag
from iro_ledger.projections.runner import Decoder

LA = "FX9"
RECORDED_AT = datetime(2029, 12, 31, 12, 0, tzinfo=UTC)


def d(text: str) -> date:
    return date.fromisoformat(text)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Story:
    def __init__(self, la_code: str = LA, since: str = "2023-01-02",
                 now: datetime = RECORDED_AT) -> None:
        self.la = la_code
        self.events: list[Any] = []
        self.officers: dict[str, Officer] = {}
        self.cases: dict[str, Case] = {}
        self.challenges: dict[str, Challenge] = {}
        self.instructions: dict[str, Instruction] = {}
        self.reports: dict[str, AnnualReport] = {}
        self.now = now
        """When the ledger records what follows: everything on one day unless a test moves it."""
        self.authority = Authority.register(la_code, "Fenwick Vale Council", self.stamp(since))
        self._keep(self.authority)

    def stamp(self, on: str, actor: str = "mgr-ada", recorded_by: str = "tester",
              source: str = "api", on_behalf_of: str | None = None) -> Stamp:
        return Stamp(occurred_on=d(on), recorded_at=self.now, recorded_by=recorded_by,
                     actor=actor, source=source, on_behalf_of=on_behalf_of)

    def _keep(self, record: LedgerRecord) -> None:
        self.events.extend(record.collect_events())

    # People

    def officer(self, ref: str, role: str = "iro", employment: str = "employed",
                on: str = "2023-01-02", fte: float | None = None) -> Officer:
        officer = Officer.register(self.la, ref, role, employment, self.stamp(on), fte=fte)
        self.officers[ref] = officer
        self._keep(officer)
        return officer

    def end_engagement(self, officer: str, how: str, on: str, actor: str = "dir-moss",
                       about: tuple[str, ...] = ()) -> None:
        self.officers[officer].end_engagement(how, "restructure", self.stamp(on, actor),
                                              about=about)
        self._keep(self.officers[officer])

    def discipline(self, officer: str, stage: str, on: str, actor: str = "mgr-ada",
                   about: tuple[str, ...] = ()) -> None:
        self.officers[officer].record_disciplinary_action(stage, "conduct", self.stamp(on, actor),
                                                          about=about)
        self._keep(self.officers[officer])

    def record_fte(self, officer: str, fte: float, on: str) -> None:
        self.officers[officer].record_fte(fte, "hours changed", self.stamp(on))
        self._keep(self.officers[officer])

    def concern(self, ref: str, officer: str, on: str, case: str | None = None,
                raised_in: str = "review_minutes", raised_with: str = "mgr-ada") -> Concern:
        concern = Concern.raise_(ref, self.officers[officer],
                                 self.cases[case] if case else None, raised_in, raised_with,
                                 "the plan does not meet the child's needs",
                                 self.stamp(on, officer))
        self._keep(concern)
        return concern

    # Cases

    def source_period(self, begins_on: str, ends_on: str, on: str) -> None:
        """An imported SSDA903 return covers `begins_on` to `ends_on`."""
        authority = self.authority
        authority.record_source_period("ssda903", d(begins_on), d(ends_on),
                                       self.stamp(on, source="import"))
        self._keep(authority)

    def case(self, ref: str, entered_care_on: str, on: str | None = None,
             iro: str | None = None, short_breaks: bool = False, source: str = "api") -> Case:
        case = Case.open(self.la, ref, f"child-{ref}", "C2", d(entered_care_on),
                         self.stamp(on or entered_care_on, source=source),
                         short_breaks=short_breaks)
        self.cases[ref] = case
        self._keep(case)
        if iro is not None:
            self.assign(ref, iro, on or entered_care_on, reason="first_allocation")
        return case

    def assign(self, case: str, officer: str, on: str, reason: str = "workload",
               actor: str = "mgr-ada") -> None:
        self.cases[case].assign_iro(self.officers[officer], reason, self.stamp(on, actor))
        self._keep(self.cases[case])

    def review(self, case: str, on: str, chair: str = "iro-kit", source: str = "api") -> None:
        self.cases[case].hold_review(self.officers[chair], "attended", True,
                                     self.stamp(on, chair, source=source))
        self._keep(self.cases[case])

    def revise_plan(self, case: str, on: str, change: str = "placement_move",
                    via_review: bool = False, iro_consulted: bool = False,
                    emergency: bool = False, child_consulted: bool | None = None) -> None:
        self.cases[case].revise_care_plan(change, "moved to a new foster home", via_review,
                                          iro_consulted, self.stamp(on), emergency=emergency,
                                          consultation=Consultation(
                                              child_consulted=child_consulted))
        self._keep(self.cases[case])

    def decide(self, case: str, ref: str, on: str, kind: str = "placement_move",
               child_consulted: bool | None = None, iro_consulted: bool | None = None,
               parents_consulted: bool | None = None, distance_miles: int | None = None,
               actor: str = "mgr-ada") -> None:
        self.cases[case].record_decision(
            ref, kind, "a new placement", self.stamp(on, actor),
            consultation=Consultation(child_consulted=child_consulted,
                                      iro_consulted=iro_consulted,
                                      parents_consulted=parents_consulted,
                                      distance_miles=distance_miles))
        self._keep(self.cases[case])

    def recommend(self, case: str, ref: str, on: str, due: str,
                  repeats: str | None = None) -> None:
        self.cases[case].make_recommendation(ref, "a plan for after 18", d(due),
                                             self.stamp(on, "iro-kit"), repeats=repeats)
        self._keep(self.cases[case])

    def recommendation_outcome(self, case: str, ref: str, outcome: str, on: str) -> None:
        self.cases[case].record_recommendation_outcome(ref, outcome, "", self.stamp(on))
        self._keep(self.cases[case])

    def require_review(self, case: str, officer: str, on: str, hold_by: str) -> None:
        self.cases[case].require_review(self.officers[officer], "the placement is at risk",
                                        d(hold_by), self.stamp(on, officer))
        self._keep(self.cases[case])

    def short_breaks(self, case: str, short_breaks: bool, on: str) -> None:
        self.cases[case].record_short_breaks(short_breaks, self.stamp(on))
        self._keep(self.cases[case])

    def close(self, case: str, on: str, actor: str = "mgr-ada") -> None:
        self.cases[case].close("returned home", self.stamp(on, actor))
        self._keep(self.cases[case])

    # Challenges

    def challenge(self, ref: str, case: str, officer: str, on: str,
                  about: str = "care_plan") -> Challenge:
        challenge = Challenge.raise_(ref, self.cases[case], self.officers[officer], about,
                                     "the plan ignores the child's wishes",
                                     self.stamp(on, officer))
        self.challenges[ref] = challenge
        self._keep(challenge)
        return challenge

    def escalate(self, ref: str, to_stage: str, on: str) -> None:
        challenge = self.challenges[ref]
        challenge.escalate(to_stage, "head-of-service", self.stamp(on, challenge.officer_id))
        self._keep(challenge)

    def respond(self, ref: str, on: str, actor: str = "mgr-ada") -> None:
        self.challenges[ref].respond("we will review the plan", self.stamp(on, actor))
        self._keep(self.challenges[ref])

    def resolve(self, ref: str, on: str, outcome: str = "upheld") -> None:
        self.challenges[ref].resolve(outcome, self.stamp(on))
        self._keep(self.challenges[ref])

    def withdraw(self, ref: str, on: str, recorded_by: str | None = None,
                 source: str = "api", on_behalf: bool = False) -> None:
        """The raiser's withdrawal: recorded by the raiser with their own principal unless
        `recorded_by` names someone else (`on_behalf`: saying so, as an admin's record does)."""
        challenge = self.challenges[ref]
        officer = challenge.officer_id
        challenge.withdraw("no longer pursued", self.stamp(
            on, officer, recorded_by or officer, source, officer if on_behalf else None))
        self._keep(challenge)

    def refer_to_cafcass(self, ref: str, on: str) -> None:
        challenge = self.challenges[ref]
        challenge.refer_to_cafcass(self.stamp(on, challenge.officer_id))
        self._keep(challenge)

    def legal_step(self, ref: str, step: str, on: str, taken_by: str = "carer") -> None:
        self.challenges[ref].record_legal_step(step, taken_by, "", self.stamp(on))
        self._keep(self.challenges[ref])

    # Instructions and the annual report

    def instruct(self, ref: str, kind: str, to: list[str], on: str,
                 actor: str = "mgr-ada") -> None:
        instruction = Instruction.record(self.la, ref, to, kind, "as discussed",
                                         self.stamp(on, actor))
        self.instructions[ref] = instruction
        self._keep(instruction)

    def rescind(self, ref: str, on: str, actor: str = "mgr-ada") -> None:
        self.instructions[ref].rescind(self.stamp(on, actor))
        self._keep(self.instructions[ref])

    def draft_report(self, ref: str, author: str, on: str, content: str = "v1") -> None:
        report = AnnualReport.draft(self.la, ref, 2023, author, sha(content),
                                    self.stamp(on, author))
        self.reports[ref] = report
        self._keep(report)

    def request_edit(self, ref: str, on: str, actor: str) -> None:
        self.reports[ref].request_edit(["challenges"], self.stamp(on, actor))
        self._keep(self.reports[ref])

    def revise_report(self, ref: str, on: str, actor: str, content: str) -> None:
        self.reports[ref].revise(sha(content), self.stamp(on, actor))
        self._keep(self.reports[ref])

    def submit_report(self, ref: str, on: str, content: str, to: str = "ofsted",
                      actor: str = "dir-moss") -> None:
        self.reports[ref].submit(to, sha(content), self.stamp(on, actor))
        self._keep(self.reports[ref])

    def withhold_report(self, ref: str, on: str, actor: str = "dir-moss") -> None:
        self.reports[ref].withhold("not ready", self.stamp(on, actor))
        self._keep(self.reports[ref])

    def record_last(self, kind: str, ref: str) -> None:
        """Move one record's events to the end, as if it had all been recorded late.

        For orders the domain refuses to produce (a challenge recorded on a case already
        closed), which the rules must still judge as they would any other.
        """
        originator = record_id(kind, self.la, ref)
        mine = [e for e in self.events if e.originator_id == originator]
        self.events = [e for e in self.events if e.originator_id != originator] + mine

    # The engine

    def engine(self, config: RulesConfig | None = None) -> RulesEngine:
        engine = RulesEngine(config)
        for env in envelopes(self.events):
            engine.apply(env)
        return engine

    def flags(self, as_of: str, rule: str | None = None, config: RulesConfig | None = None,
              withdrawn: bool = False) -> list[Flag]:
        found = self.engine(config).flags(d(as_of), withdrawn=withdrawn)
        return [f for f in found if rule is None or f.rule == rule]


def envelopes(events: Sequence[Any]) -> list[Envelope]:
    """The events at store positions 1, 2, ..., named as the projection machinery names them."""
    return Decoder().name([(event, position, None) for position, event in enumerate(events, 1)])


def recorded(day: str) -> datetime:
    """Noon (UTC) on `day`, as the time a record was made."""
    return datetime.combine(d(day), datetime.min.time(), tzinfo=UTC).replace(hour=12)


def staffed(since: str = "2023-01-02", now: datetime = RECORDED_AT) -> Story:
    """An authority with two IROs, their manager, a team manager and a director."""
    story = Story(since=since, now=now)
    story.officer("iro-kit", on=since)
    story.officer("iro-lee", on=since)
    story.officer("irom-ola", role="iro_manager", on=since)
    story.officer("mgr-ada", role="team_manager", on=since)
    story.officer("dir-moss", role="director", on=since)
    return story
