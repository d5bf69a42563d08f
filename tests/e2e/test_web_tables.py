"""An inspector's tables: paged, sorted by any column, exported as CSV of every row."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from iro_ledger.api.app import create_app
from iro_ledger.projections.rules.flag import Flag
from iro_ledger.settings import Settings
from iro_ledger.web import authority, case_officer, routes
from tests.e2e import BROWSER_URL, running_api, sign_in
from tests.e2e import test_data_quality as data_quality
from tests.e2e.test_web_pages import SECRET, Dashboard, seed, text

PAGE_SIZE = 10
"""Pages as small as this, so that the demo's flags fill several."""


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """The demo history, as on the other dashboard pages' tests."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'ledger.sqlite'}"
    with TestClient(create_app(Settings(database_url=url, jwt_secret=SECRET)),
                    base_url=BROWSER_URL) as client:
        made = Dashboard(client)
        seed(made.services.ledger)
        yield made


@pytest.fixture(autouse=True)
def small_pages() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(routes, "FLAGS", replace(routes.FLAGS, size=PAGE_SIZE))
        yield


def flag_ids(page: str) -> list[str]:
    return re.findall(r'data-flag="([^"]+)"', page)


def test_the_flags_page_shows_one_page_of_every_flag_and_says_how_many(
        board: Dashboard) -> None:
    response = board.as_inspector("/ui/flags?status=")
    every = board.flags()

    assert response.status_code == 200
    assert len(every) > PAGE_SIZE, "the demo has more than a page of flags"
    assert len(flag_ids(response.text)) == PAGE_SIZE
    assert f"1 to {PAGE_SIZE} of {len(every)} flags" in text(response.text)
    last = board.as_inspector(f"/ui/flags?status=&page={-(-len(every) // PAGE_SIZE)}")
    assert len(flag_ids(last.text)) == len(every) - PAGE_SIZE * (-(-len(every) // PAGE_SIZE) - 1)


def test_flags_sort_by_the_day_raised_either_way(board: Dashboard) -> None:
    up = flag_ids(board.as_inspector("/ui/flags?status=&sort=raised_on&order=asc").text)
    down = flag_ids(board.as_inspector("/ui/flags?status=&sort=raised_on&order=desc").text)
    raised = {f.id: f.raised_on for f in board.flags()}

    assert [raised[i] for i in up] == sorted(raised.values())[:PAGE_SIZE]
    assert [raised[i] for i in down] == sorted(raised.values(), reverse=True)[:PAGE_SIZE]


def test_a_sorted_column_says_so_to_screen_readers(board: Dashboard) -> None:
    page = board.as_inspector("/ui/flags?sort=rule&order=desc").text

    assert re.search(r'<th scope="col" aria-sort="descending"><a [^>]*>Flag</a>', page)


def test_the_flags_csv_holds_every_flag_of_the_filter(board: Dashboard) -> None:
    response = board.as_inspector("/ui/flags?la=EMR&status=open&format=csv")
    expected = board.flags(la_codes=["EMR"], status="open")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["Flag id"] for r in rows} == {f.id for f in expected}
    assert {r["Authority"] for r in rows} == {"EMR"}
    assert all(not r["What happened"].startswith(("=", "+", "-", "@")) for r in rows)


def test_a_sort_the_table_does_not_offer_gets_a_page_saying_so(board: Dashboard) -> None:
    response = board.as_inspector("/ui/flags?sort=password")

    assert response.status_code == 422
    assert "is not a column of this table" in text(response.text)


def test_a_manager_exports_only_their_own_authoritys_flags(board: Dashboard) -> None:
    response = board.page("/ui/flags?status=&format=csv", "mgr-hale", "la_manager",
                              la="SMV")

    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {r["Authority"] for r in rows} == {"SMV"}
    refused = board.page("/ui/flags?la=EMR&format=csv", "mgr-hale", "la_manager", la="SMV")
    assert refused.status_code == 403


# The overview: a chosen period and chosen authorities


def overview_rows(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a class="govuk-link" href="/ui/authorities/([^"]+)"',
                      page)


def test_an_inspector_compares_the_authorities_they_choose_over_the_period_they_choose(
        board: Dashboard) -> None:
    response = board.as_inspector("/?from=2025-01-01&to=2025-06-30&la=SMV")

    assert response.status_code == 200
    assert overview_rows(response.text) == ["SMV"]
    assert "1 Jan 2025 to 30 Jun 2025" in text(response.text)
    assert re.search(r'name="from"[^>]* value="2025-01-01"', response.text)


def test_a_day_alone_gives_the_twelve_months_ending_on_it(board: Dashboard) -> None:
    response = board.as_inspector("/?to=2025-06-30")

    assert re.search(r'name="from"[^>]* value="2024-07-01"', response.text)
    assert overview_rows(response.text) == ["EMR", "SMV"]


def test_the_overview_sorts_by_a_figure(board: Dashboard) -> None:
    up = overview_rows(board.as_inspector("/?sort=open_flags&order=asc").text)
    down = overview_rows(board.as_inspector("/?sort=open_flags&order=desc").text)
    counts = {la: len(board.flags(la_codes=[la], status="open")) for la in ("EMR", "SMV")}

    assert counts["EMR"] != counts["SMV"]
    assert up == sorted(counts, key=counts.__getitem__)
    assert down == up[::-1]


@pytest.mark.parametrize("query", ["from=2025-13-01", "to=yesterday", "from=20250101",
                                   "from=2025-06-01&to=2025-01-01"])
def test_a_period_that_is_not_one_gets_a_page_saying_so(board: Dashboard, query: str) -> None:
    response = board.as_inspector(f"/?{query}")

    assert response.status_code == 422
    assert "Check what you asked for" in text(response.text)


def test_the_overview_exports_the_chosen_authorities_as_csv(board: Dashboard) -> None:
    response = board.as_inspector("/?to=2025-06-30&la=EMR&la=SMV&format=csv")

    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["Authority"] for r in rows] == ["EMR", "SMV"]
    assert rows[0]["Name"] == "Borough of Eastmere"


def test_a_manager_may_not_choose_another_authority_to_compare(board: Dashboard) -> None:
    response = board.page("/?la=EMR", "mgr-hale", "la_manager", la="SMV")

    assert response.status_code == 403
    unknown = board.as_inspector("/?la=NOPE")
    assert unknown.status_code == 404


# Charts


def test_the_flags_chart_is_an_image_with_a_title_and_the_same_counts_in_a_table(
        board: Dashboard) -> None:
    page = board.as_inspector("/ui/flags?la=EMR&status=open").text
    flags = board.flags(la_codes=["EMR"], status="open")

    svg = re.search(r"<svg [^>]*role=\"img\".*?</svg>", page, re.S)
    assert svg and "<title id=\"flags-by-month-title\">Flags raised each month, by rule" in svg[0]
    assert "<desc id=\"flags-by-month-desc\">" in svg[0]
    table = re.search(r'<table class="govuk-table app-chart-table by-month">.*?</table>', page,
                      re.S)
    assert table
    months = re.findall(r'<th scope="col"[^>]*><a [^>]*>(\d{4}-\d{2})</a></th>', table[0])
    totals = [int(n) for n in re.findall(r"<td>(\d+)</td></tr>", table[0])]
    assert 0 < len(months) <= 12
    assert sum(totals) == sum(1 for f in flags if f"{f.raised_on:%Y-%m}" in months)
    assert min(f"{f.raised_on:%Y-%m}" for f in flags) <= months[0]


def test_an_authoritys_register_downloads_as_csv_and_only_for_who_may_read_it(
        board: Dashboard) -> None:
    page = board.as_inspector("/ui/authorities/EMR").text
    response = board.as_inspector("/ui/authorities/EMR/challenges.csv?sort=raised_on")

    link = csv_link(page, "challenges")
    assert link == csv_link(page, "challenges")
    own = board.as_inspector(f"/ui/authorities/EMR{link}")
    assert own.text == response.text, "the page's own CSV link gives the same file"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and all(r["Case"].startswith("EMR-") for r in rows)
    assert [r["Raised"] for r in rows] == sorted(r["Raised"] for r in rows)
    refused = board.page("/ui/authorities/EMR/challenges.csv", "mgr-hale", "la_manager",
                         la="SMV")
    assert refused.status_code == 403


def test_an_authoritys_officers_download_as_csv_with_their_caseloads(board: Dashboard) -> None:
    response = board.as_inspector("/ui/authorities/EMR/officers.csv?sort=cases_now&order=desc")

    rows = list(csv.DictReader(io.StringIO(response.text)))
    held = [int(r["Cases held now"]) for r in rows]
    assert rows and held == sorted(held, reverse=True)
    assert board.page("/ui/authorities/EMR/officers.csv", "mgr-hale", "la_manager",
                      la="SMV").status_code == 403


# An authority's page: every table pages, sorts and exports, each by its own parameters


def csv_link(page: str, table: str) -> str:
    """The href of the table's 'Download all N as CSV' link, unescaped."""
    found = re.findall(rf'href="(\?[^"]*{re.escape(table)}\.format=csv[^"]*)"', page)
    assert found, f"no CSV link for {table}"
    return html.unescape(found[0])


def section(page: str, ident: str) -> str:
    found = re.search(rf'<section id="{ident}".*?</section>', page, re.S)
    assert found, ident
    return found[0]


def test_an_authoritys_cases_page_and_sort_by_their_own_parameters(board: Dashboard) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(authority, "CASES", replace(authority.CASES, size=5))
        first = section(board.as_inspector("/ui/authorities/EMR").text, "cases")
        down = section(board.as_inspector(
            "/ui/authorities/EMR?cases.sort=case_id&cases.order=desc&cases.page=2").text,
            "cases")

    shown = re.findall(r">(EMR-C\d+)</a>", first)
    assert len(shown) == 5 and shown == sorted(shown)
    assert int(re.findall(r"of (\d+) cases", text(first))[0]) > 5
    later = re.findall(r">(EMR-C\d+)</a>", down)
    assert later and later == sorted(later, reverse=True)
    assert "6 to 10 of" in text(down)
    assert 'href="?cases.sort=case_id&amp;cases.order=asc&amp;cases.page=2#cases"' in first, \
        "the pager's links carry the table's own parameters, back to its section"


def test_an_authoritys_cases_export_every_case_as_csv(board: Dashboard) -> None:
    page = board.as_inspector("/ui/authorities/EMR").text
    link = csv_link(page, "cases")

    response = board.as_inspector(f"/ui/authorities/EMR{link.split('#')[0]}")

    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    total = int(re.findall(r"of (\d+) cases", text(section(page, "cases")))[0])
    assert len(rows) == total and all(r["Case"].startswith("EMR-C") for r in rows)
    assert set(rows[0]) == {"Case", "Opened", "Closed", "IRO now (or last)", "IROs so far"}


def test_an_authoritys_measures_sort_and_export_with_their_values(board: Dashboard) -> None:
    page = board.as_inspector("/ui/authorities/EMR?measures.sort=measure").text
    names = re.findall(r'<tr id="measure-([a-z_0-9]+)"', page)
    response = board.as_inspector("/ui/authorities/EMR?measures.format=csv")

    rows = list(csv.DictReader(io.StringIO(response.text)))
    labels = {r["Name"]: r["Measure"] for r in rows}
    assert [labels[n] for n in names] == sorted(labels[n] for n in names)
    assert {"children_in_care", "caseloads_at_end"} <= set(labels)
    by_name = {r["Name"]: r for r in rows}
    assert by_name["iros"]["Value"].isdigit() and int(by_name["iros"]["Evidence events"]) > 0


def test_the_period_chosen_is_kept_by_the_tables_links(board: Dashboard) -> None:
    page = board.as_inspector("/ui/authorities/EMR?from=2025-01-01&to=2025-06-30").text

    link = csv_link(page, "measures")
    assert "from=2025-01-01" in link and "to=2025-06-30" in link
    response = board.as_inspector(f"/ui/authorities/EMR{link.split('#')[0]}")
    assert response.status_code == 200 and "Children in care" in response.text


@pytest.mark.parametrize("query", ["cases.sort=nope", "officers.order=up",
                                   "measures.page=0", "flags.format=pdf",
                                   "challenges.page=99"])
def test_a_table_choice_the_page_does_not_offer_gets_a_page_saying_so(
        board: Dashboard, query: str) -> None:
    response = board.as_inspector(f"/ui/authorities/EMR?{query}")

    name, value = query.split("=")
    assert response.status_code == 422
    assert f'<li><a href="#{name}">' in response.text, "the error summary links to the field"
    assert re.search(rf'<input [^>]*id="{re.escape(name)}" name="{re.escape(name)}" '
                     rf'[^>]*value="{value}"', response.text), "asked again as it was given"


def test_an_arbitrator_exports_only_the_disputes_referred_to_them(board: Dashboard) -> None:
    referred = board.page("/ui/authorities/EMR?challenges.format=csv", "arb-ives", "arbitrator",
                          body="NAIRO")
    officers = board.client.get("/ui/authorities/EMR?officers.format=csv")

    rows = list(csv.DictReader(io.StringIO(referred.text)))
    assert [r["Challenge"] for r in rows] == ["EMR-CH05"]
    assert list(csv.reader(io.StringIO(officers.text)))[1:] == [], "no officer, only headings"


# A case's page, an officer's page and an arbitrator's disputes: the same tables


def test_a_case_timeline_pages_and_sorts_by_its_own_parameters(board: Dashboard) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(case_officer, "TIMELINE", replace(case_officer.TIMELINE, size=5))
        first = section(board.as_inspector("/ui/authorities/EMR/cases/EMR-C01").text,
                        "timeline")
        down = section(board.as_inspector("/ui/authorities/EMR/cases/EMR-C01"
                                          "?timeline.sort=position&timeline.order=desc").text,
                       "timeline")

    total = int(re.findall(r"of (\d+) events", text(first))[0])
    assert total > 5 and len(re.findall(r"data-position=", first)) == 5
    days = re.findall(r'data-occurred-on="([^"]+)"', first)
    assert days == sorted(days), "in the order things happened"
    positions = [int(p) for p in re.findall(r'data-position="(\d+)"', down)]
    assert positions == sorted(positions, reverse=True)
    assert 'href="?timeline.sort=occurred_on&amp;timeline.order=asc&amp;timeline.page=2' \
           '#timeline"' in first


def test_a_case_timeline_exports_every_event_as_csv(board: Dashboard) -> None:
    page = board.as_inspector("/ui/authorities/EMR/cases/EMR-C01").text
    link = csv_link(page, "timeline")

    response = board.as_inspector(f"/ui/authorities/EMR/cases/EMR-C01{link.split('#')[0]}")

    rows = list(csv.DictReader(io.StringIO(response.text)))
    total = int(re.findall(r"of (\d+) events", text(section(page, "timeline")))[0])
    assert response.headers["content-type"].startswith("text/csv")
    assert len(rows) == total
    assert {"Happened", "Event", "Details", "Recorded by", "Store position"} <= set(rows[0])
    assert "timeline-EMR-EMR-C01.csv" in response.headers["content-disposition"]


def test_a_link_to_an_event_opens_the_page_of_the_timeline_that_holds_it(
        board: Dashboard) -> None:
    every = board.as_inspector("/ui/authorities/EMR/cases/EMR-C01?timeline.format=csv")
    last = list(csv.DictReader(io.StringIO(every.text)))[-1]["Store position"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(case_officer, "TIMELINE", replace(case_officer.TIMELINE, size=5))
        opened = board.as_inspector(f"/ui/authorities/EMR/cases/EMR-C01?at={last}")
        first = board.as_inspector("/ui/authorities/EMR/cases/EMR-C01")

    assert f'id="e{last}"' in opened.text and f'id="e{last}"' not in first.text
    assert board.as_inspector("/ui/authorities/EMR/cases/EMR-C01?at=x").status_code == 422


def test_an_officers_tables_sort_and_export_as_csv(board: Dashboard) -> None:
    page = board.as_inspector("/ui/authorities/EMR/officers/iro.marsh?holdings.sort=from"
                              "&holdings.order=desc").text
    instructions = board.as_inspector("/ui/authorities/EMR/officers/iro.marsh"
                                      "?instructions.format=csv")

    for table in ("flags", "disciplinary", "challenges", "instructions", "holdings"):
        assert csv_link(page, table)
    held = re.findall(r'<td><time datetime="([^"]+)"', section(page, "holdings"))
    assert held and held[::2] == sorted(held[::2], reverse=True)
    rows = list(csv.DictReader(io.StringIO(instructions.text)))
    assert "permission_before_challenge" in {r["Kind"] for r in rows}
    assert all("iro.marsh" in r["To"] or r["To"] == "all_iros" for r in rows)


def test_an_arbitrators_disputes_sort_and_export_as_csv(board: Dashboard) -> None:
    page = board.page("/?sort=challenge_id&order=desc", "arb-ives", "arbitrator",
                      body="NAIRO")
    exported = board.client.get("/?format=csv")
    wrong = board.client.get("/?sort=password")

    assert page.status_code == 200
    assert re.findall(r'<tr data-challenge="([^"]+)"', page.text) == ["EMR-CH05"]
    assert 'aria-sort="descending"' in page.text
    assert 'href="/ui/authorities/EMR/challenges/EMR-CH05/bundle.zip"' in page.text
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["Challenge"] for r in rows] == ["EMR-CH05"] and rows[0]["Referred"]
    assert wrong.status_code == 422


def test_the_overview_offers_each_authority_as_a_checkbox_by_name(board: Dashboard) -> None:
    page = board.as_inspector("/?la=SMV").text

    boxes = re.findall(r'<input class="govuk-checkboxes__input" id="[^"]+" name="la" '
                       r'type="checkbox" value="([^"]+)"( checked)?>', page)
    assert boxes == [("EMR", ""), ("SMV", " checked")]
    assert "Borough of Eastmere" in text(page) and 'id="la"' in page, \
        "the first box is what an error summary about `la` links to"


def test_a_cases_challenges_page_sort_and_export_as_csv_with_their_bundles(
        board: Dashboard) -> None:
    register = list(csv.DictReader(io.StringIO(
        board.as_inspector("/ui/authorities/EMR?challenges.format=csv").text)))
    case_id = register[0]["Case"]
    on_case = sorted(r["Challenge"] for r in register if r["Case"] == case_id)
    url = f"/ui/authorities/EMR/cases/{case_id}"

    page = board.as_inspector(f"{url}?challenges.sort=challenge_id&challenges.order=desc")
    link = csv_link(page.text, "challenges")
    exported = board.as_inspector(f"{url}{link.split('#')[0]}")
    refused = board.as_inspector(f"{url}?challenges.sort=password")
    past = board.as_inspector(f"{url}?challenges.page=2")

    assert page.status_code == 200
    shown = section(page.text, "challenges")
    assert re.findall(r'bundle\.zip">Download the dispute bundle for ([^<]+)<',
                      shown) == on_case[::-1]
    assert 'aria-sort="descending"' in shown
    assert exported.status_code == 200
    assert f'filename="challenges-EMR-{case_id}.csv"' in exported.headers["content-disposition"]
    assert [r["Challenge"] for r in csv.DictReader(io.StringIO(exported.text))] == on_case[::-1]
    assert refused.status_code == 422 and "challenges.sort" in refused.text
    assert past.status_code == 422


def test_an_officers_caseload_by_month_pages_sorts_and_exports_beside_its_chart(
        board: Dashboard) -> None:
    url = "/ui/authorities/EMR/officers/iro.marsh"
    page = board.as_inspector(f"{url}?caseload.sort=max&caseload.order=desc").text
    exported = board.as_inspector(f"{url}{csv_link(page, 'caseload').split('#')[0]}")
    refused = board.as_inspector(f"{url}?caseload.sort=where")

    shown = section(page, "caseload")
    assert "<svg" in shown
    most = [int(n) for n in re.findall(r"<tr><td>\d{4}-\d{2}</td><td>(\d+)</td>", shown)]
    assert most and most == sorted(most, reverse=True)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) >= len(most)
    assert {r["Against 50 to 70"] for r in rows} <= {
        "below the range", "within the range", "above the range"}
    assert refused.status_code == 422 and "caseload.sort" in refused.text


def test_the_stage_charts_table_exports_each_stage_as_csv(board: Dashboard) -> None:
    page = board.as_inspector("/ui/authorities/EMR/cases/EMR-C01").text
    exported = board.as_inspector(
        f"/ui/authorities/EMR/cases/EMR-C01{csv_link(page, 'stages').split('#')[0]}")
    refused = board.as_inspector("/ui/authorities/EMR/cases/EMR-C01?stages.sort=colour")

    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows and {r["Challenge"] for r in rows} == {"EMR-CH01"}
    assert all(int(r["Days"]) >= int(r["Working days"]) for r in rows)
    assert refused.status_code == 422


def test_an_authoritys_caseloads_per_post_sort_and_export_beside_their_chart(
        board: Dashboard) -> None:
    url = "/ui/authorities/EMR"
    page = board.as_inspector(f"{url}?caseloads.sort=cases&caseloads.order=desc").text
    exported = board.as_inspector(f"{url}{csv_link(page, 'caseloads').split('#')[0]}")
    refused = board.as_inspector(f"{url}?caseloads.sort=where")

    shown = section(page, "caseloads")
    assert "<svg" in shown and 'aria-sort="descending"' in shown
    per_post = [float(n) for n in re.findall(
        r'<th scope="row" class="app-id">[^<]+</th><td>([\d.]+)</td>', shown)]
    assert per_post and per_post == sorted(per_post, reverse=True)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert 'filename="caseloads-EMR.csv"' in exported.headers["content-disposition"]
    assert sorted(float(r["Cases per full-time post"]) for r in rows
                  if r["Cases per full-time post"]) == sorted(per_post)
    assert refused.status_code == 422 and "caseloads.sort" in refused.text


def test_the_flags_charts_table_sorts_by_a_months_count_and_exports_every_rule(
        board: Dashboard) -> None:
    every = board.as_inspector("/ui/flags").text
    months = re.findall(r'months\.sort=(\d{4}-\d{2})', section(every, "by-month"))
    assert months, "the demo's flags fall in some month"
    month = months[-1]
    page = board.as_inspector(f"/ui/flags?months.sort={month}&months.order=desc").text
    exported = board.as_inspector(f"/ui/flags{csv_link(page, 'months').split('#')[0]}")
    refused = board.as_inspector("/ui/flags?months.sort=colour")

    shown = section(page, "by-month")
    assert 'aria-sort="descending"' in shown
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert 'filename="flags-by-month-open.csv"' in exported.headers["content-disposition"]
    counts = [int(r[month]) for r in rows]
    assert counts and counts == sorted(counts, reverse=True)
    assert all(int(r["Total"]) == sum(int(r[m]) for m in months) for r in rows)
    assert refused.status_code == 422 and "months.sort" in refused.text


def test_the_data_quality_counts_sort_by_how_many_and_export_as_csv(tmp_path: Path) -> None:
    url = data_quality.faulty(tmp_path)
    where = f"/ui/authorities/{data_quality.LA}/data-quality"
    with running_api(url) as api:
        sign_in(api.client, data_quality.MANAGER)
        page = api.client.get(f"{where}?counts.sort=kind&counts.order=desc&kind=no_case")
        exported = api.client.get(
            f"{where}{csv_link(page.text, 'counts').split('#')[0]}")
        refused = api.client.get(f"{where}?counts.sort=row")

    shown = section(page.text, "by-kind")
    assert re.findall(r'<tr data-kind="([a-z_]+)">', shown) == sorted(
        data_quality.FINDINGS, reverse=True)
    assert 'aria-sort="descending"' in shown
    assert 'filename="data-quality-counts-' in exported.headers["content-disposition"]
    assert {(r["Data"], r["Kind"], int(r["Findings"]))
            for r in csv.DictReader(io.StringIO(exported.text))} == {
        ("ssda903", k, n) for k, n in data_quality.FINDINGS.items()}
    assert refused.status_code == 422 and "counts.sort" in refused.text


def test_a_records_events_sort_page_and_export_as_csv_from_the_store(board: Dashboard) -> None:
    url = "/ui/authorities/EMR/records/instruction/EMR-INS01"
    page = board.as_inspector(f"{url}?events.sort=number&events.order=desc").text
    exported = board.as_inspector(f"{url}{csv_link(page, 'events').split('#')[0]}")
    refused = board.as_inspector(f"{url}?events.sort=details")
    past = board.as_inspector(f"{url}?events.page=2")

    shown = section(page, "events")
    numbers = [int(n) for n in re.findall(r'<tr id="n(\d+)"', shown)]
    assert numbers and numbers == sorted(numbers, reverse=True)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert 'filename="events-EMR-instruction-EMR-INS01.csv"' in exported.headers[
        "content-disposition"]
    assert [int(r["Event number"]) for r in rows] == numbers
    assert "All challenges must be agreed with me" in rows[-1]["Details"]
    assert refused.status_code == 422 and "events.sort" in refused.text
    assert past.status_code == 422


def fullest_flag(board: Dashboard) -> Flag:
    board.as_inspector("/ui/flags")
    return max(board.flags(la_codes=["EMR"]), key=lambda f: (len(f.history), len(f.evidence)))


def test_a_flags_evidence_sorts_by_store_position_and_exports_as_csv(board: Dashboard) -> None:
    flag = fullest_flag(board)
    url = f"/ui/flags/{flag.id}"
    page = board.as_inspector(f"{url}?evidence.sort=position&evidence.order=desc").text
    evidence = board.as_inspector(f"{url}{csv_link(page, 'evidence').split('#')[0]}")
    refused = board.as_inspector(f"{url}?evidence.sort=colour")

    positions = sorted((r.position for r in flag.evidence), reverse=True)
    shown = section(page, "evidence")
    assert len(positions) > 1
    assert [int(p) for p in re.findall(r"<td>(\d+)</td></tr>", shown)] == positions
    assert 'aria-sort="descending"' in shown
    assert 'filename="evidence-' in evidence.headers["content-disposition"]
    assert [int(r["Store position"]) for r in csv.DictReader(
        io.StringIO(evidence.text))] == positions
    assert refused.status_code == 422 and "evidence.sort" in refused.text


def test_a_flags_history_exports_as_csv_in_the_order_it_happened(board: Dashboard) -> None:
    flag = fullest_flag(board)
    url = f"/ui/flags/{flag.id}"
    page = board.as_inspector(url).text
    history = board.as_inspector(f"{url}{csv_link(page, 'history').split('#')[0]}")
    refused = board.as_inspector(f"{url}?history.sort=colour")

    assert 'filename="history-' in history.headers["content-disposition"]
    changes = list(csv.DictReader(io.StringIO(history.text)))
    assert [(r["On"], r["What"]) for r in changes] == [
        (h.on.isoformat(), h.action.value) for h in flag.history]
    assert refused.status_code == 422 and "history.sort" in refused.text


def test_every_flags_csv_link_keeps_asking_for_every_status(board: Dashboard) -> None:
    page = board.as_inspector("/ui/flags?status=").text
    every = board.flags()
    [link] = [html.unescape(found) for found in re.findall(r'href="(\?[^"]*format=csv)"', page)
              if "months." not in found]
    rows = list(csv.DictReader(io.StringIO(board.as_inspector(f"/ui/flags{link}").text)))

    assert "status=" in link
    assert len(rows) == len(every), "the CSV of every flag is not only the open ones"
