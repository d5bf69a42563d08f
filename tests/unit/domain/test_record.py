"""What every record shares: deterministic ids, bitemporal provenance, timing, corrections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iro_ledger.domain.authority import Authority
from iro_ledger.domain.case import Case
from iro_ledger.domain.errors import BadTiming, InvalidValue, InvariantViolation
from iro_ledger.domain.officer import Officer
from iro_ledger.domain.record import record_id
from tests.builders import LA, RECORDED_AT, open_case, stamp

refs = st.text(min_size=1, max_size=20).filter(lambda s: "/" not in s)
days_ahead = st.integers(min_value=1, max_value=20_000).map(lambda n: timedelta(days=n))


def test_the_same_kind_authority_and_ref_always_name_the_same_record() -> None:
    assert record_id("case", LA, "case-7") == record_id("case", LA, "case-7")


@given(kind=st.sampled_from(["case", "officer", "challenge"]), la_code=refs, ref=refs)
def test_ids_are_unique_per_kind_and_authority(kind: str, la_code: str, ref: str) -> None:
    mine = record_id(kind, la_code, ref)
    assert mine != record_id("report", la_code, ref)
    assert mine != record_id(kind, la_code + "X", ref)
    assert mine != record_id(kind, la_code, ref + "X")


def test_a_record_is_stored_under_its_deterministic_id() -> None:
    case = open_case("case-7")

    assert case.id == record_id("case", LA, "case-7")


def test_every_event_carries_the_provenance_of_its_command() -> None:
    case = open_case()
    case.close("adopted", stamp("2024-06-03", actor="mgr-bo", recorded_by="iro-kit",
                                 source="cli", command_id="k-42"))

    closed = case.collect_events()[-1]
    assert (closed.occurred_on.isoformat(), closed.recorded_at, closed.recorded_by,
            closed.actor, closed.source, closed.command_id) == (
        "2024-06-03", RECORDED_AT, "iro-kit", "mgr-bo", "cli", "k-42")


def test_an_event_dated_on_the_day_it_is_recorded_is_accepted() -> None:
    case = open_case()

    case.close("returned home", stamp(RECORDED_AT.date()))

    assert not case.is_open


@given(ahead=days_ahead)
def test_a_new_record_dated_after_the_day_it_is_recorded_is_refused(ahead: timedelta) -> None:
    with pytest.raises(BadTiming) as refused:
        Authority.register(LA, "Fenwick Cross", stamp(RECORDED_AT.date() + ahead))
    assert refused.value.field == "occurred_on"


@given(ahead=days_ahead)
def test_an_event_dated_after_the_day_it_is_recorded_is_refused(ahead: timedelta) -> None:
    case = open_case()

    with pytest.raises(BadTiming):
        case.close("adopted", stamp(RECORDED_AT.date() + ahead))
    assert case.is_open


def test_an_event_cannot_predate_the_record_it_belongs_to() -> None:
    case = open_case(on="2024-03-01")

    with pytest.raises(BadTiming, match="before case case-7"):
        case.close("adopted", stamp("2024-02-29"))


@pytest.mark.parametrize("ref", ["", "a/b", "x" * 129, "tab\there"])
def test_a_malformed_client_id_is_refused_naming_its_field(ref: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        Officer.register(LA, ref, "iro", "employed", stamp())
    assert refused.value.field == "officer_id"


def test_a_correction_is_a_further_event_naming_the_original_and_the_reason() -> None:
    case = open_case()
    case.revise_care_plan("contact", "weekly contact", True, True, stamp())

    case.correct(2, "contact is fortnightly", {"summary": "fortnightly contact"}, stamp())

    original, correction = case.collect_events()[-2:]
    assert isinstance(original, Case.CarePlanRevised)
    assert original.summary == "weekly contact"
    assert isinstance(correction, Case.Corrected)
    assert (correction.corrects_version, correction.reason) == (2, "contact is fortnightly")
    assert case.corrections == [2]


def test_a_correction_may_itself_be_corrected() -> None:
    case = open_case()
    case.correct(1, "wrong legal status", {"legal_status": "C1"}, stamp())

    case.correct(2, "the status was right after all", {}, stamp())

    assert case.corrections == [1, 2]


@given(number=st.integers(max_value=0) | st.integers(min_value=2))
def test_only_an_existing_event_number_can_be_corrected(number: int) -> None:
    case = open_case()

    with pytest.raises(InvariantViolation, match="no event number"):
        case.correct(number, "mistaken", {}, stamp())
    assert case.version == 1


def test_a_correction_must_give_its_reason() -> None:
    with pytest.raises(InvalidValue) as refused:
        open_case().correct(1, "  ", {}, stamp())
    assert refused.value.field == "reason"


def test_a_correction_cannot_predate_the_record() -> None:
    with pytest.raises(BadTiming):
        open_case(on="2024-03-01").correct(1, "mistaken", {}, stamp("2024-01-01"))


def test_a_closed_record_can_still_be_corrected() -> None:
    case = open_case()
    case.close("adopted", stamp("2024-05-01"))

    case.correct(2, "closed in error: the order was refused", {}, stamp())

    assert (case.is_open, case.corrections) == (False, [2])
