"""The dashboard's pages over the demo history: what each shows, who may see it, and that
outsiders' page views are recorded. The demo's authorities and people are fictional."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from iro_ledger.api.app import create_app
from iro_ledger.application import Ledger, Principal, Role
from iro_ledger.application.commands import parse_command
from iro_ledger.application.ingest import ingest, numbered
from iro_ledger.generator import demo
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from iro_ledger.projections.flags import FlagQuery, Flags, read_flags
from iro_ledger.projections.measures import period_of
from iro_ledger.projections.rules.flag import Flag
from iro_ledger.projections.timeline import read_timeline
from iro_ledger.settings import Settings
from iro_ledger.wiring import Services
from tests.e2e import BROWSER_URL, sign_in

SECRET = "web-pages-secret-long-enough-for-hs256-0123456789"
POLICY = TokenPolicy(SECRET)
LATE_DECISION_ON = "2024-10-06"
"""A decision on EMR-C01 recorded after the whole demo but dated the day after the case opened."""


class Dashboard:
    """A browser on the app: signs in as someone, fetches pages."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    @property
    def services(self) -> Services:
        services: Services = self.client.app.state.services  # type: ignore[attr-defined]
        return services

    def page(self, path: str, sub: str, role: str, la: str | None = None,
             body: str | None = None) -> Any:
        sign_in(self.client, mint_token(POLICY, sub, role, la_code=la, body=body))
        return self.client.get(path, follow_redirects=False)

    def as_inspector(self, path: str) -> Any:
        return self.page(path, "insp-wren", "inspector")

    def flags(self, **query: Any) -> list[Flag]:
        model = self.services.projections.models["flags"]
        assert isinstance(model, Flags)
        with self.services.projections.db.reading() as tx:
            return read_flags(tx, model.config, FlagQuery(**query), datetime.now(UTC).date())


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'ledger.sqlite'}"
    app = create_app(Settings(database_url=url, jwt_secret=SECRET))
    with TestClient(app, base_url=BROWSER_URL) as client:
        board = Dashboard(client)
        seed(board.services.ledger)
        yield board


def seed(ledger: Ledger) -> None:
    seeder = Principal(sub="test:seed", role=Role.ADMIN)
    summary = ingest(ledger, numbered(demo.demo_commands()), seeder, atomic=True)
    assert not summary.rejected
    late = parse_command({"command": "record_decision", "la_code": "EMR", "case_id": "EMR-C01",
                          "decision_id": "dec-late", "kind": "contact",
                          "summary": "Recorded late: weekly contact with a grandparent.",
                          "occurred_on": LATE_DECISION_ON, "actor": "sm.adeyemi"})
    ledger.execute(late, seeder, "test")


class _Rows(HTMLParser):
    """The attributes of every element that has the given attribute."""

    def __init__(self, attribute: str) -> None:
        super().__init__()
        self.attribute = attribute
        self.found: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if self.attribute in values:
            self.found.append(values)


def elements_with(page: str, attribute: str) -> list[dict[str, str]]:
    parser = _Rows(attribute)
    parser.feed(page)
    return parser.found


def text(page: str) -> str:
    """The page's text with markup removed and entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# The overview


def test_an_inspector_compares_every_authority_with_its_open_flags(dashboard: Dashboard) -> None:
    response = dashboard.as_inspector("/")

    assert response.status_code == 200
    shown = text(response.text)
    assert "Borough of Eastmere" in shown and "Saltmarsh Vale District Council" in shown
    for la_code in ("EMR", "SMV"):
        open_flags = len(dashboard.flags(la_codes=[la_code], status="open"))
        assert f'href="/ui/flags?la={la_code}">{open_flags}</a>' in response.text


def test_a_manager_sees_only_their_own_authority_on_the_overview(dashboard: Dashboard) -> None:
    response = dashboard.page("/", "mgr-hale", "la_manager", la="SMV")

    assert "Saltmarsh Vale District Council" in response.text
    assert "Eastmere" not in response.text


def test_an_iro_is_offered_their_own_record(dashboard: Dashboard) -> None:
    response = dashboard.page("/", "iro.marsh", "iro", la="EMR")

    assert 'href="/ui/authorities/EMR/officers/iro.marsh"' in response.text


# An authority


def test_an_authority_page_shows_a_years_measures_the_register_and_open_flags(
        dashboard: Dashboard) -> None:
    response = dashboard.as_inspector("/ui/authorities/EMR")

    assert response.status_code == 200
    year = period_of(None, None, datetime.now(UTC).date())
    assert (year.end - year.start).days in (364, 365)
    assert f'name="from" value="{year.start.isoformat()}"' in response.text
    assert f'name="to" value="{year.end.isoformat()}"' in response.text
    measures = [e["id"] for e in elements_with(response.text, "id")
                if e["id"].startswith("measure-")]
    assert "measure-children_in_care" in measures and "measure-review_timeliness" in measures
    shown = text(response.text)
    for challenge_id in ("EMR-CH01", "EMR-CH02", "EMR-CH03", "EMR-CH04", "EMR-CH05"):
        assert challenge_id in shown
    for flag in dashboard.flags(la_codes=["EMR"], status="open"):
        assert f'href="/ui/flags/{flag.id}"' in response.text


def test_the_period_of_the_measures_can_be_chosen(dashboard: Dashboard) -> None:
    response = dashboard.as_inspector("/ui/authorities/EMR?from=2025-01-01&to=2025-03-31")

    assert 'name="from" value="2025-01-01"' in response.text
    assert 'name="to" value="2025-03-31"' in response.text


def test_a_period_that_is_not_a_date_gets_a_page_saying_so(dashboard: Dashboard) -> None:
    response = dashboard.as_inspector("/ui/authorities/EMR?from=last-spring")

    assert response.status_code == 422
    assert "is not a date" in text(response.text)


def test_an_unknown_authority_is_not_found(dashboard: Dashboard) -> None:
    assert dashboard.as_inspector("/ui/authorities/NOWHERE").status_code == 404


# A case


def test_a_case_timeline_lists_its_events_in_the_order_they_happened(
        dashboard: Dashboard) -> None:
    response = dashboard.as_inspector("/ui/authorities/EMR/cases/EMR-C01")

    assert response.status_code == 200
    rows = elements_with(response.text, "data-occurred-on")
    days = [r["data-occurred-on"] for r in rows]
    assert days == sorted(days)
    with dashboard.services.projections.db.reading() as tx:
        timeline = read_timeline(tx, "EMR", "EMR-C01")
    assert timeline is not None
    assert [int(r["data-position"]) for r in rows] == [
        e["ref"]["position"] for e in timeline["entries"]]
    late = next(r for r in rows if r["data-occurred-on"] == LATE_DECISION_ON)
    assert int(late["data-position"]) == max(int(r["data-position"]) for r in rows)
    assert rows.index(late) < len(rows) - 1, "a backdated event takes its place in time"
    assert all(r["data-recorded-at"] for r in rows)


def test_each_timeline_entry_says_who_recorded_it_for_whom_and_its_evidence(
        dashboard: Dashboard) -> None:
    response = dashboard.as_inspector("/ui/authorities/EMR/cases/EMR-C01")

    shown = text(response.text)
    assert "Recorded late: weekly contact with a grandparent." in shown
    assert "sm.adeyemi" in shown and "by test:seed via test" in shown
    late = next(r for r in elements_with(response.text, "data-occurred-on")
                if r["data-occurred-on"] == LATE_DECISION_ON)
    assert f'href="?at={late["data-position"]}#e{late["data-position"]}"' in response.text


def test_a_case_page_shows_the_flags_on_the_case(dashboard: Dashboard) -> None:
    response = dashboard.as_inspector("/ui/authorities/EMR/cases/EMR-C03")

    flags = dashboard.flags(la_codes=["EMR"], case_id="EMR-C03")
    assert flags, "the demo reallocates EMR-C03 mid-dispute"
    for flag in flags:
        assert f'href="/ui/flags/{flag.id}"' in response.text


# An officer


def test_an_officer_page_shows_challenges_instructions_and_disciplinary_actions(
        dashboard: Dashboard) -> None:
    response = dashboard.as_inspector("/ui/authorities/EMR/officers/iro.marsh")

    assert response.status_code == 200
    shown = text(response.text)
    assert "EMR-CH02" in shown
    assert "Permission before challenge" in shown
    assert "Challenging without permission." in shown
    assert "Most cases iro.marsh held on a day, each month" in response.text


# Flags


def test_a_flag_page_reads_out_the_explanation_with_its_evidence(dashboard: Dashboard) -> None:
    flag = next(f for f in dashboard.flags(la_codes=["EMR"], rule="suppressed_challenge")
                if f.details.get("pattern") == "withdrawn_after_instruction"
                or "withdrew" in f.explanation)

    response = dashboard.as_inspector(f"/ui/flags/{flag.id}")

    assert response.status_code == 200
    assert flag.explanation in text(response.text)
    assert flag.basis in text(response.text)
    for ref in flag.evidence:
        assert f"#e{ref.position}" in response.text or f"#n{ref.event_number}" in response.text


def test_a_flags_evidence_link_opens_the_event_on_the_case_timeline(
        dashboard: Dashboard) -> None:
    flag = dashboard.flags(la_codes=["EMR"], rule="reallocation_after_dispute")[0]
    page = dashboard.as_inspector(f"/ui/flags/{flag.id}").text
    reassigned = next(r for r in flag.evidence if r.event_type == "Case.IroAssigned")
    link = re.search(rf'href="([^"#]+)#e{reassigned.position}"', page)
    assert link is not None

    timeline = dashboard.client.get(link.group(1))

    assert f'id="e{reassigned.position}"' in timeline.text


def test_the_flags_page_filters_by_rule(dashboard: Dashboard) -> None:
    response = dashboard.as_inspector("/ui/flags?rule=report_interference&status=open")

    expected = dashboard.flags(rule="report_interference", status="open")
    assert expected
    linked = set(re.findall(r'href="/ui/flags/([^"]+)"', response.text))
    assert linked == {f.id for f in expected}


def test_an_instruction_is_shown_from_the_store(dashboard: Dashboard) -> None:
    response = dashboard.as_inspector("/ui/authorities/EMR/records/instruction/EMR-INS01")

    assert response.status_code == 200
    assert "All challenges must be agreed with me before they are raised." in text(response.text)
    assert 'id="n1"' in response.text


# Who may see what


@pytest.mark.parametrize("path", ["/ui/authorities/EMR", "/ui/authorities/EMR/cases/EMR-C01",
                                  "/ui/authorities/EMR/officers/iro.marsh",
                                  "/ui/authorities/EMR/records/instruction/EMR-INS01",
                                  "/ui/flags?la=EMR"])
def test_a_manager_of_another_authority_gets_a_403_page(dashboard: Dashboard, path: str) -> None:
    response = dashboard.page(path, "mgr-hale", "la_manager", la="SMV")

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "may not read" in text(response.text)


def test_an_arbitrator_sees_only_the_disputes_referred_to_their_body(
        dashboard: Dashboard) -> None:
    overview = dashboard.page("/", "arb-ives", "arbitrator", body="NAIRO")

    assert "EMR-CH05" in text(overview.text)
    assert "EMR-CH02" not in text(overview.text)
    board = dashboard.client
    assert board.get("/ui/authorities/EMR/cases/EMR-C08").status_code == 200
    assert board.get("/ui/authorities/EMR/cases/EMR-C03").status_code == 403
    assert board.get("/ui/authorities/EMR/officers/iro.marsh").status_code == 403
    flags = board.get("/ui/flags")
    assert flags.status_code == 200
    shown = {a["href"].rpartition("/")[2] for a in elements_with(flags.text, "href")
             if a["href"].startswith("/ui/flags/")}
    touching = {f.id for f in dashboard.flags(la_codes=["EMR"], status="open")
                if {"iro.devlin", "EMR-C08", "EMR-CH05", "EMR-INS01"}
                & set(f.subjects.values())}
    assert touching and shown == touching


def test_an_inspectors_page_view_is_recorded(dashboard: Dashboard) -> None:
    ledger = dashboard.services.ledger
    dashboard.as_inspector("/")  # sign in (and read) first
    before = ledger.count_events()

    response = dashboard.client.get("/ui/authorities/EMR/cases/EMR-C08")

    assert response.status_code == 200
    assert ledger.count_events() == before + 1
    last = ledger.recorder.select_notifications(start=ledger.position(), limit=1)[0]
    read = ledger.mapper.to_domain_event(last)
    assert getattr(read, "what", None) == "dashboard:/ui/authorities/EMR/cases/EMR-C08"
    assert getattr(read, "recorded_by", None) == "insp-wren"


def test_a_managers_page_view_of_their_own_authority_records_nothing(
        dashboard: Dashboard) -> None:
    ledger = dashboard.services.ledger
    dashboard.page("/", "mgr-costa", "la_manager", la="EMR")
    before = ledger.count_events()

    dashboard.client.get("/ui/authorities/EMR/cases/EMR-C08")

    assert ledger.count_events() == before


def test_pages_carry_only_this_sites_scripts_and_a_strict_content_security_policy(
        dashboard: Dashboard) -> None:
    response = dashboard.as_inspector("/ui/authorities/EMR")

    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.S)
    assert all(re.search(r'src="/static/', attrs) and not body.strip()
               for attrs, body in scripts), "no inline script, none from elsewhere"
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "style-src 'self'" in policy
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert response.headers["cache-control"] == "no-store"
    assert not re.search(r'(href|src)="https?://', response.text)
