"""The main journeys through the dashboard in a real browser, as the people it serves take
them: an IRO records a challenge and keeps its receipt, a manager records a decision, an
inspector opens a flag and downloads a dispute bundle, everyone signs out. Every page on the
way is checked with axe-core: no serious or critical WCAG 2.2 AA violation.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.live import (
    CASE,
    DECISION,
    IRO,
    LA,
    Live,
    axe_violations,
    fits_the_screen,
    sign_in,
    verify_receipt_cli,
)


def accessible(page: Page) -> None:
    """The page as it stands has no serious or critical WCAG 2.2 AA violation."""
    found = axe_violations(page)
    assert not found, f"{page.url}: {json.dumps(found, indent=1)}"


def verified(document: Path, key: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([verify_receipt_cli(), "verify-receipt", str(document),
                           "--public-key", str(key)], capture_output=True, text=True,
                          timeout=120, check=False)


def download(page: Page, name: str, into: Path) -> Path:
    """Press the link or button called `name`; where the browser saved the download."""
    with page.expect_download() as started:
        page.get_by_role("link", name=name).first.click()
    saved = into / started.value.suggested_filename
    started.value.save_as(saved)
    return saved


def test_an_iro_records_a_challenge_and_verifies_its_receipt(page: Page, live: Live,
                                                             tmp_path: Path) -> None:
    sign_in(page, live, live.token(IRO, "iro"))
    accessible(page)
    page.get_by_role("link", name="Record", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What do you want to record?")
    accessible(page)

    page.goto(f"{live.url}/ui/authorities/{LA}/cases/{CASE}")
    accessible(page)
    page.get_by_role("link", name="Raise a challenge on this case").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What are you challenging?")
    accessible(page)
    page.get_by_label(f"Decision {DECISION}", exact=False).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What are your grounds?")
    accessible(page)
    page.get_by_label("What are your grounds?").fill(
        "The move takes the child away from their school in the middle of exams.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("When did it happen?")
    accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before recording")
    expect(page.locator("[data-answer='case_id'] .app-answer")).to_have_text(CASE)
    expect(page.locator("[data-answer='grounds'] .app-answer")).to_contain_text("exams")
    accessible(page)
    page.get_by_role("button", name="Record it").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Challenge raised")
    accessible(page)
    receipt = download(page, "Download receipt", tmp_path)
    key = download(page, "the ledger's public key", tmp_path)
    checked = verified(receipt, key)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    document = json.loads(receipt.read_text())
    assert document["record"]["kind"] == "challenge"
    assert document["receipts"][0]["event"]["fields"]["recorded_by"] == IRO

    document["receipts"][0]["event"]["fields"]["recorded_by"] = "someone-else"
    document["receipts"][0]["leaf"]["canonical"] = document["receipts"][0]["leaf"][
        "canonical"][:-8] + "AAAAAAA="
    receipt.write_text(json.dumps(document))
    assert verified(receipt, key).returncode != 0, "a changed receipt must not verify"


def test_an_iro_corrects_their_answers_on_a_phone(browser_phone: Page, live: Live) -> None:
    page = browser_phone
    sign_in(page, live, live.token(IRO, "iro"))
    page.goto(f"{live.url}/ui/record/raise-challenge")
    expect(page.get_by_role("heading", level=1)).to_have_text("Which case is it about?")
    page.get_by_role("button", name="Continue").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the case's id")
    expect(summary).to_contain_text("Nothing has been recorded")
    assert fits_the_screen(page)
    accessible(page)
    summary.get_by_role("link", name="Enter the case's id").click()
    expect(page.get_by_label("Which case is it about?")).to_be_focused()
    page.get_by_label("Which case is it about?").fill(CASE)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label(f"Decision {DECISION}", exact=False).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What are your grounds?").fill("Not consulted about the move.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_role("button", name="Continue").click()
    expect(summary).to_contain_text("must be a real date")
    accessible(page)
    today = live.services.reads.today()  # not before the decision it challenges
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before recording")
    assert fits_the_screen(page)
    accessible(page)
    page.get_by_role("link", name="Change your grounds").click()
    expect(page.get_by_label("What are your grounds?")).to_have_value(
        "Not consulted about the move.")
    accessible(page)
    page.get_by_label("What are your grounds?").fill("Neither I nor the child was consulted.")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("[data-answer='grounds'] .app-answer")).to_have_text(
        "Neither I nor the child was consulted.")
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("When did it happen?")
    page.go_back()  # the browser's own Back: every page of the journey is a GET
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before recording")
    page.go_back()
    expect(page.get_by_label("What are your grounds?")).to_have_value(
        "Neither I nor the child was consulted.")
    page.go_forward()
    page.go_forward()
    expect(page.get_by_role("heading", level=1)).to_have_text("When did it happen?")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record it").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Challenge raised")
    expect(page.get_by_role("link", name="Download receipt")).to_be_visible()
    assert fits_the_screen(page)
    accessible(page)


def test_a_manager_records_a_decision_on_a_phone(browser_phone: Page, live: Live) -> None:
    page = browser_phone
    sign_in(page, live, live.token("mgr-costa", "la_manager"))
    page.goto(f"{live.url}/ui/record/decision?case_id={CASE}")
    assert fits_the_screen(page)
    page.get_by_label("What kind of decision?").fill("contact")
    page.get_by_label("What was decided (optional)").fill("Contact with a grandparent weekly.")
    page.get_by_role("group", name="Was the IRO consulted?").get_by_label("Yes").check()
    page.get_by_role("button", name="Record it").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Decision recorded")
    assert fits_the_screen(page)
    accessible(page)


def test_an_inspector_opens_a_flag_with_its_evidence(page: Page, live: Live) -> None:
    sign_in(page, live, live.token("insp-wren", "inspector", la=None))
    page.get_by_role("link", name="Flags", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Flags")
    accessible(page)

    page.locator("table.flags tbody tr a[href^='/ui/flags/']").first.click()

    expect(page.get_by_role("heading", name="What happened")).to_be_visible()
    expect(page.get_by_role("heading", name="Evidence")).to_be_visible()
    accessible(page)


def test_an_inspector_downloads_a_dispute_bundle_that_verifies(page: Page, live: Live,
                                                               tmp_path: Path) -> None:
    sign_in(page, live, live.token("insp-wren", "inspector", la=None))
    accessible(page)
    page.get_by_role("link", name="Borough of Eastmere").first.click()
    accessible(page)
    page.locator("#challenges table a[href*='/cases/']").first.click()
    expect(page.get_by_role("heading", name="Challenges on this case")).to_be_visible()
    accessible(page)

    bundle = download(page, "Download the dispute bundle", tmp_path)
    with zipfile.ZipFile(bundle) as archive:
        [json_name] = [n for n in archive.namelist() if n.endswith(".json")]
        archive.extract(json_name, tmp_path)
        assert any(n.endswith(".pdf") for n in archive.namelist())
    key = tmp_path / "key.pem"
    key.write_bytes(page.request.get(f"{live.url}/proof/public-key").body())
    checked = verified(tmp_path / json_name, key)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_inspector_exports_the_flags_as_csv(page: Page, live: Live, tmp_path: Path) -> None:
    sign_in(page, live, live.token("insp-wren", "inspector", la=None))
    page.get_by_role("link", name="Flags", exact=True).click()
    accessible(page)
    link = page.get_by_role("link", name=re.compile(r"Download all \d+ as CSV")).first
    total = int(re.findall(r"\d+", link.inner_text())[0])

    saved = download(page, link.inner_text(), tmp_path)

    with saved.open(newline="", encoding="utf-8") as opened:
        rows = list(csv.reader(opened))
    assert len(rows) == total + 1, "a header, then every flag of the filter"
    assert total > 0 and saved.suffix == ".csv"


def test_signing_out_ends_the_session(page: Page, live: Live) -> None:
    sign_in(page, live, live.token(IRO, "iro"))

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    accessible(page)
    page.goto(f"{live.url}/ui/flags")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_the_accessibility_check_finds_what_is_wrong_on_a_bad_page(page: Page,
                                                                    live: Live) -> None:
    page.goto(f"{live.url}/login")
    page.evaluate("""() => {
        const field = document.createElement('input');
        document.querySelector('main').append(field);
        document.querySelector('html').removeAttribute('lang');
    }""")

    found = {v["id"] for v in axe_violations(page)}

    assert {"label", "html-has-lang"} <= found


def test_an_inspector_sorts_pages_and_exports_an_authoritys_cases(page: Page, live: Live,
                                                                 tmp_path: Path) -> None:
    sign_in(page, live, live.token("insp-wren", "inspector", la=None))
    page.goto(f"{live.url}/ui/authorities/{LA}")
    expect(page.get_by_role("img", name=re.compile("Cases per full-time post"))).to_be_visible()
    accessible(page)
    cases = page.locator("#cases")

    cases.get_by_role("link", name="Case timeline", exact=True).click()
    expect(cases.locator("th[aria-sort='descending']")).to_have_count(1)
    shown = cases.locator("table.cases tbody tr td:first-child").all_inner_texts()
    assert shown == sorted(shown, reverse=True)
    assert "#cases" in page.url and "cases.order=desc" in page.url
    accessible(page)

    saved = download(page, cases.get_by_role("link", name=re.compile(r"Download all \d+ as CSV"))
                     .inner_text(), tmp_path)
    with saved.open(newline="", encoding="utf-8") as opened:
        rows = list(csv.DictReader(opened))
    total = int(re.findall(r"of (\d+) cases", cases.inner_text())[0])
    assert len(rows) == total and [r["Case"] for r in rows] == sorted(
        (r["Case"] for r in rows), reverse=True), "every case, in the order chosen"


def test_a_case_page_draws_the_stages_of_its_challenges(page: Page, live: Live) -> None:
    sign_in(page, live, live.token("insp-wren", "inspector", la=None))
    page.goto(f"{live.url}/ui/authorities/{LA}/cases/EMR-C01")

    chart = page.get_by_role("img", name=re.compile("The stages of each challenge"))
    expect(chart).to_be_visible()
    page.get_by_text("The same as a table").first.click()
    expect(page.locator("table.stages tbody tr").first).to_be_visible()
    accessible(page)


def test_an_inspector_compares_authorities_side_by_side_on_a_phone(browser_phone: Page,
                                                                   live: Live) -> None:
    page = browser_phone
    sign_in(page, live, live.token("insp-wren", "inspector", la=None))

    expect(page.get_by_role("img", name=re.compile("Authorities side by side"))).to_be_visible()
    assert fits_the_screen(page), "the chart scrolls inside its box, not the page"
    accessible(page)


def test_a_wrong_period_is_asked_again_under_an_error_summary(page: Page, live: Live) -> None:
    sign_in(page, live, live.token("insp-wren", "inspector", la=None))
    page.goto(f"{live.url}/ui/authorities/{LA}?from=2025-13-01")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(page.locator("#from-error")).to_contain_text("is not a day of the calendar")
    accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("From")).to_be_focused()
    page.get_by_label("From").fill("2025-01-01")
    page.get_by_role("button", name="Ask again").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Borough of Eastmere")
    expect(page.locator("#measures caption")).to_contain_text("1 Jan 2025")


def test_an_address_that_is_nowhere_is_a_plain_page_not_found(page: Page, live: Live) -> None:
    sign_in(page, live, live.token("insp-wren", "inspector", la=None))
    page.goto(f"{live.url}/ui/authorities/{LA}/cases/EMR-C999")

    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("check it is correct")).to_be_visible()
    accessible(page)


def test_an_arbitrator_sorts_and_exports_the_disputes_referred_to_them(
        page: Page, live: Live, tmp_path: Path) -> None:
    sign_in(page, live, live.token("arb-ives", "arbitrator", la=None, body="NAIRO"))
    disputes = page.locator("#disputes")
    expect(disputes.locator("table.disputes tbody tr")).not_to_have_count(0)
    accessible(page)

    disputes.get_by_role("link", name="Raised", exact=True).click()
    expect(disputes.locator("th[aria-sort='ascending']")).to_have_text("Raised")
    saved = download(page, disputes.get_by_role("link", name=re.compile(
        r"Download all \d+ as CSV")).inner_text(), tmp_path)

    with saved.open(newline="", encoding="utf-8") as opened:
        rows = list(csv.DictReader(opened))
    shown = disputes.locator("table.disputes tbody tr").count()
    assert len(rows) == shown and all(r["Referred"] for r in rows)
    assert [r["Raised"] for r in rows] == sorted(r["Raised"] for r in rows)

    bundle = download(page, f"Download the dispute bundle for {rows[0]['Challenge']}", tmp_path)
    with zipfile.ZipFile(bundle) as archive:
        [json_name] = [n for n in archive.namelist() if n.endswith(".json")]
        archive.extract(json_name, tmp_path)
    key = tmp_path / "key.pem"
    key.write_bytes(page.request.get(f"{live.url}/proof/public-key").body())
    checked = verified(tmp_path / json_name, key)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_officers_tables_page_sort_and_pass_the_accessibility_check(page: Page,
                                                                       live: Live) -> None:
    sign_in(page, live, live.token("insp-wren", "inspector", la=None))
    page.goto(f"{live.url}/ui/authorities/{LA}/officers/{IRO}")
    accessible(page)
    held = page.locator("#holdings")

    held.get_by_role("link", name="From", exact=True).click()  # sorted by it already: reversed

    expect(held.locator("th[aria-sort='descending']")).to_have_text("From")
    assert "#holdings" in page.url
    accessible(page)


def test_an_inspector_chooses_the_authorities_to_compare(page: Page, live: Live) -> None:
    sign_in(page, live, live.token("insp-wren", "inspector", la=None))
    choices = page.get_by_role("group", name="Authorities")
    expect(choices.get_by_role("checkbox")).to_have_count(2)
    box = choices.get_by_role("checkbox").first.bounding_box()
    assert box and box["height"] >= 20, "each authority on a line of its own, not squashed"

    choices.get_by_label("Saltmarsh Vale", exact=False).check()
    page.get_by_role("button", name="Compare").click()

    expect(page.locator("table.compare tbody tr")).to_have_count(1)
    expect(page.locator("table.compare tbody")).to_contain_text("Saltmarsh Vale")
    expect(choices.get_by_label("Saltmarsh Vale", exact=False)).to_be_checked()
    accessible(page)


def test_an_iro_records_an_instruction_they_received_on_a_phone(browser_phone: Page,
                                                                live: Live) -> None:
    page = browser_phone
    sign_in(page, live, live.token(IRO, "iro"))
    page.goto(f"{live.url}/ui/record")
    page.get_by_role("link", name="Record an instruction you received").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What were you told to do?")
    accessible(page)
    page.get_by_label("Do not escalate").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who gave it?")
    accessible(page)
    page.get_by_label("Who gave it?").fill("tm.costa")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What did it say? (optional)")
    accessible(page)
    page.get_by_label("What did it say?").fill("Do not take the placement any further.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()  # when: today, as drawn
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before recording")
    expect(page.locator("[data-answer='kind'] .app-answer")).to_have_text("Do not escalate")
    assert fits_the_screen(page)
    accessible(page)
    page.get_by_role("button", name="Record it").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Instruction recorded")
    expect(page.get_by_role("link", name="Download receipt")).to_be_visible()
    accessible(page)
