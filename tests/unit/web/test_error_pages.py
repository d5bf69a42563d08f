"""What a refused page says: plain sentences, parameters named as a person reads them."""

from __future__ import annotations

from iro_ledger.web.error_pages import label_of, refused, sentence, wrong_values
from iro_ledger.web.refusals import Refusal

BAD = Refusal(422, "invalid-value", "Check what you asked for")


def test_a_message_becomes_a_sentence_but_an_id_keeps_its_case() -> None:
    assert sentence("no authority 'X' is recorded") == "No authority 'X' is recorded."
    assert sentence("mgr-hale may not read EMR") == "mgr-hale may not read EMR."
    assert sentence("Done.") == "Done."


def test_a_tables_own_parameter_is_named_with_its_table() -> None:
    assert label_of("from") == "From"
    assert label_of("cases.sort") == "Cases: sort by"
    assert label_of("data-quality.page") == "Data quality: page"


def test_a_wrong_value_is_asked_again_and_the_rest_kept() -> None:
    page = wrong_values(BAD, [("cases.page", "'0' is not a page number")],
                        [("from", "2025-01-01"), ("cases.page", "0")])

    [asked] = page.asked
    assert (asked.name, asked.value) == ("cases.page", "0")
    assert asked.message == "Cases: page: '0' is not a page number."
    assert asked.hint.startswith("A whole number")
    assert page.kept == [("from", "2025-01-01")]


def test_a_wrong_value_no_field_names_is_said_in_the_page() -> None:
    page = wrong_values(BAD, [("la_code", "too long")], [])

    assert page.asked == [] and page.said == ["Too long."]


def test_a_refusal_says_what_to_do_next() -> None:
    page = refused(Refusal(404, "not-recorded", "Not recorded"), "no flag 'x'")

    assert page.title == "Page not found"
    assert page.said[0] == "No flag 'x'." and "check it is correct" in page.said[1]
