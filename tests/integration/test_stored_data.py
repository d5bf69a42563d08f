"""Stored data must not change: a store written by older code replays to the same views.

`tests/stored/store.sqlite` holds only stored data (events, checkpoints, a witness's
cosignature) as an older version of the code wrote it, and `tests/stored/views.json` what it
showed then (see `tests/stored/make_store.py`). Today's code must decode every stored event by
its topic, rebuild every read model from them, show the same flags, register, timelines,
officer records and measures, and rebuild a log whose roots match the checkpoints signed then.

A view may have gained something since (a new field of a timeline entry, a new measure): what
it showed then must still be there, unchanged. The stored events and the log must be exactly as
they were.

Flags and measures are the rules' judgement, and rules change on purpose (a new pattern, a
statutory window), always with a new flags model version. `judged.json` holds the judgement
under the version that made it: under the same version it must be matched exactly; a new version
must re-judge (`python -m tests.stored.make_store --judge`) so the diff is reviewed in its commit.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from iro_ledger.projections.flags import Flags
from iro_ledger.settings import Settings
from iro_ledger.wiring import Services, build_services
from tests.stored import make_store
from tests.stored.views import views


@pytest.fixture(scope="module")
def old_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    home = tmp_path_factory.mktemp("old-store")
    shutil.copyfile(make_store.STORE, home / "store.sqlite")
    settings = Settings(database_url=f"sqlite:///{home / 'store.sqlite'}",
                        signing_key_path=home / "no-key-here.pem",
                        checkpoint_every_events=1_000_000, checkpoint_every_seconds=3600)
    services = build_services(settings)
    try:
        yield services
    finally:
        services.close()


@pytest.fixture(scope="module")
def shown_then() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(make_store.VIEWS.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def judged_then() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(make_store.JUDGED.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def shown_now(old_store: Services) -> dict[str, Any]:
    # Through JSON, as the snapshot was written, so dates and tuples compare alike.
    loaded: dict[str, Any] = json.loads(json.dumps(views(old_store), sort_keys=True))
    return loaded


def test_every_stored_event_still_decodes_to_its_class(shown_now: dict[str, Any],
                                                       shown_then: dict[str, Any]) -> None:
    assert shown_now["events"] == shown_then["events"]


def test_the_old_store_holds_every_kind_of_act_it_is_kept_for(
        shown_then: dict[str, Any]) -> None:
    kinds = shown_then["events"]["by_class"]
    for needed in ("Challenge.Corrected", "RecordRead.Recorded", "CommandReceipt.Accepted",
                   "AnnualReport.Withheld", "Instruction.Rescinded", "Officer.EngagementEnded",
                   "Challenge.ArbitrationRequested", "Challenge.Withdrawn"):
        assert kinds.get(needed), needed
    statuses = {s for la in shown_then["authorities"].values()
                for s, flags in la["flags"].items() if flags}
    assert statuses == {"open", "cleared", "withdrawn"}


def still_shows(now: Any, then: Any, where: str = "") -> list[str]:
    """Where `now` no longer shows what `then` showed: keys may be added to an object, never
    dropped or changed; lists keep their length (measures, by name, may gain members)."""
    if isinstance(then, dict) and isinstance(now, dict):
        return [lost for key in then for lost in
                (still_shows(now[key], then[key], f"{where}/{key}") if key in now
                 else [f"{where}/{key}: gone"])]
    if isinstance(then, list) and isinstance(now, list):
        if len(now) != len(then):
            return [f"{where}: {len(then)} items then, {len(now)} now"]
        return [lost for i, (n, t) in enumerate(zip(now, then, strict=True))
                for lost in still_shows(n, t, f"{where}[{i}]")]
    return [] if now == then else [f"{where}: {then!r} then, {now!r} now"]


def by_name(measures: list[dict[str, Any]]) -> dict[str, Any]:
    return {m["name"]: m for m in measures}


def test_the_rules_judgement_was_recorded_under_todays_rules(judged_then: dict[str, Any]) -> None:
    assert judged_then["flags_version"] == Flags.version, (
        f"the rules changed (flags model v{Flags.version}, judged under "
        f"v{judged_then['flags_version']}): run python -m tests.stored.make_store --judge "
        "and review the diff of tests/stored/judged.json")


@pytest.mark.parametrize("la_code", ["EMR", "SMV"])
def test_the_old_store_shows_the_same_flags(shown_now: dict[str, Any],
                                            judged_then: dict[str, Any], la_code: str) -> None:
    assert shown_now["authorities"][la_code]["flags"] == (
        judged_then["authorities"][la_code]["flags"])


@pytest.mark.parametrize("la_code", ["EMR", "SMV"])
def test_the_old_store_still_shows_the_measures_judged(
        shown_now: dict[str, Any], judged_then: dict[str, Any], la_code: str) -> None:
    now = by_name(shown_now["authorities"][la_code]["measures"])
    assert still_shows(now, by_name(judged_then["authorities"][la_code]["measures"])) == []


def test_the_old_store_showed_every_status_of_flag_then_and_now(
        shown_now: dict[str, Any]) -> None:
    statuses = {s for la in shown_now["authorities"].values()
                for s, flags in la["flags"].items() if flags}
    assert statuses == {"open", "cleared", "withdrawn"}


@pytest.mark.parametrize("la_code", ["EMR", "SMV"])
@pytest.mark.parametrize("view", ["name", "register", "cases", "timelines", "officers",
                                  "officer_records"])
def test_the_old_store_still_shows_what_it_showed_when_written(
        shown_now: dict[str, Any], shown_then: dict[str, Any], la_code: str, view: str) -> None:
    now, then = shown_now["authorities"][la_code][view], shown_then["authorities"][la_code][view]
    assert still_shows(now, then) == []


def test_a_view_that_changed_what_it_showed_is_caught() -> None:
    then = {"entries": [{"type": "Case.Opened", "on": "2025-01-01"}], "measures": 2}
    assert still_shows({**then, "added": 1}, then) == []
    assert still_shows({"entries": [{"type": "Case.Opened", "on": "2025-01-02"}],
                        "measures": 2}, then) == [
        "/entries[0]/on: '2025-01-01' then, '2025-01-02' now"]
    assert still_shows({"entries": [], "measures": 2}, then) == [
        "/entries: 1 items then, 0 now"]
    assert still_shows({"entries": then["entries"]}, then) == ["/measures: gone"]


def test_no_authority_appears_or_vanishes(shown_now: dict[str, Any],
                                          shown_then: dict[str, Any]) -> None:
    assert sorted(shown_now["authorities"]) == sorted(shown_then["authorities"]) == ["EMR", "SMV"]


def test_the_rebuilt_log_matches_every_checkpoint_signed_then(
        old_store: Services, shown_now: dict[str, Any], shown_then: dict[str, Any]) -> None:
    assert shown_now["log"] == shown_then["log"]
    report = old_store.trust.audit(make_store.PUBLIC_KEY.read_bytes())
    assert report.clean, report.as_dict()
