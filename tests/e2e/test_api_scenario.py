"""A whole realistic history told over HTTP, on SQLite and on PostgreSQL.

Every command of the domain language is sent to its own endpoint by the principal who would
record it in practice, and every kind of record reads back with its events and provenance.
"""

from __future__ import annotations

from typing import Any

from iro_ledger.application.commands import COMMANDS
from tests.e2e import (
    ADMIN,
    IRO_ADA,
    IRO_MANAGER,
    LA,
    MANAGER,
    OTHER_LA,
    PANEL,
    SHA_A,
    SHA_B,
    Api,
    running_api,
    seed,
)


class Story:
    """Sends commands and remembers which of the language's commands were told."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.told: set[str] = set()

    def tell(self, name: str, who: dict[str, str], /, **fields: Any) -> dict[str, Any]:
        self.told.add(name)
        return self.api.ok(name, who, **fields)


def tell_the_story(story: Story) -> None:
    t = story.tell
    # The case: a review, a recommendation and its outcome, a decision, a plan change.
    t("hold_review", IRO_ADA, case_id="case-1", chaired_by="iro-ada",
      child_participation="attended", child_seen_before=True, occurred_on="2024-02-01")
    t("make_recommendation", IRO_ADA, case_id="case-1", recommendation_id="rec-1",
      text="Arrange weekly contact with the child's sister", due_on="2024-03-01",
      occurred_on="2024-02-01")
    t("record_recommendation_outcome", MANAGER, case_id="case-1", recommendation_id="rec-1",
      outcome="completed", occurred_on="2024-02-20")
    t("record_decision", MANAGER, case_id="case-1", decision_id="dec-1", kind="placement",
      summary="Move to a residential placement", actor="dir-lee", occurred_on="2024-02-10")
    t("revise_care_plan", MANAGER, case_id="case-1", change="placement_move",
      summary="Residential placement", via_review=False, iro_consulted=False,
      occurred_on="2024-02-12")
    # A challenge through the whole protocol, then beyond it.
    t("raise_challenge", IRO_ADA, challenge_id="ch-1", case_id="case-1", officer_id="iro-ada",
      about="dec-1", grounds="The move ignores the child's wishes", occurred_on="2024-02-15")
    t("escalate_challenge", IRO_ADA, challenge_id="ch-1", to_stage="stage_1",
      addressed_to="mgr-cara", occurred_on="2024-02-20")
    t("respond_to_challenge", MANAGER, challenge_id="ch-1", response="The move stands",
      occurred_on="2024-02-25")
    t("escalate_challenge", IRO_ADA, challenge_id="ch-1", to_stage="stage_3",
      addressed_to="dir-lee", occurred_on="2024-03-01")
    t("refer_to_cafcass", IRO_ADA, challenge_id="ch-1", occurred_on="2024-03-05")
    t("record_cafcass_outcome", IRO_ADA, challenge_id="ch-1", outcome="advice given",
      summary="Cafcass advised a review", occurred_on="2024-04-01")
    t("request_arbitration", IRO_ADA, challenge_id="ch-1", body=PANEL, occurred_on="2024-04-02")
    t("resolve_challenge", MANAGER, challenge_id="ch-1", outcome="partially_upheld",
      occurred_on="2024-04-10")
    t("record_legal_step", IRO_ADA, challenge_id="ch-1", step="legal_advice", taken_by="iro",
      summary="Advice on a judicial review", occurred_on="2024-04-20")
    # An instruction to withdraw, obeyed, then rescinded.
    t("raise_challenge", IRO_ADA, challenge_id="ch-2", case_id="case-1", officer_id="iro-ada",
      about="care_plan", grounds="No review before the move", occurred_on="2024-03-01")
    t("record_instruction", IRO_ADA, instruction_id="ins-1", actor="dir-lee",
      issued_to=["iro-ada"], kind="withdraw_challenge", text="Withdraw it",
      occurred_on="2024-03-02")
    t("withdraw_challenge", IRO_ADA, challenge_id="ch-2", reason="Instructed to",
      occurred_on="2024-03-03")
    t("rescind_instruction", MANAGER, instruction_id="ins-1", occurred_on="2024-04-01")
    # People: disciplinary action threatened; a freelance IRO's hours, then contract ended.
    t("record_disciplinary_action", MANAGER, officer_id="iro-ada", stage="threatened",
      actor="dir-lee", stated_reason="Conduct", occurred_on="2024-03-10")
    t("record_fte", MANAGER, officer_id="iro-ben", fte=0.6, reason="Three days a week",
      occurred_on="2024-01-15")
    t("end_engagement", MANAGER, officer_id="iro-ben", how="contract_terminated",
      actor="dir-lee", reason="Budget", occurred_on="2024-05-01")
    # The annual report: drafted, edits requested, revised, submitted; another withheld.
    t("draft_annual_report", IRO_MANAGER, report_id="rep-2024", year=2024, author="irom-dev",
      content_sha256=SHA_A, occurred_on="2024-04-01")
    t("request_report_edit", MANAGER, report_id="rep-2024", actor="dir-lee",
      sections=["challenges"], occurred_on="2024-04-05")
    t("revise_annual_report", IRO_MANAGER, report_id="rep-2024", content_sha256=SHA_B,
      occurred_on="2024-04-08")
    t("submit_annual_report", MANAGER, report_id="rep-2024", to="ofsted", content_sha256=SHA_B,
      occurred_on="2024-04-09")
    t("draft_annual_report", IRO_MANAGER, report_id="rep-2023", year=2023, author="irom-dev",
      content_sha256=SHA_A, occurred_on="2024-04-01")
    t("withhold_annual_report", MANAGER, report_id="rep-2023", actor="dir-lee",
      reason="Not for the board", occurred_on="2024-04-02")
    # Outside the protocol: a concern in review minutes; a review the IRO requires on a
    # second child's case, who has short breaks.
    t("record_concern", IRO_ADA, concern_id="con-1", officer_id="iro-ada", case_id="case-1",
      raised_in="review_minutes", raised_with="mgr-cara",
      summary="No plan for accommodation after 18", occurred_on="2024-02-01")
    t("open_case", MANAGER, case_id="case-2", child_ref="child-nw-0002", legal_status="V3",
      entered_care_on="2024-02-01", occurred_on="2024-02-01")
    t("assign_iro", MANAGER, case_id="case-2", officer_id="iro-ada",
      reason="first_allocation", occurred_on="2024-02-02")
    t("record_short_breaks", MANAGER, case_id="case-2", short_breaks=True,
      occurred_on="2024-02-02")
    t("require_review", IRO_ADA, case_id="case-2", officer_id="iro-ada",
      reason="The short breaks have stopped", hold_by="2024-03-15", occurred_on="2024-03-01")
    # The second child's family asks for their text to be erased.
    t("erase_case", ADMIN, case_id="case-2", reason="Erasure request SAR-0001",
      occurred_on="2024-06-01")
    # An import's data-quality findings, on the other authority's record.
    t("record_data_quality", ADMIN, la_code=OTHER_LA, dataset="ssda903",
      counts={"no_case": 1}, rows=["no_case reviews.csv:3"], occurred_on="2024-06-02")
    # ...and the period that import's return covers.
    t("record_source_period", ADMIN, la_code=OTHER_LA, dataset="ssda903",
      begins_on="2023-04-01", ends_on="2024-03-31", occurred_on="2024-06-02")
    # A mistaken record corrected; the case closed last.
    t("correct_record", MANAGER, kind="case", record_id="case-1", corrects_event=1,
      reason="Legal status was C1", details={"legal_status": "C1"}, occurred_on="2024-05-02")
    t("close_case", MANAGER, case_id="case-1", reason="Returned home", occurred_on="2024-06-01")
    # Southmere's child asks for their free text to be erased.
    t("erase_case", ADMIN, la_code="SMR", case_id="case-9", reason="request SAR-0009",
      occurred_on="2024-06-02")


def test_every_command_of_the_language_is_recorded_through_its_endpoint(
        database_url: str) -> None:
    with running_api(database_url) as api:
        story = Story(api)
        story.told |= {"register_authority", "register_officer", "open_case", "assign_iro"}
        seed(api)
        tell_the_story(story)

        assert story.told == set(COMMANDS)
        challenge = api.read(f"/authorities/{LA}/challenges/ch-1", MANAGER).json()
        assert [e["type"] for e in challenge["events"]] == [
            "Raised", "Escalated", "Responded", "Escalated", "ReferredToCafcass",
            "CafcassOutcomeRecorded", "ArbitrationRequested", "Resolved", "LegalStepRecorded"]
        assert challenge["state"]["stage"] == "stage_3"
        assert challenge["state"]["arbitration_body"] == PANEL


def test_each_kind_of_record_reads_back_with_its_provenance(database_url: str) -> None:
    with running_api(database_url) as api:
        seed(api)
        tell_the_story(Story(api))

        for path, events in (("", 1), ("/officers/iro-ada", 2), ("/cases/case-1", 9),
                             ("/challenges/ch-2", 2), ("/instructions/ins-1", 2),
                             ("/reports/rep-2024", 4)):
            response = api.read(f"/authorities/{LA}{path}", MANAGER)
            assert response.status_code == 200, response.text
            record = response.json()
            assert (record["la_code"], record["version"], len(record["events"])) == (
                LA, events, events)
            assert [e["number"] for e in record["events"]] == list(range(1, events + 1))
        instruction = api.read(f"/authorities/{LA}/instructions/ins-1", MANAGER).json()
        recorded = instruction["events"][0]
        assert (recorded["recorded_by"], recorded["actor"], recorded["source"],
                recorded["occurred_on"]) == ("iro-ada", "dir-lee", "api", "2024-03-02")


def test_an_accepted_command_answers_with_the_events_it_added(database_url: str) -> None:
    with running_api(database_url) as api:
        seed(api)
        before = api.events()

        first = api.ok("make_recommendation", IRO_ADA, case_id="case-1",
                       recommendation_id="rec-9", text="Review contact", due_on="2024-07-01")
        second = api.ok("hold_review", IRO_ADA, case_id="case-1", chaired_by="iro-ada",
                        child_participation="views_conveyed", child_seen_before=False)

        assert first["kind"] == "case" and first["id"] == "case-1" and first["la_code"] == LA
        assert second["event_numbers"] == [first["event_numbers"][-1] + 1]
        assert api.events() == before + 2
        assert second["position"] > first["position"] >= 1


def test_health_needs_no_token_and_ready_reports_the_store_position(database_url: str) -> None:
    with running_api(database_url) as api:
        assert api.client.get("/health").json() == {"status": "ok"}
        assert api.client.get("/ready").json() == {"status": "ready", "position": 0}
        position = api.ok("register_authority", ADMIN, name="Northwold (fictional)")["position"]

        assert api.client.get("/ready").json() == {"status": "ready", "position": position}
