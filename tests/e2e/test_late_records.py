"""Late records in the open: every record says how late it was recorded, and a flag a late
record defeated stays listed, withdrawn, with that record, on the API, the CLI and the dashboard.

The story, on a case of its own in fictional Northwold: iro-ada challenges the care plan in
February 2024, the la_manager closes the case in March with the challenge unanswered (a
`suppressed_challenge` flag, `closed_without_outcome`), and years later the manager records a
resolution dated before the closure. The flag is withdrawn, never gone. On both stores.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from iro_ledger.cli import app as cli_app
from iro_ledger.domain.record import england_date
from iro_ledger.identity.tokens import mint_token
from tests.e2e import (
    IRO_ADA,
    LA,
    MANAGER,
    POLICY,
    STORES,
    Api,
    fresh_id,
    module_store,
    projection_worker,
    running_api,
    seed,
    sign_in,
)
from tests.e2e.test_web_pages import elements_with, text

RAISED_ON, CLOSED_ON, RESOLVED_ON = "2024-02-01", "2024-03-01", "2024-02-19"


def days_since(day: str) -> int:
    return (england_date(datetime.now(UTC)) - date.fromisoformat(day)).days


class Story:
    def __init__(self, api: Api, url: str) -> None:
        self.api, self.url = api, url
        self.case_id, self.challenge_id = fresh_id("case"), fresh_id("ch")
        api.ok("open_case", MANAGER, case_id=self.case_id, child_ref=fresh_id("child"),
               legal_status="C2", entered_care_on="2024-01-04", occurred_on="2024-01-04")
        api.ok("assign_iro", MANAGER, case_id=self.case_id, officer_id="iro-ada",
               reason="first_allocation", occurred_on="2024-01-05")
        api.ok("raise_challenge", IRO_ADA, challenge_id=self.challenge_id,
               case_id=self.case_id, officer_id="iro-ada", about="care_plan",
               grounds="The plan ignores the child's wishes", occurred_on=RAISED_ON)
        api.ok("close_case", MANAGER, case_id=self.case_id, reason="returned home",
               occurred_on=CLOSED_ON)
        self.flag = self.closed_flag("open")
        self.late = api.ok("resolve_challenge", MANAGER, challenge_id=self.challenge_id,
                           outcome="upheld", occurred_on=RESOLVED_ON)

    def closed_flag(self, status: str) -> dict[str, Any]:
        found = self.get(f"/flags?case_id={self.case_id}&status={status}"
                         f"&rule=suppressed_challenge&min_position={self.api.ledger.position()}")
        [flag] = [f for f in found["items"]
                  if f["details"].get("pattern") == "closed_without_outcome"]
        return flag

    def get(self, path: str, who: dict[str, str] = MANAGER) -> dict[str, Any]:
        response = self.api.read(path, who)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def page(self, path: str) -> str:
        client = self.api.client
        sign_in(client, mint_token(POLICY, "mgr-cara", "la_manager", la_code=LA))
        response = client.get(path)
        client.cookies.clear()
        assert response.status_code == 200, response.text
        return response.text

    def cli(self, *args: str) -> Result:
        result = CliRunner().invoke(cli_app, list(args),
                                    env={"IRO_LEDGER_DATABASE_URL": self.url, "COLUMNS": "300"},
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result


@pytest.fixture(scope="module", params=STORES)
def story(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    with (module_store(request, tmp_path_factory.mktemp("store")) as url, running_api(url) as api,
          projection_worker(url)):
        seed(api)
        yield Story(api, url)


def check_late_record(late: dict[str, Any], story: Story) -> None:
    assert (late["kind"], late["id"], late["event_type"]) == (
        "challenge", story.challenge_id, "Challenge.Resolved")
    assert (late["occurred_on"], late["recorded_by"], late["days_late"]) == (
        RESOLVED_ON, "mgr-cara", days_since(RESOLVED_ON))


def test_every_record_says_how_late_it_was_recorded(story: Story) -> None:
    events = story.get(f"/authorities/{LA}/challenges/{story.challenge_id}")["events"]
    assert [(e["type"], e["days_late"]) for e in events] == [
        ("Raised", days_since(RAISED_ON)), ("Resolved", days_since(RESOLVED_ON))]
    timeline = story.get(f"/authorities/{LA}/cases/{story.case_id}/timeline")
    assert {e["ref"]["type"]: e["days_late"] for e in timeline["entries"]} == {
        "Case.Opened": days_since("2024-01-04"), "Case.IroAssigned": days_since("2024-01-05"),
        "Challenge.Raised": days_since(RAISED_ON), "Case.Closed": days_since(CLOSED_ON),
        "Challenge.Resolved": days_since(RESOLVED_ON)}


def test_a_record_made_the_same_day_is_not_late(story: Story) -> None:
    today = england_date(datetime.now(UTC)).isoformat()
    challenge_id = fresh_id("ch")
    story.api.ok("raise_challenge", IRO_ADA, challenge_id=challenge_id, case_id="case-1",
                 officer_id="iro-ada", about="care_plan", grounds="No review held",
                 occurred_on=today)
    [raised] = story.get(f"/authorities/{LA}/challenges/{challenge_id}")["events"]
    assert raised["days_late"] == 0


def test_the_flag_a_late_record_defeated_is_listed_withdrawn_with_it(story: Story) -> None:
    flag = story.closed_flag("withdrawn")

    assert flag["id"] == story.flag["id"] and flag["status"] == "withdrawn"
    check_late_record(flag["withdrawn_by"], story)
    assert [h["action"] for h in flag["history"]] == ["raised", "withdrawn"]
    assert f"{days_since(RESOLVED_ON)} days late" in flag["explanation"]
    assert story.flag["withdrawn_by"] is None


def test_the_withdrawn_flag_is_still_found_by_its_id(story: Story) -> None:
    flag = story.get(f"/flags/{story.flag['id']}")

    assert flag["status"] == "withdrawn"
    check_late_record(flag["withdrawn_by"], story)


def test_withdrawn_flags_are_left_out_unless_asked_for(story: Story) -> None:
    listed = story.get(f"/flags?case_id={story.case_id}")["items"]

    assert story.flag["id"] not in {f["id"] for f in listed}


def test_the_authority_measures_count_flags_withdrawn_by_late_records(story: Story) -> None:
    measures = story.get(f"/authorities/{LA}/measures?from=2024-01-01&to=2024-12-31")
    by_name = {m["name"]: m for m in measures["measures"]}

    withdrawn = by_name["flags_withdrawn_by_late_records"]
    assert withdrawn["value"] == 1
    [late] = withdrawn["evidence"]
    assert (late["kind"], late["id"], late["type"]) == (
        "challenge", story.challenge_id, "Challenge.Resolved")
    assert "suppressed_challenge" not in by_name["flags_by_rule"]["value"]


def test_the_cli_lists_the_withdrawn_flag_with_its_late_record(story: Story) -> None:
    found = json.loads(story.cli("flags", "--json", "--la", LA, "--status", "withdrawn",
                                 "--case", story.case_id).stdout)
    [flag] = [f for f in found if f["id"] == story.flag["id"]]
    check_late_record(flag["withdrawn_by"], story)

    table = story.cli("flags", "--la", LA, "--status", "withdrawn", "--case",
                      story.case_id).stdout
    assert f"recorded {days_since(RESOLVED_ON)} days late" in " ".join(table.split())


def test_the_cli_timeline_says_how_late_each_record_was(story: Story) -> None:
    doc = json.loads(story.cli("timeline", story.case_id, "--la", LA, "--json").stdout)
    late = [e for e in doc["entries"] if e["ref"]["type"] == "Challenge.Resolved"]
    assert [e["days_late"] for e in late] == [days_since(RESOLVED_ON)]


def test_the_case_page_shows_the_withdrawn_flag_and_the_late_record(story: Story) -> None:
    page = story.page(f"/ui/authorities/{LA}/cases/{story.case_id}")

    rows = {r["data-flag"]: r["data-status"] for r in elements_with(page, "data-flag")}
    assert rows[story.flag["id"]] == "withdrawn"
    assert "Flags withdrawn by late records" in text(page)
    assert f"recorded {days_since(RESOLVED_ON)} days later" in text(page)
    lateness = {r["data-position"]: r["data-days-late"]
                for r in elements_with(page, "data-days-late") if "data-position" in r}
    assert lateness[str(story.late["position"])] == str(days_since(RESOLVED_ON))


def test_the_flags_page_and_the_flag_page_show_the_late_record(story: Story) -> None:
    listed = story.page(f"/ui/flags?la={LA}&status=withdrawn")
    assert story.flag["id"] in {r["data-flag"] for r in elements_with(listed, "data-flag")}

    page = text(story.page(f"/ui/flags/{story.flag['id']}"))
    assert "Withdrawn by a late record" in page
    assert f"Days late {days_since(RESOLVED_ON)}" in page
