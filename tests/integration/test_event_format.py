"""The stored event format is a contract: events are named by module path and class name.

Renaming or moving an event class, or dropping a provenance field, changes what is stored
and breaks every store already written; this test fails loudly when that happens.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic, resolve_topic

import iro_ledger.domain
from iro_ledger.application import Ledger, Principal, Role
from iro_ledger.application.idempotency import CommandReceipt
from iro_ledger.application.store import store_env
from iro_ledger.domain.record import LedgerRecord
from tests.builders import LA, command

STORED_TOPICS = {
    "iro_ledger.domain.authority:Authority.Registered",
    "iro_ledger.domain.authority:Authority.Corrected",
    "iro_ledger.domain.authority:Authority.DataQualityRecorded",
    "iro_ledger.domain.authority:Authority.SourcePeriodRecorded",
    "iro_ledger.domain.officer:Officer.Registered",
    "iro_ledger.domain.officer:Officer.FteChanged",
    "iro_ledger.domain.officer:Officer.EngagementEnded",
    "iro_ledger.domain.officer:Officer.DisciplinaryActionRecorded",
    "iro_ledger.domain.officer:Officer.Corrected",
    "iro_ledger.domain.case:Case.Opened",
    "iro_ledger.domain.case:Case.IroAssigned",
    "iro_ledger.domain.case:Case.CarePlanRevised",
    "iro_ledger.domain.case:Case.ShortBreaksRecorded",
    "iro_ledger.domain.case:Case.ReviewHeld",
    "iro_ledger.domain.case:Case.ReviewRequired",
    "iro_ledger.domain.case:Case.RecommendationMade",
    "iro_ledger.domain.case:Case.RecommendationOutcomeRecorded",
    "iro_ledger.domain.case:Case.DecisionRecorded",
    "iro_ledger.domain.case:Case.Closed",
    "iro_ledger.domain.case:Case.Erased",
    "iro_ledger.domain.case:Case.Corrected",
    "iro_ledger.domain.challenge:Challenge.Raised",
    "iro_ledger.domain.challenge:Challenge.Escalated",
    "iro_ledger.domain.challenge:Challenge.Responded",
    "iro_ledger.domain.challenge:Challenge.Resolved",
    "iro_ledger.domain.challenge:Challenge.Withdrawn",
    "iro_ledger.domain.challenge:Challenge.ReferredToCafcass",
    "iro_ledger.domain.challenge:Challenge.CafcassOutcomeRecorded",
    "iro_ledger.domain.challenge:Challenge.ArbitrationRequested",
    "iro_ledger.domain.challenge:Challenge.LegalStepRecorded",
    "iro_ledger.domain.challenge:Challenge.Corrected",
    "iro_ledger.domain.concern:Concern.Raised",
    "iro_ledger.domain.concern:Concern.Corrected",
    "iro_ledger.domain.instruction:Instruction.Recorded",
    "iro_ledger.domain.instruction:Instruction.Rescinded",
    "iro_ledger.domain.instruction:Instruction.Corrected",
    "iro_ledger.domain.report:AnnualReport.Drafted",
    "iro_ledger.domain.report:AnnualReport.EditRequested",
    "iro_ledger.domain.report:AnnualReport.Revised",
    "iro_ledger.domain.report:AnnualReport.Submitted",
    "iro_ledger.domain.report:AnnualReport.Withheld",
    "iro_ledger.domain.report:AnnualReport.Corrected",
    "iro_ledger.domain.access_log:RecordRead.Recorded",
    "iro_ledger.application.idempotency:CommandReceipt.Accepted",
}
"""Every topic the ledger stores. Changing one needs register_topic, not an edit here."""
NEVER_STORED = {
    "iro_ledger.domain.access_log:RecordRead.Corrected",
    "iro_ledger.application.idempotency:CommandReceipt.Corrected",
}
"""Inherited by reads and receipts, which correct_record cannot name."""

PROVENANCE = {"occurred_on", "recorded_at", "recorded_by", "actor", "source", "command_id"}
ROOT = Principal("root", Role.ADMIN)
CORRECTED = {"authority": LA, "officer": "iro-kit", "case": "case-7", "challenge": "ch-1",
             "instruction": "ins-1", "report": "rep-2024", "concern": "con-1"}
EVERY_KIND_OF_EVENT: list[tuple[str, dict[str, Any]]] = [
    ("register_authority", {}),
    ("record_data_quality", {}),
    ("record_source_period", {}),
    ("register_officer", {}),
    ("register_officer", {"officer_id": "iro-max"}),
    ("record_fte", {}),
    ("open_case", {}),
    ("record_concern", {}),
    ("record_disciplinary_action", {"about": ["concern:con-1", "case:case-7"]}),
    ("end_engagement", {"officer_id": "iro-max", "about": ["concern:con-1"]}),
    ("assign_iro", {}),
    ("revise_care_plan", {}),
    ("record_short_breaks", {}),
    ("hold_review", {}),
    ("require_review", {}),
    ("make_recommendation", {}),
    ("record_recommendation_outcome", {}),
    ("record_decision", {}),
    ("raise_challenge", {"command_id": "k-1"}),
    ("escalate_challenge", {}),
    ("respond_to_challenge", {}),
    ("resolve_challenge", {}),
    ("refer_to_cafcass", {}),
    ("record_cafcass_outcome", {}),
    ("request_arbitration", {}),
    ("record_legal_step", {}),
    ("raise_challenge", {"challenge_id": "ch-2"}),
    ("withdraw_challenge", {"challenge_id": "ch-2", "actor": "iro-kit"}),
    ("close_case", {}),
    ("record_instruction", {}),
    ("rescind_instruction", {}),
    ("draft_annual_report", {}),
    ("request_report_edit", {}),
    ("revise_annual_report", {}),
    ("submit_annual_report", {}),
    ("withhold_annual_report", {}),
    *[("correct_record", {"kind": kind, "record_id": ref, "corrects_event": 1})
      for kind, ref in CORRECTED.items()],
    ("erase_case", {}),
]


@pytest.fixture
def stored(database_url: str) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """(topic, decoded state) of every event stored by one of every kind of command."""
    ledger = Ledger(env=store_env(database_url))
    try:
        for name, fields in EVERY_KIND_OF_EVENT:
            ledger.execute(command(name, **fields), ROOT, "import")
        ledger.read("challenge", LA, "ch-1", Principal("insp-vale", Role.INSPECTOR))
        notifications = ledger.recorder.select_notifications(start=1, limit=1000)
        yield [(n.topic, json.loads(n.state)) for n in notifications]
    finally:
        ledger.close()


def defined_event_topics() -> set[str]:
    """The topic of every event class the code defines, found by walking the packages."""
    modules = [importlib.import_module(m.name) for m in pkgutil.walk_packages(
        iro_ledger.domain.__path__, "iro_ledger.domain.")]
    records = {v for m in modules for v in vars(m).values()
               if isinstance(v, type) and issubclass(v, LedgerRecord) and v is not LedgerRecord}
    return {get_topic(event) for record in records | {CommandReceipt}
            for name, event in vars(record).items()
            if isinstance(event, type) and issubclass(event, Aggregate.Event)
            and name not in ("Event", "Created")}


def test_every_kind_of_event_is_stored_under_its_module_and_class_name(
        stored: list[tuple[str, dict[str, Any]]]) -> None:
    assert {topic for topic, _ in stored} == STORED_TOPICS


def test_every_event_class_the_code_defines_has_a_stored_name_listed_here() -> None:
    assert defined_event_topics() == STORED_TOPICS | NEVER_STORED


@pytest.mark.parametrize("topic", sorted(STORED_TOPICS))
def test_every_stored_name_resolves_to_its_event_class(topic: str) -> None:
    assert get_topic(resolve_topic(topic)) == topic


def test_every_stored_event_carries_its_provenance(
        stored: list[tuple[str, dict[str, Any]]]) -> None:
    missing = {topic: PROVENANCE - state.keys() for topic, state in stored
               if PROVENANCE - state.keys()}

    assert missing == {}


def test_dates_and_times_are_stored_as_iso_8601(stored: list[tuple[str, dict[str, Any]]]) -> None:
    topic, state = stored[0]

    assert topic == "iro_ledger.domain.authority:Authority.Registered"
    assert state["occurred_on"] == {"_type_": "date_iso", "_data_": "2024-06-03"}
    assert state["recorded_at"]["_type_"] == "datetime_iso"
    assert (state["recorded_by"], state["actor"], state["source"], state["command_id"]) == (
        "root", "root", "import", None)


def test_a_command_id_is_stored_on_the_events_it_caused(
        stored: list[tuple[str, dict[str, Any]]]) -> None:
    carrying = [topic for topic, state in stored if state["command_id"] == "k-1"]

    assert carrying == ["iro_ledger.domain.challenge:Challenge.Raised",
                        "iro_ledger.application.idempotency:CommandReceipt.Accepted"]
