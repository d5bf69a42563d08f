"""Authority measures for a period, for inspectors, each with the events behind it.

The `measures` read model keeps what only it needs (each child's time in care and reviews);
challenges, officers and instructions are read from the register and the officer record.
Other read models may add measures (the flags read model adds flags by rule) by being a
`MeasureSource`. Review timeliness follows the Care Planning, Placement and Case Review
(England) Regulations 2010, reg 33: the first review within 20 working days of entering care,
the second within 3 months of the first, then at most 6 months apart.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from iro_ledger.domain.errors import InvalidValue
from iro_ledger.projections import challenges, officers
from iro_ledger.projections.base import (
    Envelope,
    Measure,
    MeasureSource,
    Period,
    ReadModel,
)
from iro_ledger.projections.db import Tx
from iro_ledger.projections.docs import Doc, Docs, Table, keys_of, tx_docs
from iro_ledger.projections.periods import add_months, add_working_days
from iro_ledger.projections.runner import Projections

CASES = Table("measures_cases_v1", key=("la_code", "case_id"),
              columns=("entered_care_on", "closed_on"))
STAGES = ("informal", "stage_1", "stage_2", "stage_3", "director")
OUTCOMES = ("upheld", "partially_upheld", "not_upheld")


def apply_events(docs: Docs, batch: Iterable[Envelope]) -> None:
    """The pure core: each case's entry to care, its reviews and its closure."""
    for env in batch:
        if env.type == "Case.Opened":
            docs.put(CASES, {"la_code": env.la_code, "case_id": env.record,
                             "entered_care_on": env.event.entered_care_on.isoformat(),
                             "closed_on": None, "opened_ref": env.ref_doc(),
                             "closed_ref": None, "reviews": []})
        elif env.type in ("Case.ReviewHeld", "Case.Closed"):
            case = docs.get(CASES, env.la_code, env.record)
            if case is None:
                continue
            if env.type == "Case.Closed":
                case["closed_on"] = env.occurred_on.isoformat()
                case["closed_ref"] = env.ref_doc()
            else:
                case["reviews"].append({"on": env.occurred_on.isoformat(),
                                        "ref": env.ref_doc()})
            docs.touch(CASES, case)


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


def iros_and_caseloads(people: Sequence[Doc], period: Period) -> list[Measure]:
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
    value = {"mean": round(statistics.fmean(counts), 2) if counts else None,
             "median": statistics.median(counts) if counts else None,
             "max": max(counts, default=None), "by_officer": dict(sorted(loads.items()))}
    return [
        Measure("iros", len(iros), "officers", _refs(o["evidence"][0] for o in iros),
                "IROs engaged on any day of the period"),
        Measure("caseloads_at_end", value, "open cases per IRO", _refs(held),
                "cases each IRO engaged at the period's end held on that day"),
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


def review_due_dates(case: Doc) -> list[tuple[date, Doc | None]]:
    """(due by, the review that met it or None) for each review due so far, in order."""
    reviews = sorted(case["reviews"], key=lambda r: (r["on"], r["ref"]["position"]))
    due = add_working_days(date.fromisoformat(case["entered_care_on"]), 20)
    out: list[tuple[date, Doc | None]] = []
    for number, review in enumerate(reviews):
        out.append((due, review))
        due = add_months(date.fromisoformat(review["on"]), 3 if number == 0 else 6)
    out.append((due, None))
    return out


def review_timeliness(cases: Sequence[Doc], period: Period) -> Measure:
    held = late = overdue = 0
    evidence: list[Doc] = []
    for case in cases:
        chain = review_due_dates(case)
        for due, review in chain:
            if review is not None and period.contains(date.fromisoformat(review["on"])):
                held += 1
                evidence.append(review["ref"])
                late += date.fromisoformat(review["on"]) > due
        due, _ = chain[-1]
        still_open = case["closed_on"] is None or case["closed_on"] > period.end.isoformat()
        if still_open and due < period.end and _in_care(case, period):
            overdue += 1
            evidence.append(case["opened_ref"])
    value = {"held": held, "on_time": held - late, "late": late,
             "share_on_time": _share(held - late, held), "overdue_at_end": overdue}
    return Measure("review_timeliness", value, "reviews", _refs(evidence),
                   "reg 33: first within 20 working days of entering care, second within 3 months,"
                   " then at most 6 months apart")


def compute(tx: Tx, la_code: str, period: Period,
            sources: Sequence[MeasureSource] = ()) -> list[Measure]:
    """Every measure for the authority and period, from the tables."""
    where = ("la_code = ?", (la_code,))
    contributed = [m for source in sources for m in source.measures(tx, la_code, period)]
    return measure_all(CASES.select(tx, *where), officers.OFFICERS.select(tx, *where),
                       officers.INSTRUCTIONS.select(tx, *where),
                       challenges.REGISTER.select(tx, *where), period, contributed)


def measure_all(cases: Sequence[Doc], people: Sequence[Doc], given: Sequence[Doc],
                register: Sequence[Doc], period: Period,
                contributed: Sequence[Measure] = ()) -> list[Measure]:
    """Every measure from one authority's documents, in DESIGN.md's order."""
    found = children(cases, period)
    out = [*found, *iros_and_caseloads(people, period),
           *challenge_measures(register, int(found[0].value), period),
           instructions_in_force(given, period), *contributed]
    if not any(m.name == "flags_by_rule" for m in contributed):
        out += [Measure(name, None, "flags", [], "no flags read model is running")
                for name in ("flags_by_rule", "flags_withdrawn_by_late_records")]
    return [*out, review_timeliness(cases, period)]


def as_dicts(measures: Iterable[Measure]) -> list[dict[str, Any]]:
    return [m.as_dict() for m in measures]


def measures_of(projections: Projections, la_code: str, period: Period) -> list[Measure]:
    """The measures from the projections' tables, with what every `MeasureSource` adds."""
    sources = [m for m in projections.models.values() if isinstance(m, MeasureSource)]
    with projections.db.reading() as tx:
        return compute(tx, la_code, period, sources)


def period_of(start: date | None, end: date | None, today: date) -> Period:
    """The period asked for: by default the year up to `today` (or up to `end`)."""
    last = end or today
    first = start or add_months(last, -12) + timedelta(days=1)
    if first > last:
        raise InvalidValue("from", f"{first.isoformat()} is after {last.isoformat()}")
    return Period(first, last)


class Measures(ReadModel):
    name = "measures"
    version = 1
    tables = (CASES.name,)

    def create(self, tx: Tx) -> None:
        CASES.create(tx)

    def apply(self, tx: Tx, batch: Sequence[Envelope]) -> None:
        docs = tx_docs(tx)
        docs.prefetch(CASES, keys_of(batch, ["case"]))
        apply_events(docs, batch)
        docs.save(tx)
