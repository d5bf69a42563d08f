"""An authority's measures are worked out once, stored, and read back until the authority's
next event; they are never read back once a batch has brought it something new."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from psycopg import sql

from iro_ledger.projections import flags_on, measures
from iro_ledger.projections.base import Period
from iro_ledger.projections.flags import Flags
from iro_ledger.settings import Settings
from iro_ledger.wiring import Services, build_services
from tests.unit.projections.story import busy_authority, record_all

PERIOD = Period(date(2024, 1, 1), date(2024, 12, 31))


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    built = build_services(Settings(database_url=database_url))
    try:
        record_all(built.ledger, busy_authority(12, "BSY") + busy_authority(4, "OTH"))
        built.projections.catch_up()
        yield built
    finally:
        built.close()


def worked_out(services: Services, la_code: str, period: Period = PERIOD) -> list[Any]:
    """The measures as the tables give them now, never read back from a stored answer."""
    model = services.projections.models["measures"]
    assert isinstance(model, measures.Measures)
    return measures.as_dicts(measures._worked_out(services.projections, la_code, period,
                                                  model.config))


def stored_answers(services: Services) -> list[tuple[str, str, str]]:
    with services.projections.db.reading() as tx:
        return [(r["la_code"], r["period_start"], r["period_end"]) for r in tx.query(
            f"SELECT la_code, period_start, period_end FROM {measures.STORED}"
            " ORDER BY la_code, period_start")]


def test_measures_read_back_are_the_measures_worked_out(services: Services) -> None:
    first = measures.as_dicts(measures.measures_of(services.projections, "BSY", PERIOD))
    again = measures.as_dicts(measures.measures_of(services.projections, "BSY", PERIOD))

    assert first == again == worked_out(services, "BSY")
    assert stored_answers(services) == [("BSY", "2024-01-01", "2024-12-31")]


def test_an_authority_s_new_event_makes_its_measures_worked_out_again(
        services: Services) -> None:
    before = measures.as_dicts(measures.measures_of(services.projections, "BSY", PERIOD))
    other = measures.as_dicts(measures.measures_of(services.projections, "OTH", PERIOD))
    record_all(services.ledger, [{"command": "open_case", "la_code": "BSY",
                                  "occurred_on": "2024-06-03", "case_id": "late-arrival",
                                  "child_ref": "child-late", "legal_status": "C2",
                                  "entered_care_on": "2024-06-03"}])
    services.projections.catch_up()

    after = measures.as_dicts(measures.measures_of(services.projections, "BSY", PERIOD))

    assert after == worked_out(services, "BSY") != before
    assert by_name(after)["children_in_care"] == by_name(before)["children_in_care"] + 1
    assert measures.as_dicts(measures.measures_of(services.projections, "OTH", PERIOD)) == other


def test_a_stored_answer_of_the_past_is_dropped_when_its_authority_is_measured_again(
        services: Services) -> None:
    measures.measures_of(services.projections, "BSY", PERIOD)
    measures.measures_of(services.projections, "BSY", Period(date(2024, 1, 1), date(2024, 6, 30)))
    record_all(services.ledger, [{"command": "open_case", "la_code": "BSY",
                                  "occurred_on": "2024-06-03", "case_id": "late-arrival",
                                  "child_ref": "child-late", "legal_status": "C2",
                                  "entered_care_on": "2024-06-03"}])
    services.projections.catch_up()

    measures.measures_of(services.projections, "BSY", PERIOD)

    assert stored_answers(services) == [("BSY", "2024-01-01", "2024-12-31")]


def by_name(found: list[dict[str, Any]]) -> dict[str, Any]:
    return {m["name"]: m["value"] for m in found}


def test_the_worker_s_idle_time_stores_each_authority_s_year_to_today(
        services: Services) -> None:
    today = measures.period_of(None, None, services.reads.today())
    services.reads.measure_today(busy=lambda: True)  # an event waits: nothing is done
    assert measures.outdated(services.projections, today) == ["BSY", "OTH"]

    services.reads.measure_today()

    assert measures.outdated(services.projections, today) == []
    assert stored_answers(services) == [(la, today.start.isoformat(), today.end.isoformat())
                                        for la in ("BSY", "OTH")]
    record_all(services.ledger, [{"command": "open_case", "la_code": "OTH",
                                  "occurred_on": "2024-06-03", "case_id": "late-arrival",
                                  "child_ref": "child-late", "legal_status": "C2",
                                  "entered_care_on": "2024-06-03"}])
    services.projections.catch_up()
    assert measures.outdated(services.projections, today) == ["OTH"]


def test_a_read_only_store_still_answers_the_measures_it_cannot_store(
        postgres_url: str) -> None:
    """A read replica serves reads but takes no writes: the measures are worked out and
    answered, not stored."""
    built = build_services(Settings(database_url=postgres_url))
    try:
        record_all(built.ledger, busy_authority(6, "BSY"))
        built.projections.catch_up()
        expected = worked_out(built, "BSY")
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            name = admin.execute("SELECT current_database()").fetchone()
            assert name is not None
            admin.execute(sql.SQL("ALTER DATABASE {} SET default_transaction_read_only = on")
                          .format(sql.Identifier(str(name[0]))))
        built.projections.db.close()  # new connections take the setting
        try:
            answered = measures.as_dicts(measures.measures_of(built.projections, "BSY", PERIOD))
        finally:
            with psycopg.connect(postgres_url, autocommit=True) as admin:
                admin.execute("SET default_transaction_read_only = off")
                admin.execute(sql.SQL("ALTER DATABASE {} RESET default_transaction_read_only")
                              .format(sql.Identifier(str(name[0]))))
        assert answered == expected
        assert stored_answers(built) == []
    finally:
        built.close()


def stored_today(services: Services) -> list[str]:
    """The authorities whose flags of today are stored."""
    model = services.projections.models["flags"]
    assert isinstance(model, Flags)
    with services.projections.db.reading() as tx:
        return sorted(str(r["la_code"]) for r in tx.query(
            "SELECT la_code FROM flags_days_v18 WHERE judged_for = ? AND position >= 0",
            (flags_on.judged_for(services.reads.today(), model.config),)))


def test_the_worker_s_idle_time_stores_today_s_flags_of_every_authority(
        services: Services) -> None:
    services.reads.judge_today(busy=lambda: True)  # an event waits: one authority judged
    assert stored_today(services) == ["BSY"]

    services.reads.judge_today()

    assert stored_today(services) == ["BSY", "OTH"]
