"""Issue 8's back-dated answer, replayed through the API: no flag vanishes, and the late record
that defeated it is itself flagged, naming both.

The authority's history was recorded in 2024 (the ledger told the time then); three years
on, an LA manager answers the stalled challenge "three days after it was raised".
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from iro_ledger.application import Principal, Role
from iro_ledger.application.commands import parse_command
from iro_ledger.cli import app
from iro_ledger.settings import Settings
from iro_ledger.wiring import build_services
from tests.e2e import LA, MANAGER, running_api

THEN = datetime(2024, 3, 20, 12, 0, tzinfo=UTC)
"""When the challenge was recorded: its informal stage ran out on 29 February 2024."""
ADMIN = Principal("test-admin", Role.ADMIN)
IRO = Principal("iro-ada", Role.IRO, LA)


def recorded_then(url: str) -> None:
    services = build_services(Settings(database_url=url))
    try:
        for who, name, fields in (
                (ADMIN, "register_authority", {"name": "Northwold (fictional)"}),
                (ADMIN, "register_officer", {"officer_id": "iro-ada", "role": "iro",
                                             "employment": "employed"}),
                (ADMIN, "open_case", {"case_id": "case-1", "child_ref": "child-nw-0001",
                                      "legal_status": "C2", "entered_care_on": "2024-01-10"}),
                (ADMIN, "assign_iro", {"case_id": "case-1", "officer_id": "iro-ada",
                                       "reason": "first_allocation"}),
                (IRO, "raise_challenge", {"challenge_id": "ch-1", "case_id": "case-1",
                                          "officer_id": "iro-ada", "about": "care_plan",
                                          "grounds": "the plan ignores the child's wishes",
                                          "occurred_on": "2024-02-01"})):
            data = {"command": name, "la_code": LA, "occurred_on": "2024-01-10", **fields}
            services.ledger.execute(parse_command(data), who, "api", now=THEN)
    finally:
        services.close()


def flags(api: Any, **params: str) -> list[dict[str, Any]]:
    response = api.client.get("/flags", params={"la_code": LA, **params}, headers=MANAGER)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["items"]
    return found


def test_a_back_dated_answer_leaves_the_stalled_flag_withdrawn_and_is_flagged(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    recorded_then(url)
    with running_api(url) as api:
        [stalled] = [f for f in flags(api) if f["rule"] == "suppressed_challenge"]
        assert (stalled["status"], stalled["details"]["pattern"]) == ("open", "stalled")
        # Only a resolution stops a dispute's clock (IRO Handbook 6.2: 20 working days in
        # total), so the back-dated answer that makes the flag vanish is a resolution.
        api.ok("resolve_challenge", MANAGER, challenge_id="ch-1",
               outcome="not_upheld", occurred_on="2024-02-04")
        # Not listed as open any more, but never gone: withdrawn, by its id, naming the answer.
        assert stalled["id"] not in {f["id"] for f in flags(api)}
        [withdrawn] = [f for f in flags(api, status="withdrawn") if f["id"] == stalled["id"]]
        response = api.client.get(f"/flags/{stalled['id']}", headers=MANAGER)
        assert response.status_code == 200, response.text
        by_id = response.json()
        assert by_id["status"] == withdrawn["status"] == "withdrawn"
        assert by_id["history"][-1]["event"]["event_type"] == "Challenge.Resolved"
        # The answer itself is flagged, naming the flag it withdrew.
        [late] = [f for f in flags(api) if f["rule"] == "late_record_changed_a_flag"]
        assert late["subjects"]["flag_id"] == stalled["id"]
        assert late["details"]["effect"] == "withdrawn"
        assert late["details"]["occurred_on"] == "2024-02-04"
        assert late["details"]["days_late"] > 365
        # Counted apart in the authority's measures for the year it was raised in.
        response = api.client.get(f"/authorities/{LA}/measures", headers=MANAGER,
                                  params={"from": "2024-01-01", "to": "2024-12-31"})
        assert response.status_code == 200, response.text
        measures = {m["name"]: m for m in response.json()["measures"]}
        assert measures["flags_withdrawn_by_late_records"]["value"] == 1
        assert "suppressed_challenge" not in measures["flags_by_rule"]["value"]
    # The CLI lists it too, withdrawn, naming the late record.
    result = CliRunner().invoke(app, ["flags", "--la", LA, "--status", "withdrawn", "--json"],
                                env={"IRO_LEDGER_DATABASE_URL": url}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [shown] = [f for f in json.loads(result.stdout) if f["id"] == stalled["id"]]
    assert shown["status"] == "withdrawn"
