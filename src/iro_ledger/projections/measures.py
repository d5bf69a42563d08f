"""Authority measures for a period, for inspectors, each with the events behind it.

The `measures` read model keeps what only it needs (each child's time in care and reviews);
challenges, officers and instructions are read from the register and the officer record.
Other read models may add measures (the flags read model adds flags by rule) by being a
`MeasureSource`. Review timeliness follows the review_overdue rule's timetable
(`rules.schedule`: the Care Planning, Placement and Case Review (England) Regulations 2010,
reg 33, or reg 48 for short breaks; only IRO-chaired reviews count). Disputes are counted in
working days in total (IRO Handbook 6.2: 20), caseloads also per full-time post (the Handbook's
50-70), placement stability as the DfE does (3 or more placements in the period).
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import psycopg

from iro_ledger.domain.errors import InvalidValue
from iro_ledger.projections import challenges, data_quality, officers
from iro_ledger.projections.base import (
    Envelope,
    Measure,
    MeasureSource,
    Period,
    ReadModel,
)
from iro_ledger.projections.db import Tx
from iro_ledger.projections.docs import Doc, Docs, Table, keys_of, tx_docs
from iro_ledger.projections.periods import add_months, working_days_between
from iro_ledger.projections.rules.config import ReviewOverdueConfig, RulesConfig, load_config
from iro_ledger.projections.rules.schedule import due_dates, not_counted
from iro_ledger.projections.runner import Projections

STORED = "measures_stored_v1"
"""Measures worked out for an authority, period and rules' configuration (`measures_of`),
with the authority's change mark they were worked out at."""
CHANGED = "measures_changed_v1"
"""Each authority's change mark: the position of the last batch bringing it an event."""
_DDL = (
    f"CREATE TABLE IF NOT EXISTS {STORED} (la_code TEXT NOT NULL, period_start TEXT NOT NULL,"
    " period_end TEXT NOT NULL, config TEXT NOT NULL, changed_at BIGINT NOT NULL,"
    " doc TEXT NOT NULL, PRIMARY KEY (la_code, period_start, period_end, config))",
    f"CREATE TABLE IF NOT EXISTS {CHANGED} (la_code TEXT PRIMARY KEY,"
    " position BIGINT NOT NULL)",
)
IMPORT = "import"
"""The `source` of records made by importing a history (a batch, an SSDA903 return)."""

CASES = Table("measures_cases_v3", key=("la_code", "case_id"),
              columns=("entered_care_on", "closed_on"))
WORKTIME = Table("measures_worktime_v1", key=("la_code", "officer_id"))
"""Each officer's recorded FTE over time (`changes`: day and share of a full-time post)."""
SOURCES = Table("measures_sources_v1", key=("la_code", "dataset"))
"""The last day each imported source (dataset) of an authority covers, the latest recorded."""
DISPUTE_LIMIT_WORKING_DAYS = 20
"""IRO Handbook 6.2: a dispute resolved within 20 working days in total."""
PARTICIPATION = ("attended", "views_conveyed", "did_not_participate")
STAGES = ("informal", "stage_1", "stage_2", "stage_3", "director")
OUTCOMES = ("upheld", "partially_upheld", "not_upheld")


def apply_events(docs: Docs, batch: Iterable[Envelope]) -> None:
    """The pure core: each case's entry to care, reviews, moves, recommendations and closure;
    each officer's working time; what each imported source covers."""
    for env in batch:
        if env.type in ("Officer.Registered", "Officer.FteChanged"):
            _worktime(docs, env)
            continue
        if env.type == "Authority.SourcePeriodRecorded":
            _source(docs, env)
            continue
        if env.type == data_quality.EVENT:
            data_quality.apply_event(docs, env)
            continue
        if env.type == "Case.Opened":
            event = env.event
            docs.put(CASES, {"la_code": env.la_code, "case_id": env.record,
                             "entered_care_on": event.entered_care_on.isoformat(),
                             "opened_on": env.occurred_on.isoformat(),
                             "closed_on": None, "opened_ref": env.ref_doc(),
                             "closed_ref": None, "reviews": [], "moves": [],
                             "recommendations": [],
                             "short_breaks": [{"on": event.entered_care_on.isoformat(),
                                               "value": event.short_breaks}],
                             "imported": event.source == IMPORT,
                             "live_until": (None if event.source == IMPORT
                                            else env.occurred_on.isoformat())})
            continue
        if env.kind != "case":
            continue
        case = docs.get(CASES, env.la_code, env.record)
        if case is None:
            continue
        live = _live(case, env)
        if _case_event(case, env) or live:
            docs.touch(CASES, case)


def _live(case: Doc, env: Envelope) -> bool:
    """Note a case event recorded otherwise than by import: the case is shown live to then."""
    day = env.occurred_on.isoformat()
    if env.event.source == IMPORT or (case.get("live_until") or "") >= day:
        return False
    case["live_until"] = day
    return True


def _source(docs: Docs, env: Envelope) -> None:
    event = env.event
    found = docs.get(SOURCES, env.la_code, event.dataset)
    ends = event.ends_on.isoformat()
    if found is None or found["ends_on"] < ends:
        docs.put(SOURCES, {"la_code": env.la_code, "dataset": event.dataset, "ends_on": ends})


def _case_event(case: Doc, env: Envelope) -> bool:
    """Move the case's document on by one event; whether it changed."""
    day, event = env.occurred_on.isoformat(), env.event
    if env.type == "Case.Closed":
        case["closed_on"], case["closed_ref"] = day, env.ref_doc()
    elif env.type == "Case.ReviewHeld":
        case["reviews"].append({"on": day, "ref": env.ref_doc(),
                                "participation": event.child_participation,
                                "chaired_by": event.chaired_by})
    elif env.type == "Case.ShortBreaksRecorded":
        case["short_breaks"].append({"on": day, "value": event.short_breaks})
    elif env.type == "Case.CarePlanRevised" and event.change == "placement_move":
        case["moves"].append({"on": day, "ref": env.ref_doc(), "emergency": event.emergency})
    elif env.type == "Case.RecommendationMade":
        case["recommendations"].append({
            "id": event.recommendation_id, "made_on": day, "due_on": event.due_on.isoformat(),
            "repeats": event.repeats, "outcome": None, "outcome_on": None,
            "ref": env.ref_doc()})
    elif env.type == "Case.RecommendationOutcomeRecorded":
        for made in case["recommendations"]:
            if made["id"] == event.recommendation_id:
                made["outcome"], made["outcome_on"] = event.outcome, day
    else:
        return False
    return True


def _worktime(docs: Docs, env: Envelope) -> None:
    fte = env.event.fte
    found = docs.get(WORKTIME, env.la_code, env.record)
    if fte is None and found is None:
        return
    if found is None:
        found = {"la_code": env.la_code, "officer_id": env.record, "changes": []}
        docs.put(WORKTIME, found)
    if fte is not None:
        found["changes"].append({"on": env.occurred_on.isoformat(), "fte": fte})
        docs.touch(WORKTIME, found)


def _refs(items: Iterable[Doc]) -> list[Doc]:
    """Evidence references (`EventRef.as_doc`), in store order."""
    return sorted((dict(d) for d in items), key=lambda r: int(r["position"]))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _in_care(case: Doc, period: Period) -> bool:
    closed = date.fromisoformat(case["closed_on"]) if case["closed_on"] else None
    return period.overlaps(date.fromisoformat(case["entered_care_on"]), closed)


def children(cases: Sequence[Doc], period: Period) -> list[Measure]:
    inside = [c for c in cases if _in_care(c, period)]
    end = period.end.isoformat()
    at_end = [c for c in inside if c["closed_on"] is None or c["closed_on"] > end]
    return [
        Measure("children_in_care", len(inside), "children", _refs(c["opened_ref"] for c in inside),
                "children in care on any day of the period"),
        Measure("children_in_care_at_end", len(at_end), "children",
                _refs(c["opened_ref"] for c in at_end)),
    ]


def _fte_on(worktime: Doc | None, day: str) -> float:
    """The officer's share of a full-time post on `day` (1.0 when none is recorded)."""
    current = 1.0
    for change in sorted((worktime or {}).get("changes", []), key=lambda c: c["on"]):
        if change["on"] <= day:
            current = float(change["fte"])
    return current


def iros_and_caseloads(people: Sequence[Doc], period: Period,
                       worktime: Sequence[Doc] = ()) -> list[Measure]:
    def engaged(o: Doc, first: date, last: date) -> bool:
        ended = date.fromisoformat(o["ended"]["on"]) if o["ended"] else None
        return o["role"] == "iro" and Period(first, last).overlaps(
            date.fromisoformat(o["registered_on"]), ended)

    iros = [o for o in people if engaged(o, period.start, period.end)]
    loads: dict[str, int] = {}
    held: list[Doc] = []
    end = period.end.isoformat()
    for o in iros:
        current = [h for h in o["holdings"]
                   if h["from"] <= end and (h["to"] is None or h["to"] > end)]
        if engaged(o, period.end, period.end):
            loads[o["officer_id"]] = len(current)
        held += [h["from_ref"] for h in current]
    counts = list(loads.values())
    shares = {w["officer_id"]: w for w in worktime}
    per_fte = {o: round(n / _fte_on(shares.get(o), end), 1) for o, n in loads.items()}
    value = {"mean": round(statistics.fmean(counts), 2) if counts else None,
             "median": statistics.median(counts) if counts else None,
             "max": max(counts, default=None), "by_officer": dict(sorted(loads.items())),
             "per_fte_by_officer": dict(sorted(per_fte.items())),
             "max_per_fte": max(per_fte.values(), default=None)}
    return [
        Measure("iros", len(iros), "officers", _refs(o["evidence"][0] for o in iros),
                "IROs engaged on any day of the period"),
        Measure("caseloads_at_end", value, "open cases per IRO", _refs(held),
                "cases each IRO engaged at the period's end held on that day; per_fte: per "
                "full-time post (the IRO Handbook envisages 50-70)"),
    ]


def challenge_measures(register: Sequence[Doc], in_care: int, period: Period) -> list[Measure]:
    def on(day: str | None) -> bool:
        return day is not None and period.contains(date.fromisoformat(day))

    raised = [c for c in register if on(c["raised_on"])]
    resolved = [c for c in register if c["closed_as"] == "resolved" and on(c["closed_on"])]
    withdrawn = [c for c in register if c["closed_as"] == "withdrawn" and on(c["closed_on"])]
    referred = [c for c in register if c["cafcass"] and on(c["cafcass"]["referred_on"])]
    closing = _refs(_closing(c) for c in resolved)
    stages = Counter(c["closed_at_stage"] for c in resolved)
    outcomes = Counter(c["outcome"] for c in resolved)
    days = [(date.fromisoformat(c["closed_on"]) - date.fromisoformat(c["raised_on"])).days
            for c in resolved]
    return [
        Measure("challenges_raised", len(raised), "challenges",
                _refs(c["evidence"][0] for c in raised)),
        Measure("challenges_per_100_children",
                round(100 * len(raised) / in_care, 2) if in_care else None,
                "per 100 children in care", _refs(c["evidence"][0] for c in raised)),
        Measure("share_resolved_informally", _share(stages["informal"], len(resolved)),
                "share of challenges resolved", _refs(_closing(c) for c in resolved
                                                      if c["closed_at_stage"] == "informal")),
        Measure("resolved_by_stage", {s: _share(stages[s], len(resolved)) for s in STAGES},
                "share of challenges resolved", closing,
                "the stage each challenge resolved in the period had reached"),
        Measure("median_days_to_resolution", statistics.median(days) if days else None, "days",
                closing, "from raising to resolution"),
        Measure("share_upheld", {o: _share(outcomes[o], len(resolved)) for o in OUTCOMES},
                "share of challenges resolved", closing),
        Measure("challenges_withdrawn", len(withdrawn), "challenges",
                _refs(_closing(c) for c in withdrawn)),
        Measure("cafcass_referrals", len(referred), "referrals",
                _refs(c["cafcass"]["ref"] for c in referred)),
    ]


def _stopped_on(challenge: Doc) -> str | None:
    """The day the dispute's clock stopped: its end, or its leaving the authority."""
    stops = [d for d in (challenge["closed_on"], challenge["left_protocol_on"]) if d]
    return min(stops, default=None)


def dispute_durations(register: Sequence[Doc], period: Period) -> list[Measure]:
    """Disputes that ended in the period, in working days in total from raising to their end
    (IRO Handbook 6.2: 20), and those still open at its end, by age in working days."""
    end = period.end.isoformat()
    ended = [(c, s) for c in register if (s := _stopped_on(c))
             and period.contains(date.fromisoformat(s))]
    spans = {c["challenge_id"]: working_days_between(date.fromisoformat(c["raised_on"]),
                                                     date.fromisoformat(s)) for c, s in ended}
    within = sum(1 for d in spans.values() if d <= DISPUTE_LIMIT_WORKING_DAYS)
    open_ = [c for c in register if c["raised_on"] <= end
             and ((stop := _stopped_on(c)) is None or stop > end)]
    ages = {c["challenge_id"]: working_days_between(date.fromisoformat(c["raised_on"]),
                                                    period.end) for c in open_}
    ended_value = None if not spans else {
        "ended": len(spans), "median": statistics.median(spans.values()),
        "max": max(spans.values()), "within_limit": within,
        "share_within_limit": _share(within, len(spans)), "limit": DISPUTE_LIMIT_WORKING_DAYS}
    open_value = None if not ages else {
        "open": len(ages), "median": statistics.median(ages.values()),
        "oldest": max(ages.values()),
        "over_limit": sum(1 for a in ages.values() if a > DISPUTE_LIMIT_WORKING_DAYS),
        "by_challenge": dict(sorted(ages.items()))}
    return [
        Measure("dispute_working_days", ended_value, "working days",
                _refs(c["evidence"][0] for c, _ in ended),
                "disputes ended (resolved, withdrawn or taken beyond the authority) in the "
                "period, from raising to their end, in working days in total; none: no "
                "dispute ended in it"),
        Measure("open_challenge_ages", open_value, "working days",
                _refs(c["evidence"][0] for c in open_),
                "challenges still open in the authority at the period's end, by working days "
                "since they were raised; none: no challenge was open"),
    ]


def recommendation_measures(cases: Sequence[Doc], period: Period) -> Measure:
    """Recommendations falling due in the period and what became of them, and those made in
    it that repeat an earlier one (three times or more: the review keeps asking)."""
    due, made = [], []
    for case in cases:
        by_id = {r["id"]: r for r in case.get("recommendations", [])}
        for r in by_id.values():
            if period.contains(date.fromisoformat(r["due_on"])):
                due.append(r)
            if period.contains(date.fromisoformat(r["made_on"])):
                made.append((r, _times_made(r, by_id)))

    def on_time(r: Doc, outcome: str) -> bool:
        return bool(r["outcome"] == outcome and r["outcome_on"] <= r["due_on"])

    lapsed = [r for r in due if r["outcome"] == "lapsed" or r["outcome"] is None
              or r["outcome_on"] > r["due_on"]]
    value = {"due": len(due),
             "completed_on_time": sum(1 for r in due if on_time(r, "completed")),
             "declined": sum(1 for r in due if r["outcome"] == "declined"
                             and r["outcome_on"] <= r["due_on"]),
             "lapsed": len(lapsed), "share_lapsed": _share(len(lapsed), len(due)),
             "made": len(made), "repeats": sum(1 for _, t in made if t > 1),
             "made_three_times_or_more": sum(1 for _, t in made if t >= 3)}
    return Measure("recommendations", value if due or made else None, "recommendations",
                   _refs(r["ref"] for r in [*due, *(r for r, _ in made)]),
                   "due in the period: completed or declined by the due day, or lapsed (no "
                   "outcome by then, or recorded lapsed); made in the period: repeats")


def _root(r: Doc, by_id: Mapping[str, Doc]) -> str:
    seen = {r["id"]}
    while r["repeats"] in by_id and r["repeats"] not in seen:
        r = by_id[r["repeats"]]
        seen.add(r["id"])
    return str(r["id"])


def _times_made(r: Doc, by_id: Mapping[str, Doc]) -> int:
    """How many times the recommendation had been made by this making: its family through
    `repeats` links (each naming the last making or the first), up to this one, as the
    recommendation_not_followed rule counts."""
    family = _root(r, by_id)
    return sum(1 for o in by_id.values() if _root(o, by_id) == family
               and (o["made_on"], o["ref"]["position"]) <= (r["made_on"], r["ref"]["position"]))


def child_participation(cases: Sequence[Doc], period: Period) -> Measure:
    """How children took part in the reviews held in the period."""
    held = [r for c in cases for r in c["reviews"]
            if period.contains(date.fromisoformat(r["on"])) and "participation" in r]
    counts = Counter(r["participation"] for r in held)
    value = {**{p: counts[p] for p in PARTICIPATION},
             "share_attended": _share(counts["attended"], len(held)),
             "share_views_heard": _share(counts["attended"] + counts["views_conveyed"],
                                         len(held))}
    return Measure("child_participation", value if held else None, "reviews",
                   _refs(r["ref"] for r in held),
                   "reviews held in the period by how the child took part")


def placement_stability(cases: Sequence[Doc], period: Period) -> Measure:
    """Children in care in the period with 3 or more placements in it (the DfE's indicator):
    the placement held at its start, or their first, and one per move."""
    unstable, evidence = [], []
    for case in cases:
        if not _in_care(case, period):
            continue
        moves = [m for m in case.get("moves", []) if period.contains(date.fromisoformat(m["on"]))]
        if 1 + len(moves) >= 3:
            unstable.append(case["case_id"])
            evidence += [m["ref"] for m in moves]
    return Measure("placement_instability", len(unstable), "children", _refs(evidence),
                   "children in care in the period with 3 or more placements in it (DfE's "
                   "indicator); evidence: their moves")


def _closing(challenge: Doc) -> Doc:
    """The event that closed the challenge: the last one dated on its closing day."""
    kind = "Challenge.Resolved" if challenge["closed_as"] == "resolved" else "Challenge.Withdrawn"
    closing: Doc = next(r for r in reversed(challenge["evidence"]) if r["type"] == kind)
    return closing



def instructions_in_force(given: Sequence[Doc], period: Period) -> Measure:
    start, end = period.start.isoformat(), period.end.isoformat()
    live = [i for i in given if i["issued_on"] <= end
            and (i["rescinded_on"] is None or i["rescinded_on"] > start)]
    kinds = dict(sorted(Counter(i["kind"] for i in live).items()))
    return Measure("instructions_in_force_by_kind", kinds, "instructions",
                   _refs(i["ref"] for i in live),
                   "instructions in force on any day of the period")


def _short_breaks_on(case: Doc) -> Callable[[date], bool]:
    changes = sorted(case.get("short_breaks", []), key=lambda c: c["on"])

    def on(day: date) -> bool:
        current = False
        for change in changes:
            if change["on"] > day.isoformat():
                break
            current = bool(change["value"])
        return current
    return on


def _counted(review: Doc, people: Mapping[str, Doc], config: ReviewOverdueConfig) -> bool:
    """Whether a meeting is the statutory review: chaired by an IRO engaged that day (a chair
    the record does not know, an import's placeholder, counts), as the rule judges."""
    officer = people.get(review.get("chaired_by") or "")
    if officer is None:
        return True
    ended = officer["ended"]["on"] if officer.get("ended") else None
    engaged = officer["registered_on"] <= review["on"] and (ended is None
                                                            or review["on"] <= ended)
    return not_counted(config, officer["role"], engaged) is None


def review_due_dates(case: Doc, people: Mapping[str, Doc] | None = None,
                     config: RulesConfig | None = None) -> list[tuple[date, Doc | None]]:
    """(due by, the counted review that met or followed it, or None) for each review due so
    far, in order, on the rule's timetable (`rules.schedule`)."""
    rules = config or load_config()
    reviews = [r for r in sorted(case["reviews"], key=lambda r: (r["on"], r["ref"]["position"]))
               if _counted(r, people or {}, rules.review_overdue)]
    entered = date.fromisoformat(case["entered_care_on"])
    dues = due_dates(rules.review_overdue, rules.working_calendar(), entered,
                     date.fromisoformat(case.get("opened_on") or case["entered_care_on"]),
                     [date.fromisoformat(r["on"]) for r in reviews], _short_breaks_on(case))
    return list(zip(dues, [*reviews, None], strict=True))


def _shown_until(case: Doc, sources: Mapping[str, str]) -> str | None:
    """The last day an imported case's record can show (None: no limit), as the rule has it."""
    if not case.get("imported") or not sources:
        return None
    last = max(sources.values())
    live = case.get("live_until")
    return None if live is not None and live > last else last


def review_timeliness(cases: Sequence[Doc], period: Period,
                      people: Sequence[Doc] = (), sources: Mapping[str, str] | None = None,
                      config: RulesConfig | None = None) -> Measure:
    """Reviews held in the period, on time or late, and children whose review was overdue at
    its end, on the review_overdue rule's timetable: only a meeting an IRO engaged that day
    chaired counts (the others are `not_counted`), a child in short breaks is on reg 48's
    schedule, a record that began after care began owes no first review, and an imported
    case is judged only to the end of what its source covers."""
    chairs = {o["officer_id"]: o for o in people}
    rules = config or load_config()
    held = late = overdue = uncounted = 0
    evidence: list[Doc] = []
    for case in cases:
        chain = review_due_dates(case, chairs, rules)
        counted = {r["ref"]["position"] for _, r in chain if r is not None}
        for review in case["reviews"]:
            if (review["ref"]["position"] not in counted
                    and period.contains(date.fromisoformat(review["on"]))):
                uncounted += 1
                evidence.append(review["ref"])
        for due, review in chain:
            if review is not None and period.contains(date.fromisoformat(review["on"])):
                held += 1
                evidence.append(review["ref"])
                late += date.fromisoformat(review["on"]) > due
        due, _ = chain[-1]
        shown = _shown_until(case, sources or {})
        end = min(period.end, date.fromisoformat(shown)) if shown else period.end
        still_open = case["closed_on"] is None or case["closed_on"] > end.isoformat()
        if still_open and due < end and _in_care(case, period):
            overdue += 1
            evidence.append(case["opened_ref"])
    value = {"held": held, "on_time": held - late, "late": late,
             "share_on_time": _share(held - late, held), "overdue_at_end": overdue,
             "not_counted": uncounted}
    return Measure("review_timeliness", value, "reviews", _refs(evidence),
                   "as the review_overdue rule judges: reg 33 (first within 20 working days of "
                   "entering care, second within 3 months, then at most 6 months apart) or reg "
                   "48 for short breaks; only meetings chaired by an IRO engaged that day count "
                   "(not_counted: the others held in the period); an imported case only to the "
                   "end of its source")


def compute(tx: Tx, la_code: str, period: Period,
            sources: Sequence[MeasureSource] = (), config: RulesConfig | None = None
            ) -> list[Measure]:
    """Every measure for the authority and period, from the tables."""
    where = ("la_code = ?", (la_code,))
    contributed = [m for source in sources for m in source.measures(tx, la_code, period)]
    covered = {d["dataset"]: d["ends_on"] for d in SOURCES.select(tx, *where)}
    return [*measure_all(CASES.select(tx, *where), officers.OFFICERS.select(tx, *where),
                         officers.INSTRUCTIONS.select(tx, *where),
                         challenges.REGISTER.select(tx, *where), period, contributed,
                         WORKTIME.select(tx, *where), covered, config),
            data_quality.measure(data_quality.COUNTS.select(tx, *where))]


def measure_all(cases: Sequence[Doc], people: Sequence[Doc], given: Sequence[Doc],
                register: Sequence[Doc], period: Period,
                contributed: Sequence[Measure] = (),
                worktime: Sequence[Doc] = (), sources: Mapping[str, str] | None = None,
                config: RulesConfig | None = None) -> list[Measure]:
    """Every measure from one authority's documents, in DESIGN.md's order, then those the
    seed documents' stories asked for."""
    found = children(cases, period)
    out = [*found, *iros_and_caseloads(people, period, worktime),
           *challenge_measures(register, int(found[0].value), period),
           *dispute_durations(register, period),
           instructions_in_force(given, period),
           recommendation_measures(cases, period), child_participation(cases, period),
           placement_stability(cases, period), *contributed]
    if not any(m.name == "flags_by_rule" for m in contributed):
        out += [Measure(name, None, "flags", [], "no flags read model is running")
                for name in ("flags_by_rule", "flags_withdrawn_by_late_records")]
    return [*out, review_timeliness(cases, period, people, sources, config)]


def as_dicts(measures: Iterable[Measure]) -> list[dict[str, Any]]:
    return [m.as_dict() for m in measures]


def measures_of(projections: Projections, la_code: str, period: Period) -> list[Measure]:
    """The measures from the projections' tables, with what every `MeasureSource` adds.

    Worked out once for an authority, period and rules' configuration, then stored
    (`STORED`) and read back until a batch brings the authority an event: the stored
    answer carries the authority's change mark (`CHANGED`) it was worked out at, read
    before the tables were, so an answer that raced a batch is never read back."""
    model = projections.models.get("measures")
    if not isinstance(model, Measures):
        return _worked_out(projections, la_code, period, None)
    key = (la_code, period.start.isoformat(), period.end.isoformat(), _digest(model.config))
    with projections.db.reading() as tx:
        mark = changed_at(tx, la_code)
        row = tx.one(f"SELECT changed_at, doc FROM {STORED} WHERE la_code = ?"
                     " AND period_start = ? AND period_end = ? AND config = ?", key)
    if row is not None and int(row["changed_at"]) == mark:
        return [Measure(d["name"], d["value"], d["unit"], d["evidence"], d["note"])
                for d in json.loads(row["doc"])]
    found = _worked_out(projections, la_code, period, model.config)
    try:
        with projections.db.transaction() as tx:  # and those of the past go
            tx.execute(f"DELETE FROM {STORED} WHERE la_code = ? AND changed_at < ?",
                       (la_code, mark))
            tx.execute(f"INSERT INTO {STORED} (la_code, period_start, period_end, config,"
                       " changed_at, doc) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (la_code,"
                       " period_start, period_end, config) DO UPDATE SET"
                       " changed_at = excluded.changed_at, doc = excluded.doc",
                       (*key, mark, json.dumps(as_dicts(found), separators=(",", ":"))))
    except psycopg.errors.ReadOnlySqlTransaction:
        pass  # a read replica: the answer is served, not stored (the primary stores its own)
    return found


def outdated(projections: Projections, period: Period) -> list[str]:
    """The authorities whose measures for `period` are not stored as they now stand."""
    model = projections.models.get("measures")
    if not isinstance(model, Measures):
        return []
    with projections.db.reading() as tx:
        return [str(r["la_code"]) for r in tx.query(
            f"SELECT c.la_code FROM {CHANGED} c LEFT JOIN {STORED} s ON s.la_code = c.la_code"
            " AND s.period_start = ? AND s.period_end = ? AND s.config = ?"
            " AND s.changed_at = c.position WHERE s.la_code IS NULL ORDER BY c.la_code",
            (period.start.isoformat(), period.end.isoformat(), _digest(model.config)))]


def changed_at(tx: Tx, la_code: str) -> int:
    """The store position of the last batch that brought the authority an event (0: none
    since the mark was first kept)."""
    row = tx.one(f"SELECT position FROM {CHANGED} WHERE la_code = ?", (la_code,))
    return int(row["position"]) if row else 0


def _worked_out(projections: Projections, la_code: str, period: Period,
                config: RulesConfig | None) -> list[Measure]:
    sources = [m for m in projections.models.values() if isinstance(m, MeasureSource)]
    for source in sources:
        source.ready(projections.db, la_code, period)
    with projections.db.reading() as tx:
        return compute(tx, la_code, period, sources, config)


def _digest(config: RulesConfig) -> str:
    return hashlib.sha256(config.model_dump_json().encode()).hexdigest()[:12]


def period_of(start: date | None, end: date | None, today: date) -> Period:
    """The period asked for: by default the year up to `today` (or up to `end`)."""
    last = end or today
    first = start or add_months(last, -12) + timedelta(days=1)
    if first > last:
        raise InvalidValue("from", f"{first.isoformat()} is after {last.isoformat()}")
    return Period(first, last)


class Measures(ReadModel):
    """Version 3: cases keep the day their record begins, their reviews' chairs, short
    breaks and whether an import opened them; authorities what their imported sources cover
    (review timeliness judged as the review_overdue rule judges). Version 4: data-quality
    findings, counted and row by row (`data_quality`)."""

    name = "measures"
    version = 4
    tables = (CASES.name, WORKTIME.name, SOURCES.name, data_quality.COUNTS.name,
              data_quality.ROWS.name, STORED, CHANGED)

    def __init__(self, config: RulesConfig | None = None) -> None:
        self.config = config or load_config()
        """The rules' configuration: review timeliness follows review_overdue's timetable."""

    def create(self, tx: Tx) -> None:
        CASES.create(tx)
        WORKTIME.create(tx)
        SOURCES.create(tx)
        data_quality.COUNTS.create(tx)
        data_quality.ROWS.create(tx)
        for statement in _DDL:
            tx.execute(statement)

    def apply(self, tx: Tx, batch: Sequence[Envelope]) -> None:
        if batch:  # the stored answers of these authorities are of the past now
            tx.executemany(f"INSERT INTO {CHANGED} (la_code, position) VALUES (?, ?)"
                           " ON CONFLICT (la_code) DO UPDATE SET position = excluded.position",
                           [(la, batch[-1].position)
                            for la in sorted({e.la_code for e in batch})])
        docs = tx_docs(tx)
        docs.prefetch(CASES, keys_of(batch, ["case"]))
        docs.prefetch(WORKTIME, keys_of(batch, ["officer"]))
        docs.prefetch(SOURCES, [(e.la_code, e.event.dataset) for e in batch
                                if e.type == "Authority.SourcePeriodRecorded"])
        docs.prefetch(data_quality.COUNTS, data_quality.keys(batch))
        apply_events(docs, batch)
        docs.save(tx)
