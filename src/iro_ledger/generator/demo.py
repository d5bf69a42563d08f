"""The demo history: two fictional authorities over two years, as commands of the domain language.

The Borough of Eastmere shows the independence patterns DESIGN.md catalogues: a standing
permission-before-challenge rule, a challenge withdrawn days after a do-not-escalate instruction,
a case reallocated mid-dispute, disciplinary threats after challenges, a freelance IRO's
contract ended after his challenges, a director editing the IRO annual report (the submitted
hash differs from the IRO manager's draft) and her post deleted afterwards, a placement move
without review, an overdue review and a child who changed IRO three times. Saltmarsh Vale is a
healthier comparison. Every name is invented; `child_ref`s are pseudonyms.

Dates count from a fixed anchor in the past and every command has a stable `command_id`, so
seeding twice stores nothing new.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

ANCHOR = date(2026, 9, 30)
"""The story's last day; it begins two years earlier."""
START = ANCHOR - timedelta(days=730)
SEEDER_SUB = "demo:seed"
"""The principal that records the demo (command ids are scoped to their recorder)."""

DEMO_PRINCIPALS: dict[str, tuple[str, str, str | None]] = {
    "admin": ("demo-admin", "admin", None),
    "IRO iro.marsh (Borough of Eastmere)": ("iro.marsh", "iro", "EMR"),
    "inspector": ("demo-inspector", "inspector", None),
}
"""Label -> (sub, role, la_code) of the tokens the demo prints."""

_REVIEW_GAPS = (14, 70, 175, 175, 175)
"""First review within 20 working days, the second 3 months on, then every 6 months."""
_PARTICIPATION = ("attended", "views_conveyed", "attended", "did_not_participate")
_OUTCOMES = ("completed", "completed", "declined", "lapsed")
_PLAN_CHANGES = ("contact", "education", "health", "permanence")
_DECISIONS = (
    "Placement with in-house foster carers.",
    "Out-of-area residential placement.",
    "Reduce family time to monthly.",
    "Move to semi-independent accommodation at 16.",
)


@dataclass
class _Story:
    """One authority's commands with their day (0 = START), sorted at the end."""

    la: str
    tm: str
    sm: str
    sw: str
    lines: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def on(self, day: int) -> str:
        return (START + timedelta(days=day)).isoformat()

    def add(self, day: int, command: str, **fields: Any) -> None:
        assert 0 <= day <= 730, f"{command} on day {day} is outside the story"
        self.lines.append((day, {"command": command, "la_code": self.la,
                                 "occurred_on": self.on(day), **fields}))

    def case(self, no: int, opened: int, iros: list[tuple[int, str, str]], *,
             reviews_until: int = 730, closed: tuple[int, str] | None = None) -> None:
        """A child's case: allocations, reviews on time, recommendations and a plan change."""
        case_id, end = f"{self.la}-C{no:02d}", min(reviews_until, closed[0] if closed else 730)
        self.add(opened, "open_case", case_id=case_id, child_ref=f"child-{self.la}-{no:02d}",
                 legal_status="C2", entered_care_on=self.on(opened), actor=self.tm)
        for day, iro, reason in iros:
            self.add(day, "assign_iro", case_id=case_id, officer_id=iro, reason=reason,
                     actor=self.tm)
        self.add(opened + 7, "record_decision", case_id=case_id, decision_id="dec-1",
                 kind="placement", summary=_DECISIONS[no % 4], actor=self.sm)
        day = opened
        for k, gap in enumerate(_REVIEW_GAPS):
            day += gap
            if day > end:
                break
            chair = [iro for start, iro, _ in iros if start <= day][-1]
            self.add(day, "hold_review", case_id=case_id, chaired_by=chair, actor=chair,
                     child_participation=_PARTICIPATION[(no + k) % 4], child_seen_before=True)
            if k < 3 and day + 35 <= end:
                rec = f"rec-{k + 1}"
                self.add(day, "make_recommendation", case_id=case_id, recommendation_id=rec,
                         text="Arrange a life-story worker." if k else "Restore sibling contact.",
                         due_on=self.on(day + 42), actor=chair)
                self.add(day + 35, "record_recommendation_outcome", case_id=case_id,
                         recommendation_id=rec, outcome=_OUTCOMES[(no + k) % 4], actor=self.tm)
            if k == 1:
                self.add(day + 1, "revise_care_plan", case_id=case_id, via_review=True,
                         iro_consulted=True, change=_PLAN_CHANGES[no % 4], actor=self.sw,
                         summary="Agreed at the review.")
        if closed:
            self.add(closed[0], "close_case", case_id=case_id, reason=closed[1], actor=self.tm)

    def officers(self, name: str, table: str) -> None:
        """Register the authority, then its people from `id role employment day | ...`."""
        self.add(0, "register_authority", name=name)
        for entry in table.replace("|", "\n").split("\n"):
            if entry.strip():
                officer_id, role, employment, day = entry.split()
                self.add(int(day), "register_officer", officer_id=officer_id, role=role,
                         employment=employment)


def _eastmere() -> _Story:
    s = _Story("EMR", tm="tm.costa", sm="sm.adeyemi", sw="sw.kerr")
    s.officers("Borough of Eastmere", """
        dir.halloran director employed 1 | hos.pryce head_of_service employed 1
        sm.adeyemi service_manager employed 1 | tm.costa team_manager employed 1
        tm.lindqvist team_manager employed 1 | sw.kerr social_worker employed 1
        irom.baptiste iro_manager employed 1 | iro.marsh iro employed 1
        iro.quayle iro employed 1 | iro.nakamura iro employed 1
        iro.devlin iro freelance 1 | iro.farrant iro agency 440""")
    first = "first_allocation"
    s.case(1, 5, [(5, "iro.marsh", first)])
    s.case(2, 12, [(12, "iro.quayle", first)])
    s.case(3, 20, [(20, "iro.marsh", first), (275, "iro.nakamura", "after_dispute")])
    s.case(4, 33, [(33, "iro.nakamura", first)])
    s.case(5, 60, [(60, "iro.quayle", first)])
    s.case(6, 90, [(90, "iro.nakamura", first)], closed=(400, "Returned home."))
    s.case(7, 120, [(120, "iro.devlin", first), (456, "iro.farrant", "officer_left"),
                    (600, "iro.quayle", "workload")])
    s.case(8, 150, [(150, "iro.devlin", first), (456, "iro.quayle", "officer_left")])
    s.case(9, 200, [(200, "iro.marsh", first)])
    s.case(10, 240, [(240, "iro.nakamura", first)])
    s.case(11, 300, [(300, "iro.quayle", first)])
    s.case(12, 380, [(380, "iro.marsh", first)], reviews_until=420)  # the review is overdue
    s.case(13, 500, [(500, "iro.nakamura", first)])

    # An informal challenge, answered and upheld: the protocol working.
    s.add(100, "raise_challenge", challenge_id="EMR-CH01", case_id="EMR-C01",
          officer_id="iro.marsh", about="rec-1", grounds="Sibling contact has not restarted.")
    s.add(108, "respond_to_challenge", challenge_id="EMR-CH01", actor="tm.costa",
          response="Contact will restart this month.")
    s.add(112, "resolve_challenge", challenge_id="EMR-CH01", outcome="upheld", actor="tm.costa")
    # A standing rule that IROs ask permission before challenging (never rescinded).
    s.add(200, "record_instruction", instruction_id="EMR-INS01", actor="hos.pryce",
          issued_to=["all_iros"], kind="permission_before_challenge",
          text="All challenges must be agreed with me before they are raised.")
    # A dispute on C03: escalated twice, then the case is taken from the IRO mid-dispute,
    # and the IRO is threatened, then disciplined, by the same manager.
    s.add(250, "raise_challenge", challenge_id="EMR-CH02", case_id="EMR-C03",
          officer_id="iro.marsh", about="dec-1",
          grounds="The out-of-area move separates the child from school and siblings.")
    s.add(256, "escalate_challenge", challenge_id="EMR-CH02", to_stage="stage_1",
          addressed_to="tm.costa", actor="iro.marsh")
    s.add(266, "respond_to_challenge", challenge_id="EMR-CH02", actor="tm.costa",
          response="No local placement is available.")
    s.add(270, "escalate_challenge", challenge_id="EMR-CH02", to_stage="stage_2",
          addressed_to="sm.adeyemi", actor="iro.marsh")
    s.add(290, "record_disciplinary_action", officer_id="iro.marsh", stage="threatened",
          actor="hos.pryce", stated_reason="Tone of e-mails to senior managers.")
    s.add(340, "record_disciplinary_action", officer_id="iro.marsh", stage="started",
          actor="hos.pryce", stated_reason="Challenging without permission.")
    # A challenge withdrawn four days after an instruction not to escalate it.
    s.add(300, "raise_challenge", challenge_id="EMR-CH03", case_id="EMR-C05",
          officer_id="iro.quayle", about="dec-1", grounds="Family time cut without assessment.")
    s.add(305, "escalate_challenge", challenge_id="EMR-CH03", to_stage="stage_1",
          addressed_to="tm.lindqvist", actor="iro.quayle")
    s.add(310, "record_instruction", instruction_id="EMR-INS02", actor="sm.adeyemi",
          issued_to=["iro.quayle"], kind="do_not_escalate",
          text="The C05 decision is made; do not take it further.")
    s.add(314, "withdraw_challenge", challenge_id="EMR-CH03", actor="iro.quayle",
          reason="Told by the service manager not to pursue it.")
    # A freelance IRO challenges twice, goes to Cafcass, and his contract is ended.
    s.add(400, "raise_challenge", challenge_id="EMR-CH04", case_id="EMR-C07",
          officer_id="iro.devlin", about="dec-1", grounds="Residential care against the plan.")
    s.add(405, "escalate_challenge", challenge_id="EMR-CH04", to_stage="stage_2",
          addressed_to="sm.adeyemi", actor="iro.devlin")
    s.add(420, "raise_challenge", challenge_id="EMR-CH05", case_id="EMR-C08",
          officer_id="iro.devlin", about="care_plan", grounds="No permanence plan after a year.")
    s.add(425, "escalate_challenge", challenge_id="EMR-CH04", to_stage="director",
          addressed_to="dir.halloran", actor="iro.devlin")
    s.add(430, "respond_to_challenge", challenge_id="EMR-CH05", actor="tm.costa",
          response="A permanence meeting will be booked.")
    s.add(440, "refer_to_cafcass", challenge_id="EMR-CH04", actor="iro.devlin")
    s.add(455, "end_engagement", officer_id="iro.devlin", how="contract_terminated",
          actor="hos.pryce", reason="Service restructure.")
    s.add(470, "record_cafcass_outcome", challenge_id="EMR-CH04", actor="irom.baptiste",
          outcome="resolved_by_authority", summary="The placement is to be reviewed.")
    # Requesting arbitration is the raiser's own act: done before the contract ends.
    s.add(450, "request_arbitration", challenge_id="EMR-CH05", body="NAIRO",
          actor="iro.devlin")
    # A placement move with no review and no IRO consulted.
    s.add(480, "revise_care_plan", case_id="EMR-C10", change="placement_move", via_review=False,
          iro_consulted=False, actor="sm.adeyemi", summary="Emergency move agreed at panel.")
    # The annual report: edited by the director, submitted unlike the draft, post deleted.
    draft, edited = _sha("EMR report 2025, draft"), _sha("EMR report 2025, director's edit")
    s.add(560, "draft_annual_report", report_id="EMR-AR-2025", year=2025, author="irom.baptiste",
          content_sha256=draft, actor="irom.baptiste")
    s.add(570, "request_report_edit", report_id="EMR-AR-2025", actor="dir.halloran",
          sections=["Challenges to senior managers", "Instructions to IROs"])
    s.add(576, "revise_annual_report", report_id="EMR-AR-2025", content_sha256=edited,
          actor="dir.halloran")
    s.add(590, "submit_annual_report", report_id="EMR-AR-2025", to="ofsted",
          content_sha256=edited, actor="dir.halloran")
    s.add(650, "end_engagement", officer_id="irom.baptiste", how="post_deleted",
          actor="dir.halloran", reason="Restructure of the safeguarding unit.")
    return s


def _saltmarsh() -> _Story:
    s = _Story("SMV", tm="tm.royce", sm="hos.amari", sw="sw.hale")
    s.officers("Saltmarsh Vale District Council", """
        dir.whitlock director employed 1 | hos.amari head_of_service employed 1
        tm.royce team_manager employed 1 | sw.hale social_worker employed 1
        irom.sandhu iro_manager employed 1 | iro.petrov iro employed 1
        iro.ellery iro freelance 1 | iro.moss iro employed 1""")
    first = "first_allocation"
    for no, day, iro in ((1, 15, "iro.petrov"), (2, 40, "iro.ellery"), (3, 70, "iro.moss"),
                         (4, 130, "iro.petrov"), (5, 210, "iro.ellery"), (7, 450, "iro.petrov")):
        s.case(no, day, [(day, iro, first)])
    s.case(6, 330, [(330, "iro.moss", first)], closed=(600, "Adopted."))
    s.add(150, "raise_challenge", challenge_id="SMV-CH01", case_id="SMV-C02",
          officer_id="iro.ellery", about="rec-1", grounds="Contact plan not followed.")
    s.add(160, "respond_to_challenge", challenge_id="SMV-CH01", actor="tm.royce",
          response="Contact restarts next week; transport is arranged.")
    s.add(170, "resolve_challenge", challenge_id="SMV-CH01", outcome="partially_upheld",
          actor="tm.royce")
    s.add(250, "record_instruction", instruction_id="SMV-INS01", actor="hos.amari",
          issued_to=["all_iros"], kind="additional_duties",
          text="IROs to chair child protection conferences during the vacancy.")
    s.add(300, "raise_challenge", challenge_id="SMV-CH02", case_id="SMV-C04",
          officer_id="iro.petrov", about="dec-1", grounds="Family time reduced without review.")
    s.add(306, "escalate_challenge", challenge_id="SMV-CH02", to_stage="stage_1",
          addressed_to="tm.royce", actor="iro.petrov")
    s.add(315, "respond_to_challenge", challenge_id="SMV-CH02", actor="tm.royce",
          response="Agreed: family time restored pending review.")
    s.add(320, "resolve_challenge", challenge_id="SMV-CH02", outcome="upheld", actor="tm.royce")
    s.add(330, "rescind_instruction", instruction_id="SMV-INS01", actor="hos.amari")
    s.add(500, "raise_challenge", challenge_id="SMV-CH03", case_id="SMV-C05",
          officer_id="iro.ellery", about="care_plan", grounds="Leaving-care plan is late.")
    s.add(504, "escalate_challenge", challenge_id="SMV-CH03", to_stage="stage_1",
          addressed_to="tm.royce", actor="iro.ellery")
    s.add(515, "escalate_challenge", challenge_id="SMV-CH03", to_stage="stage_2",
          addressed_to="hos.amari", actor="iro.ellery")
    s.add(530, "respond_to_challenge", challenge_id="SMV-CH03", actor="hos.amari",
          response="The plan is on track; a pathway adviser is allocated.")
    s.add(540, "resolve_challenge", challenge_id="SMV-CH03", outcome="not_upheld",
          actor="hos.amari")
    s.add(545, "refer_to_cafcass", challenge_id="SMV-CH03", actor="iro.ellery")
    s.add(600, "record_cafcass_outcome", challenge_id="SMV-CH03", actor="irom.sandhu",
          outcome="no_further_action", summary="Cafcass took no further action.")
    report = _sha("SMV report 2025")
    s.add(560, "draft_annual_report", report_id="SMV-AR-2025", year=2025, author="irom.sandhu",
          content_sha256=report, actor="irom.sandhu")
    for day, to in ((585, "corporate_parenting_board"), (590, "ofsted")):
        s.add(day, "submit_annual_report", report_id="SMV-AR-2025", to=to,
              content_sha256=report, actor="irom.sandhu")
    return s


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


_ID_FIELDS = ("case_id", "challenge_id", "officer_id", "instruction_id", "report_id",
              "recommendation_id", "to")


def demo_commands() -> list[dict[str, Any]]:
    """The whole demo history in time order, each command with its stable `command_id`."""
    lines = [line for story in (_eastmere(), _saltmarsh()) for line in story.lines]
    lines.sort(key=lambda line: line[0])  # stable: same-day commands keep their causal order
    commands, seen = [], set()
    for _, command in lines:
        ids = (str(command[k]) for k in _ID_FIELDS if k in command)
        key = "/".join(("demo", command["la_code"], command["occurred_on"], command["command"],
                        *ids))
        while key in seen:
            key += "+"
        seen.add(key)
        commands.append({**command, "command_id": key})
    return commands
