"""The IRO annual report: the ledger keeps hashes, so what was submitted can be compared."""

from __future__ import annotations

import pytest

from iro_ledger.domain.errors import BadTiming, InvalidValue
from iro_ledger.domain.report import AnnualReport
from iro_ledger.domain.values import ReportRecipient
from tests.builders import LA, stamp

AUTHOR = "iro-mgr-jo"
DRAFT, EDITED, SENT = "a" * 64, "b" * 64, "c" * 64


def report(on: str = "2024-04-01") -> AnnualReport:
    return AnnualReport.draft(LA, "rep-2024", 2024, AUTHOR, DRAFT, stamp(on, actor=AUTHOR))


def test_a_draft_records_its_author_and_content_hash() -> None:
    drafted = report()

    assert (drafted.year, drafted.author, drafted.content_sha256,
            drafted.author_draft_sha256) == (2024, AUTHOR, DRAFT, DRAFT)


@pytest.mark.parametrize("digest", ["A" * 64, "a" * 63, "g" * 64, ""])
def test_a_malformed_content_hash_is_refused(digest: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        AnnualReport.draft(LA, "rep-2024", 2024, AUTHOR, digest, stamp())
    assert refused.value.field == "content_sha256"


@pytest.mark.parametrize("year", [1999, 2026])
def test_an_implausible_report_year_is_refused(year: int) -> None:
    with pytest.raises(InvalidValue) as refused:
        AnnualReport.draft(LA, "rep-x", year, AUTHOR, DRAFT, stamp("2024-04-01"))
    assert refused.value.field == "year"


def test_an_edit_request_names_the_sections() -> None:
    drafted = report()

    drafted.request_edit(["challenges", "caseloads"], stamp(actor="dir-lee"))
    with pytest.raises(InvalidValue) as refused:
        drafted.request_edit([], stamp(actor="dir-lee"))

    assert refused.value.field == "sections"
    requested = drafted.collect_events()[-1]
    assert isinstance(requested, AnnualReport.EditRequested)
    assert (requested.sections, requested.actor) == (["challenges", "caseloads"], "dir-lee")


def test_a_revision_by_someone_else_leaves_the_authors_draft_hash_alone() -> None:
    drafted = report()

    drafted.revise(EDITED, stamp(actor="dir-lee"))

    assert (drafted.content_sha256, drafted.author_draft_sha256) == (EDITED, DRAFT)


def test_a_revision_by_the_author_is_their_latest_draft() -> None:
    drafted = report()

    drafted.revise(EDITED, stamp(actor=AUTHOR))

    assert drafted.author_draft_sha256 == EDITED


@pytest.mark.parametrize("to", list(ReportRecipient))
def test_a_submission_carries_the_hash_of_what_was_submitted(to: ReportRecipient) -> None:
    drafted = report()

    drafted.submit(to, SENT, stamp(actor="dir-lee"))

    submitted = drafted.collect_events()[-1]
    assert isinstance(submitted, AnnualReport.Submitted)
    assert (submitted.to, submitted.content_sha256) == (to, SENT)
    assert drafted.author_draft_sha256 == DRAFT
    assert drafted.submitted_to == [to]


def test_a_submission_needs_a_well_formed_hash_and_a_known_recipient() -> None:
    with pytest.raises(InvalidValue) as no_hash:
        report().submit("ofsted", "not-a-hash", stamp())
    with pytest.raises(InvalidValue) as nobody:
        report().submit("the_press", SENT, stamp())
    assert (no_hash.value.field, nobody.value.field) == ("content_sha256", "to")


def test_a_withheld_report_records_the_reason() -> None:
    drafted = report()

    drafted.withhold("not in the council's interest", stamp(actor="dir-lee"))

    assert drafted.withheld


def test_nothing_happens_to_a_report_before_it_was_drafted() -> None:
    with pytest.raises(BadTiming):
        report(on="2024-04-01").submit("ofsted", SENT, stamp("2024-03-01"))
