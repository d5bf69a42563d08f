"""Recording in the browser: an IRO's and a manager's forms over the demo history, sent as a
browser sends them (CSRF token included), through the same ledger as the API; refusals are an
error summary with nothing recorded. The demo's authorities and people are fictional."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from iro_ledger.api.app import create_app
from iro_ledger.application import Principal, Role
from iro_ledger.application.ingest import ingest, numbered
from iro_ledger.cli import app as cli
from iro_ledger.generator import demo
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from iro_ledger.settings import Settings
from iro_ledger.trust.keys import ensure_signing_key
from iro_ledger.wiring import Services
from tests.e2e import BROWSER_URL, sign_in

SECRET = "web-recording-secret-long-enough-for-hs256-012345"
POLICY = TokenPolicy(SECRET)
LA = "EMR"
IRO = "iro.marsh"
CASE = "EMR-C12"
"""A case the demo's IRO iro.marsh holds."""


class Browser:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    @property
    def services(self) -> Services:
        services: Services = self.client.app.state.services  # type: ignore[attr-defined]
        return services

    def as_(self, sub: str, role: str, la: str | None = LA) -> Browser:
        sign_in(self.client, mint_token(POLICY, sub, role, la_code=la))
        return self

    def form(self, slug: str, **query: str) -> httpx.Response:
        return self.client.get(f"/ui/record/{slug}", params=query)

    def send(self, slug: str, answers: dict[str, str], page: httpx.Response | None = None,
             csrf: str | None = None) -> httpx.Response:
        """Fill in the form as drawn (its hidden fields and defaults) with `answers`, send it."""
        drawn = (page or self.form(slug)).text
        filled = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', drawn))
        filled = {k: v for k, v in filled.items() if not re.search(
            rf'type="radio"[^>]*name="{re.escape(k)}"', drawn)}
        filled.update(answers)
        if csrf is not None:
            filled["csrf"] = csrf
        return self.client.post(f"/ui/record/{slug}", data=filled, follow_redirects=False)

    def answer(self, page: httpx.Response, answers: dict[str, str]) -> httpx.Response:
        """Answer the question a journey's page asks, or on its check page, Record it."""
        filled = {**drawn_answers(page.text), **answers}
        return self.client.post(action_of(page.text), data=filled, follow_redirects=False)

    def follow(self, sent: httpx.Response) -> httpx.Response:
        """The page a journey's answer leads to (a GET: the browser's Back returns to it)."""
        assert sent.status_code == 303, sent.text[:500]
        return self.client.get(sent.headers["location"])

    def back(self, page: httpx.Response) -> httpx.Response:
        """Follow a journey page's Back link."""
        found = re.search(r'<a href="([^"]+)" class="govuk-back-link">', page.text)
        assert found, "a journey's page has a Back link"
        return self.client.get(html.unescape(found.group(1)))

    def change(self, check: httpx.Response, name: str) -> httpx.Response:
        """Follow the check page's Change link for one answer."""
        found = re.search(rf'id="change-{name}" href="([^"]+)"', check.text)
        assert found, f"no Change link for {name}"
        return self.client.get(html.unescape(found.group(1)))

    def journey(self, slug: str, answers: dict[str, str], **query: str) -> httpx.Response:
        """Open a journey and answer each question from `answers` (or leave it as drawn) up to
        the page to check the answers on."""
        page = self.form(slug, **query)
        for _ in range(20):
            assert page.status_code == 200, page.text
            if step_of(page.text) == "check":
                return page
            page = self.follow(self.answer(page, {k: v for k, v in answers.items()
                                                  if k.split("-")[0] == step_of(page.text)}))
        raise AssertionError("the journey never reached its check page")

    def events(self) -> int:
        return self.services.ledger.count_events()


def journey_form(page: str) -> str:
    found = re.search(r'<form method="post" action="[^"]+" id="(?:question|answers)".*?</form>',
                      page, re.S)
    assert found, "a journey's page has its form"
    return found.group(0)


def drawn_answers(page: str) -> dict[str, str]:
    """What a journey's page posts as drawn: its CSRF token and its question's answer."""
    form = journey_form(page)
    found = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
    checked = re.findall(r'<input[^>]*name="([^"]+)" type="radio" value="([^"]*)" checked',
                         form)
    drawn = {k: v for k, v in found.items() if not re.search(
        rf'name="{re.escape(k)}" type="radio"', form)} | dict(checked)
    return {k: html.unescape(v) for k, v in drawn.items()}


def action_of(page: str) -> str:
    found = re.search(r'<form method="post" action="([^"]+)"', journey_form(page))
    assert found
    return html.unescape(found.group(1))


def step_of(page: str) -> str:
    """The question a journey's page asks (`check` for the check page), from its form."""
    return action_of(page).split("?")[0].rsplit("/", 1)[1]


def answers_shown(check: httpx.Response) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in re.findall(
        r'data-answer="([^"]+)">.*?class="govuk-summary-list__value app-answer">([^<]*)<',
        check.text, re.S)}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    where: Path = tmp_path_factory.mktemp("store")
    key = where / "checkpoint.pem"
    ensure_signing_key(key)
    app = create_app(Settings(database_url=f"sqlite:///{where / 'ledger.sqlite'}",
                              jwt_secret=SECRET, signing_key_path=key))
    with TestClient(app, base_url=BROWSER_URL) as client:
        board = Browser(client)
        summary = ingest(board.services.ledger, numbered(demo.demo_commands()),
                         Principal(sub="test:seed", role=Role.ADMIN), atomic=True)
        assert not summary.rejected
        yield board


def a_decision(browser: Browser) -> str:
    """A manager records a decision on the case through the form; its id."""
    browser.as_("mgr-costa", "la_manager")
    page = browser.form("decision", case_id=CASE)
    decision = re.search(r'name="decision_id"[^>]*value="([^"]+)"', page.text)
    assert decision
    sent = browser.send("decision", {"kind": "placement", "summary": "A move out of area.",
                                     "iro_consulted": "no"}, page)
    assert sent.status_code == 303, sent.text
    return decision.group(1)


def test_an_iro_is_offered_their_own_acts_and_a_manager_the_authoritys_answers(
        browser: Browser) -> None:
    iro = browser.as_(IRO, "iro").client.get("/ui/record").text
    manager = browser.as_("mgr-costa", "la_manager").client.get("/ui/record").text

    assert "Raise a challenge" in iro and "Record a concern" in iro
    assert "Respond to a challenge" not in iro
    assert "Respond to a challenge" in manager and "Raise a challenge" not in manager


def test_an_iro_raises_a_challenge_one_question_a_page_and_downloads_its_receipt(
        browser: Browser, tmp_path: Path) -> None:
    decision = a_decision(browser)
    browser.as_(IRO, "iro")
    first = browser.form("raise-challenge", case_id=CASE)
    assert step_of(first.text) == "about", "the case page named the case: not asked again"
    assert 'name="officer_id"' not in first.text, "an IRO is never asked who they are"

    check = browser.journey("raise-challenge", {
        "about": decision, "grounds": "The move ignores the child's wishes."}, case_id=CASE)

    assert "Check your answers before recording" in check.text
    answers = answers_shown(check)
    assert answers["case_id"] == CASE
    assert answers["grounds"] == "The move ignores the child's wishes."
    assert answers["about"].startswith(f"Decision {decision} of")
    assert answers["challenge_id"].startswith("ch-")
    sent = browser.answer(check, {})
    assert sent.status_code == 303, sent.text
    confirmation = browser.client.get(sent.headers["location"])
    assert "Challenge raised" in confirmation.text and "Download receipt" in confirmation.text
    link = re.search(r'href="([^"]+/receipts\.json)"', confirmation.text)
    assert link
    receipt = browser.client.get(link.group(1))
    assert receipt.headers["content-disposition"].startswith("attachment")
    document = receipt.json()
    assert document["record"]["kind"] == "challenge"
    [event] = [r["event"]["fields"] for r in document["receipts"]]
    assert event["recorded_by"] == IRO and event["source"] == "web"
    (tmp_path / "receipt.json").write_bytes(receipt.content)
    (tmp_path / "key.pem").write_text(browser.client.get("/proof/public-key").text)
    checked = CliRunner().invoke(cli, ["verify-receipt", str(tmp_path / "receipt.json"),
                                       "--public-key", str(tmp_path / "key.pem")])
    assert checked.exit_code == 0, checked.output


def test_a_question_left_unanswered_is_asked_again_and_the_other_answers_kept(
        browser: Browser) -> None:
    decision = a_decision(browser)
    browser.as_(IRO, "iro")
    about = browser.form("raise-challenge", case_id=CASE)
    grounds = browser.follow(browser.answer(about, {"about": decision}))
    assert step_of(grounds.text) == "grounds"
    before = browser.events()

    again = browser.answer(grounds, {"grounds": "  "})

    assert again.status_code == 422
    assert "There is a problem" in again.text and 'href="#grounds"' in again.text
    assert 'id="grounds-error"' in again.text
    assert "Enter your grounds for the challenge" in again.text
    assert drawn_answers(browser.back(again).text)["about"] == decision
    assert browser.events() == before


def test_an_answer_changed_from_the_check_page_leads_back_to_it(browser: Browser) -> None:
    decision = a_decision(browser)
    browser.as_(IRO, "iro")
    check = browser.journey("raise-challenge", {"about": decision, "grounds": "First."},
                            case_id=CASE)

    question = browser.change(check, "grounds")
    assert step_of(question.text) == "grounds" and "First." in question.text
    back = browser.follow(browser.answer(question, {"grounds": "Second thoughts."}))

    assert step_of(back.text) == "check"
    assert "Second thoughts." in back.text and "First." not in back.text


def test_back_from_an_answer_being_changed_returns_to_the_check_page(
        browser: Browser) -> None:
    decision = a_decision(browser)
    browser.as_(IRO, "iro")
    check = browser.journey("raise-challenge", {"about": decision, "grounds": "Grounds."},
                            case_id=CASE)
    reference = browser.change(check, "challenge_id")

    back = browser.back(reference)

    assert step_of(reference.text) == "challenge_id"
    assert step_of(back.text) == "check"
    assert answers_shown(back) == answers_shown(check)


def test_back_goes_to_the_question_before_with_its_answer(browser: Browser) -> None:
    decision = a_decision(browser)
    browser.as_(IRO, "iro")
    about = browser.form("raise-challenge", case_id=CASE)
    grounds = browser.follow(browser.answer(about, {"about": decision}))

    back = browser.back(grounds)

    assert step_of(back.text) == "about"
    assert drawn_answers(back.text)["about"] == decision


def test_a_day_in_the_future_sends_the_iro_back_to_the_date_question(
        browser: Browser) -> None:
    decision = a_decision(browser)
    browser.as_(IRO, "iro")
    before = browser.events()
    check = browser.journey("raise-challenge", {"about": decision, "grounds": "Grounds.",
                                                "occurred_on-year": "2999"}, case_id=CASE)

    sent = browser.answer(check, {})

    assert sent.status_code == 422 and step_of(sent.text) == "occurred_on"
    assert 'id="occurred_on-error"' in sent.text and 'href="#occurred_on-day"' in sent.text
    assert action_of(sent.text).endswith("?change=1"), "corrected, it returns to the check page"
    assert browser.events() == before


def test_a_case_not_recorded_is_refused_at_its_question(browser: Browser) -> None:
    browser.as_(IRO, "iro")
    case = browser.form("raise-challenge")
    assert step_of(case.text) == "case_id"

    sent = browser.answer(case, {"case_id": "EMR-C999"})

    assert sent.status_code == 422 and step_of(sent.text) == "case_id"
    assert "No case EMR-C999 is recorded in EMR" in sent.text
    assert 'href="#case_id"' in sent.text


def test_a_refusal_by_the_records_rules_is_shown_on_the_check_page(browser: Browser) -> None:
    decision = a_decision(browser)
    browser.as_(IRO, "iro")
    check = browser.journey("raise-challenge", {"about": decision, "grounds": "Grounds."},
                            case_id=CASE)
    taken = answers_shown(check)["challenge_id"]
    browser.answer(check, {})
    before = browser.events()

    again = browser.journey("raise-challenge", {"about": decision, "grounds": "Again."},
                            case_id=CASE)
    reference = browser.change(again, "challenge_id")
    checked = browser.follow(browser.answer(reference, {"challenge_id": taken}))
    sent = browser.answer(checked, {})

    assert sent.status_code == 409 and step_of(sent.text) == "check", sent.text[:300]
    assert "There is a problem" in sent.text and 'href="#change-case_id"' in sent.text
    assert browser.events() == before


def test_a_journeys_check_page_sent_twice_records_once(browser: Browser) -> None:
    decision = a_decision(browser)
    browser.as_(IRO, "iro")
    check = browser.journey("raise-challenge", {"about": decision, "grounds": "Grounds."},
                            case_id=CASE)
    first = browser.answer(check, {})
    before = browser.events()

    again = browser.answer(check, {})

    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert browser.events() == before


def test_a_journeys_page_without_the_sessions_csrf_token_is_refused(browser: Browser) -> None:
    browser.as_(IRO, "iro")
    about = browser.form("raise-challenge", case_id=CASE)

    sent = browser.answer(about, {"about": "dec-x", "csrf": "forged"})

    assert sent.status_code == 403


def test_a_journeys_answers_are_kept_sealed_and_the_browsers_back_returns_to_them(
        browser: Browser) -> None:
    decision = a_decision(browser)
    browser.as_(IRO, "iro")
    about = browser.form("raise-challenge", case_id=CASE)
    grounds = browser.follow(browser.answer(about, {"about": decision}))
    browser.answer(grounds, {"grounds": "A grounds sentence to find."})

    again = browser.client.get(action_of(grounds.text))  # the browser's Back: a GET

    assert "A grounds sentence to find." in again.text
    with browser.services.projections.db.reading() as tx:
        stored = [str(r["sealed"]) for r in tx.query("SELECT sealed FROM identity_drafts")]
    assert stored and not any("grounds sentence" in s or CASE in s for s in stored)


def test_a_journey_cannot_be_sent_as_one_page(browser: Browser) -> None:
    browser.as_(IRO, "iro")
    about = browser.form("raise-challenge", case_id=CASE)

    sent = browser.client.post("/ui/record/raise-challenge", data={
        **drawn_answers(about.text), "about": "care_plan", "grounds": "All at once."},
        follow_redirects=False)

    assert sent.status_code == 422


def test_a_step_the_journey_does_not_have_is_refused(browser: Browser) -> None:
    browser.as_(IRO, "iro")
    about = browser.form("raise-challenge", case_id=CASE)

    sent = browser.client.post("/ui/record/raise-challenge/password",
                               data=drawn_answers(about.text), follow_redirects=False)

    assert sent.status_code == 404 and "is not a question of this form" in sent.text


# A manager's answers: every question on one page


MANAGER = "mgr-costa"


def test_sending_a_form_twice_records_it_once(browser: Browser) -> None:
    browser.as_(MANAGER, "la_manager")
    page = browser.form("decision", case_id=CASE)
    answers = {"kind": "contact", "summary": "Weekly contact with a grandparent."}
    first = browser.send("decision", answers, page)
    before = browser.events()

    again = browser.send("decision", answers, page)

    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert browser.events() == before


def test_a_form_left_incomplete_shows_an_error_summary_and_records_nothing(
        browser: Browser) -> None:
    browser.as_(MANAGER, "la_manager")
    before = browser.events()

    sent = browser.send("decision", {"case_id": CASE, "kind": "", "occurred_on-year": ""})

    assert sent.status_code == 422
    assert "There is a problem" in sent.text and "Nothing has been recorded" in sent.text
    assert 'href="#kind"' in sent.text and 'href="#occurred_on-day"' in sent.text
    assert "Enter the kind of decision" in sent.text
    assert "must include a year" in sent.text
    assert browser.events() == before


def test_a_refusal_by_the_records_rules_is_shown_and_records_nothing(browser: Browser) -> None:
    browser.as_(MANAGER, "la_manager")
    before = browser.events()

    sent = browser.send("respond", {"challenge_id": "no-such-challenge",
                                    "response": "We disagree."})

    assert sent.status_code == 404
    assert "There is a problem" in sent.text and "no-such-challenge" in sent.text
    assert browser.events() == before


def test_a_date_in_the_future_is_refused_at_its_field(browser: Browser) -> None:
    browser.as_(MANAGER, "la_manager")

    sent = browser.send("decision", {"case_id": CASE, "kind": "contact",
                                     "occurred_on-year": "2999"})

    assert sent.status_code == 422
    assert 'id="occurred_on-error"' in sent.text


def test_a_form_without_the_sessions_csrf_token_is_refused(browser: Browser) -> None:
    browser.as_(MANAGER, "la_manager")
    before = browser.events()

    sent = browser.send("decision", {"case_id": CASE, "kind": "contact"}, csrf="forged")

    assert sent.status_code == 403
    assert browser.events() == before


# An IRO's own acts: one question a page


def recorded_ref(sent: httpx.Response) -> str:
    assert sent.status_code == 303, sent.text
    return sent.headers["location"].split("?")[0].rsplit("/", 1)[1]


def test_an_instruction_an_iro_received_names_them(browser: Browser) -> None:
    browser.as_(IRO, "iro")
    check = browser.journey("instruction", {"kind": "do_not_escalate", "actor": "tm.costa",
                                            "text": "Do not take this further."})

    ref = recorded_ref(browser.answer(check, {}))

    view: dict[str, Any] = json.loads(json.dumps(browser.services.ledger.read(
        "instruction", LA, ref, Principal(sub="t", role=Role.ADMIN)).state, default=str))
    assert IRO in view["issued_to"]


@pytest.mark.parametrize(("slug", "answers", "question"), [
    ("concern", {"summary": "Reviews are moved without asking me.", "raised_in": "email"},
     "What is your concern?"),
    ("threat", {"stage": "threatened", "stated_reason": "Tone of e-mails."},
     "What happened?"),
    ("recommendation", {"case_id": CASE, "text": "A life-story book.", "due_on-day": "1",
                        "due_on-month": "1", "due_on-year": "2030"},
     "Which case is it about?"),
])
def test_an_iros_acts_are_asked_one_question_a_page_and_checked_before_recording(
        browser: Browser, slug: str, answers: dict[str, str], question: str) -> None:
    browser.as_(IRO, "iro")
    first = browser.form(slug)
    assert f">{question}<" in first.text

    check = browser.journey(slug, answers)

    assert "Check your answers before recording" in check.text
    assert recorded_ref(browser.answer(check, {}))


def test_an_iro_escalates_then_withdraws_their_challenge_from_its_case_page_links(
        browser: Browser) -> None:
    decision = a_decision(browser)
    browser.as_(IRO, "iro")
    raised = recorded_ref(browser.answer(browser.journey(
        "raise-challenge", {"about": decision, "grounds": "Grounds."}, case_id=CASE), {}))

    escalate = browser.form("escalate-challenge", challenge_id=raised)
    assert step_of(escalate.text) == "to_stage", "the link named the challenge"
    escalated = browser.journey("escalate-challenge", {
        "to_stage": "stage_1", "addressed_to": "tm.costa"}, challenge_id=raised)
    assert recorded_ref(browser.answer(escalated, {})) == raised
    withdrawn = browser.journey("withdraw-challenge", {"reason": "Told to."},
                                challenge_id=raised)

    assert recorded_ref(browser.answer(withdrawn, {})) == raised


def test_an_iro_may_not_record_a_managers_answer(browser: Browser) -> None:
    response = browser.as_(IRO, "iro").form("respond")

    assert response.status_code == 403


def test_a_case_page_offers_its_iro_the_acts_they_record_and_an_inspector_none(
        browser: Browser) -> None:
    case_page = f"/ui/authorities/{LA}/cases/{CASE}"
    iro = browser.as_(IRO, "iro").client.get(case_page).text
    inspector = browser.as_("insp-wren", "inspector", la=None).client.get(case_page).text

    assert f'href="/ui/record/raise-challenge?case_id={CASE}"' in iro
    assert "/ui/record/decision" not in iro
    assert "/ui/record/" not in inspector


def test_a_challenge_is_chosen_from_the_cases_decisions_and_recommendations(
        browser: Browser) -> None:
    decision = a_decision(browser)
    browser.as_(IRO, "iro")

    page = browser.form("raise-challenge", case_id=CASE).text

    assert re.search(rf'type="radio" value="{re.escape(decision)}"', page)
    assert f"Decision {decision} of" in page


def test_an_iro_manager_raising_a_challenge_is_first_asked_for_which_iro(
        browser: Browser) -> None:
    decision = a_decision(browser)
    browser.as_("iro-mgr.lund", "iro_manager")
    first = browser.form("raise-challenge", case_id=CASE)
    assert step_of(first.text) == "officer_id" and ">Which IRO is it for?<" in first.text

    check = browser.journey("raise-challenge", {"officer_id": IRO, "about": decision,
                                                "grounds": "Raised for the IRO."},
                            case_id=CASE)
    ref = recorded_ref(browser.answer(check, {}))

    view = browser.services.ledger.read("challenge", LA, ref,
                                        Principal(sub="t", role=Role.ADMIN))
    [raised] = view.events
    assert raised["officer_id"] == IRO and raised["recorded_by"] == "iro-mgr.lund"


def test_a_challenge_may_be_about_the_care_plan_rather_than_one_record(
        browser: Browser) -> None:
    browser.as_(IRO, "iro")
    about = browser.form("raise-challenge", case_id=CASE).text
    assert re.search(r'type="radio" value="care_plan"', about)
    assert "The closing of the case" in about and "Something else" in about

    check = browser.journey("raise-challenge", {"about": "care_plan",
                                                "grounds": "The plan has no contact."},
                            case_id=CASE)

    assert "The care plan" in check.text
    assert recorded_ref(browser.answer(check, {}))
