"""The challenge register: each challenge's stages, days at each, responses, outcome, exits.

One document per challenge. Stages are kept as dated spans; days (calendar and working) are
counted when read, as of a given day, so the stored register never depends on the clock. A
challenge referred to Cafcass or to arbitration has left the local protocol: its stage clock
stops on that day (DESIGN.md, suppressed_challenge).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from iro_ledger.projections.base import Envelope, ReadModel
from iro_ledger.projections.db import Tx
from iro_ledger.projections.docs import Doc, Docs, Table, keys_of, tx_docs
from iro_ledger.projections.periods import working_days_between


class RegisterStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


REGISTER = Table(
    "challenges_v2", key=("la_code", "challenge_id"),
    columns=("case_id", "officer_id", "raised_on", "status", "stage", "arbitration_body"),
    indexes=(("la_code", "raised_on"), ("la_code", "status")),
)


def apply_events(docs: Docs, batch: Iterable[Envelope]) -> None:
    """The pure core: each challenge event moves its document on."""
    for env in batch:
        if env.kind != "challenge":
            continue
        if env.type == "Challenge.Raised":
            _raised(docs, env)
            continue
        doc = docs.get(REGISTER, env.la_code, env.record)
        if doc is None:
            continue
        _STEPS.get(env.type, _noted)(doc, env)
        doc["evidence"].append(env.ref_doc())
        docs.touch(REGISTER, doc)


def _raised(docs: Docs, env: Envelope) -> None:
    day = env.occurred_on.isoformat()
    docs.put(REGISTER, {
        "la_code": env.la_code, "challenge_id": env.record, "case_id": env.event.case_id,
        "officer_id": env.event.officer_id, "about": env.event.about, "raised_on": day,
        "stage": "informal", "stages": [_stage("informal", day, None, env)],
        "responses": [], "status": RegisterStatus.OPEN.value, "closed_as": None,
        "closed_on": None,
        "closed_by": None, "closed_at_stage": None, "outcome": None,
        "left_protocol_on": None, "cafcass": None, "arbitration": None,
        "arbitration_body": None, "corrections": [], "evidence": [env.ref_doc()],
    })


def _stage(stage: str, day: str, addressed_to: str | None, env: Envelope) -> Doc:
    return {"stage": stage, "from": day, "to": None, "addressed_to": addressed_to,
            "ref": env.ref_doc()}


def _end_stage(doc: Doc, day: str) -> None:
    current = doc["stages"][-1]
    if current["to"] is None:
        current["to"] = day


def _escalated(doc: Doc, env: Envelope) -> None:
    day = env.occurred_on.isoformat()
    _end_stage(doc, day)
    doc["stage"] = env.event.to_stage
    doc["stages"].append(_stage(env.event.to_stage, day, env.event.addressed_to, env))


def _responded(doc: Doc, env: Envelope) -> None:
    doc["responses"].append({"on": env.occurred_on.isoformat(), "actor": env.actor,
                             "ref": env.ref_doc()})


def _closed(doc: Doc, env: Envelope, closed_as: str) -> None:
    day = env.occurred_on.isoformat()
    _end_stage(doc, day)
    doc.update(status=RegisterStatus.CLOSED.value, closed_as=closed_as, closed_on=day,
               closed_by=env.actor, closed_at_stage=doc["stage"])


def _resolved(doc: Doc, env: Envelope) -> None:
    _closed(doc, env, "resolved")
    doc["outcome"] = env.event.outcome


def _withdrawn(doc: Doc, env: Envelope) -> None:
    _closed(doc, env, "withdrawn")


def _left_protocol(doc: Doc, env: Envelope) -> None:
    if doc["left_protocol_on"] is None and doc["status"] == RegisterStatus.OPEN:
        doc["left_protocol_on"] = env.occurred_on.isoformat()


def _cafcass(doc: Doc, env: Envelope) -> None:
    _left_protocol(doc, env)
    doc["cafcass"] = {"referred_on": env.occurred_on.isoformat(), "outcome": None,
                      "outcome_on": None, "ref": env.ref_doc()}


def _cafcass_outcome(doc: Doc, env: Envelope) -> None:
    if doc["cafcass"] is not None:
        doc["cafcass"].update(outcome=env.event.outcome, outcome_on=env.occurred_on.isoformat())


def _arbitration(doc: Doc, env: Envelope) -> None:
    _left_protocol(doc, env)
    doc["arbitration"] = {"body": env.event.body, "requested_on": env.occurred_on.isoformat(),
                          "ref": env.ref_doc()}
    doc["arbitration_body"] = env.event.body


def _legal_step(doc: Doc, env: Envelope) -> None:
    """The route beyond the authority and Cafcass; an application to court leaves the local
    protocol, as a referral to Cafcass does."""
    if env.event.step == "court_application":
        _left_protocol(doc, env)
    doc.setdefault("legal_steps", []).append({
        "step": env.event.step, "taken_by": env.event.taken_by,
        "on": env.occurred_on.isoformat(), "ref": env.ref_doc()})


def _corrected(doc: Doc, env: Envelope) -> None:
    doc["corrections"].append({"corrects": env.event.corrects_version,
                               "reason": env.event.reason, "ref": env.ref_doc()})


def _noted(doc: Doc, env: Envelope) -> None:
    """An event the register does not interpret: it still stands in the evidence."""


_STEPS = {
    "Challenge.Escalated": _escalated, "Challenge.Responded": _responded,
    "Challenge.Resolved": _resolved, "Challenge.Withdrawn": _withdrawn,
    "Challenge.ReferredToCafcass": _cafcass, "Challenge.CafcassOutcomeRecorded": _cafcass_outcome,
    "Challenge.ArbitrationRequested": _arbitration, "Challenge.Corrected": _corrected,
    "Challenge.LegalStepRecorded": _legal_step,
}


def with_days(doc: Doc, as_of: date) -> Doc:
    """The document with days counted at each stage and in all, as of `as_of`.

    A stage still running counts to `as_of`, or to the day the challenge left the protocol.
    """
    stop = doc["left_protocol_on"]
    stages = []
    for stage in doc["stages"]:
        end = stage["to"] or stop or as_of.isoformat()
        if stop is not None and stage["to"] is None:
            end = min(end, stop)
        first, last = date.fromisoformat(stage["from"]), date.fromisoformat(end)
        stages.append({**stage, "days": max((last - first).days, 0),
                       "working_days": working_days_between(first, last),
                       "running": stage["to"] is None and stop is None})
    raised = date.fromisoformat(doc["raised_on"])
    end_all = date.fromisoformat(doc["closed_on"]) if doc["closed_on"] else as_of
    # IRO Handbook 6.2: the dispute's working days in total, to its end or its leaving the
    # authority (what suppressed_challenge's stalled pattern counts), not per stage.
    stops = [date.fromisoformat(d) for d in (doc["closed_on"], stop) if d] + [as_of]
    in_total = working_days_between(raised, min(stops))
    return {**doc, "stages": stages, "days_open": max((end_all - raised).days, 0),
            "working_days_in_total": in_total, "legal_steps": doc.get("legal_steps", []),
            "as_of": as_of.isoformat()}


@dataclass(frozen=True)
class RegisterQuery:
    la_code: str
    status: str | None = None
    stage: str | None = None
    officer_id: str | None = None
    case_id: str | None = None
    arbitration_body: str | None = None
    """Only challenges before this body (for arbitrators)."""

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = ["la_code = ?"], [self.la_code]
        for column in ("status", "stage", "officer_id", "case_id", "arbitration_body"):
            value = getattr(self, column)
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        return " AND ".join(clauses), params


def read_register(tx: Tx, query: RegisterQuery, as_of: date, limit: int = 50,
                  offset: int = 0) -> tuple[int, list[Doc]]:
    """(total matching, one page of challenges in order raised), days counted as of `as_of`."""
    where, params = query.where()
    total = REGISTER.count(tx, where, params)
    docs = REGISTER.select(tx, where, params, order="raised_on, challenge_id", limit=limit,
                           offset=offset)
    return total, [with_days(d, as_of) for d in docs]


def read_challenge(tx: Tx, la_code: str, challenge_id: str, as_of: date) -> Doc | None:
    """One challenge's document, days counted as of `as_of`; None when not (yet) projected."""
    doc = REGISTER.load(tx, (la_code, challenge_id))
    return None if doc is None else with_days(doc, as_of)


def read_disputes(tx: Tx, arbitration_body: str, as_of: date) -> list[Doc]:
    """Every challenge referred to an arbitration body, in any authority."""
    docs = REGISTER.select(tx, "arbitration_body = ?", (arbitration_body,),
                           order="la_code, raised_on, challenge_id")
    return [with_days(d, as_of) for d in docs]


def read_challenge_cases(tx: Tx, la_code: str,
                         arbitration_body: str | None = None) -> dict[str, str]:
    """challenge_id -> case_id in an authority (only those before `arbitration_body`, if named)."""
    where, params = RegisterQuery(la_code, arbitration_body=arbitration_body).where()
    rows = tx.query(f"SELECT challenge_id, case_id FROM {REGISTER.name} WHERE {where}", params)
    return {str(r["challenge_id"]): str(r["case_id"]) for r in rows}


class ChallengeRegister(ReadModel):
    name = "challenges"
    version = 2
    """2: the route beyond Cafcass (legal steps) is kept."""
    tables = (REGISTER.name,)

    def create(self, tx: Tx) -> None:
        REGISTER.create(tx)

    def apply(self, tx: Tx, batch: Sequence[Envelope]) -> None:
        docs = tx_docs(tx)
        docs.prefetch(REGISTER, keys_of(batch, ["challenge"]))
        apply_events(docs, batch)
        docs.save(tx)
