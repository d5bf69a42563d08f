"""Reading the return's rows: bad values reported by file and line, nothing identifying kept."""

from __future__ import annotations

import re
from datetime import date

import pytest

from iro_ledger.application.commands import parse_command
from iro_ledger.ssda903 import Pseudonyms, UnusableInput, parse_return
from iro_ledger.ssda903.codes import BadValue, parse_date
from iro_ledger.ssda903.files import decode, read_rows
from tests.unit.ssda903.returns import (
    DOB,
    EPISODES,
    ETHNIC,
    HOME_POST,
    KEY,
    LA,
    PL_POST,
    TODAY,
    UPN,
    URN,
    episode,
    jsonl,
    mapped,
    named,
    options,
    review,
    texts,
)


def test_a_date_is_day_month_year_or_iso() -> None:
    assert parse_date("DECOM", "03/04/2023") == date(2023, 4, 3)
    assert parse_date("DECOM", "3/4/2023") == date(2023, 4, 3)
    assert parse_date("DECOM", "2023-04-03") == date(2023, 4, 3)


@pytest.mark.parametrize("text", ["2023-4-3", "2023-02-30", "31/02/2023", "03/04/23", "",
                                  "04/03/2023T00:00", "soon"])
def test_anything_else_is_not_guessed_at(text: str) -> None:
    with pytest.raises(BadValue, match="DECOM"):
        parse_date("DECOM", text)


@pytest.mark.parametrize(("row", "says"), [
    (episode("KX101", "03-04-2023"),
     "DECOM '03-04-2023' is not a date in the form dd/mm/yyyy or yyyy-mm-dd"),
    (episode("KX101", "31/02/2023"), "DECOM '31/02/2023' is not a real date"),
    (episode("KX101", "01/02/2023", dec="01/01/2023", rec="E11"), "DEC 01/01/2023 is before"),
    (episode("KX101", "01/02/2023", ls="Z9"), "LS 'Z9' is not an SSDA903 LS code"),
    (episode("KX101", "01/02/2023", rne="Q"), "RNE 'Q' is not an SSDA903 RNE code"),
    (episode("KX101", "01/02/2023", dec="01/03/2023"), "REC empty is not"),
    (episode("", "01/02/2023"), "CHILD is empty"),
])
def test_an_episode_with_a_bad_value_is_reported_and_skipped(row: str, says: str) -> None:
    result = mapped(("KX101",), [row])

    [skip] = [s for s in result.skips if s.file == "episodes.csv"]
    assert skip.kind == "bad_value"
    assert skip.report().startswith("episodes.csv:2: ")
    assert says in skip.reason
    assert named(result, "open_case") == []


def test_a_review_with_an_unknown_participation_code_is_reported() -> None:
    result = mapped(("KX101",), [episode("KX101", "01/02/2023")],
                    [review("KX101", "27/02/2023", "PN9")])

    assert [s.report() for s in result.skips] == [
        "reviews.csv:2: REVIEW_CODE 'PN9' is not an SSDA903 participation code"]


def test_rows_of_a_child_missing_from_the_header_are_reported() -> None:
    result = mapped(("KX101",), [episode("KX202", "01/02/2023")],
                    [review("KX202", "27/02/2023")])

    assert {(s.file, s.kind) for s in result.skips} == {
        ("episodes.csv", "not_in_header"), ("reviews.csv", "not_in_header"),
        ("header.csv", "no_episodes")}


def test_nothing_identifying_from_the_return_appears_anywhere_in_the_batch() -> None:
    result = mapped(("KX101", "KX202"), [
        episode("KX101", "01/02/2023", dec="01/03/2023", rec="X1"),
        episode("KX101", "01/03/2023", rne="P", dec="30/09/2023", rec="E11"),
        episode("KX202", "01/01/2023"),
    ], [review("KX101", "27/02/2023"), review("KX202", "20/01/2023")])
    batch = jsonl(result)

    assert len(result.commands) == 9
    dob = parse_date("DOB", DOB).isoformat()
    for value in (UPN, HOME_POST, PL_POST, URN, DOB, dob, ETHNIC):
        assert value not in batch
    # CHILD ids hold letters that are not hex digits: no pseudonym can contain one by chance.
    assert "KX101" not in batch and "KX202" not in batch
    # Nor anything the commands do not name: every key is a field of the domain language.
    keys = set(re.findall(r'"([a-z_]+)": ', batch))
    assert keys <= {"command", "la_code", "occurred_on", "actor", "command_id", "name",
                    "officer_id", "role", "employment", "case_id", "child_ref",
                    "legal_status", "entered_care_on", "change", "summary", "via_review",
                    "iro_consulted", "chaired_by", "child_participation",
                    "child_seen_before", "reason", "short_breaks", "dataset", "begins_on",
                    "ends_on"}


def test_pseudonyms_are_stable_for_a_key_and_differ_by_key_and_by_authority() -> None:
    def child_ref(key: bytes = KEY, la: str = LA) -> object:
        result = mapped(("KX101",), [episode("KX101", "01/02/2023")], [],
                        options(key=key, la=la))
        return named(result, "open_case")[0]["child_ref"]

    assert child_ref() == child_ref() == Pseudonyms(KEY, LA).child_ref("KX101")
    assert child_ref(key=KEY[::-1]) != child_ref()
    assert child_ref(la="QZ2") != child_ref()


def test_a_key_too_short_to_be_a_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Pseudonyms(b"QZ1", LA)


def test_only_the_needed_columns_are_kept_and_lines_count_from_the_column_names() -> None:
    text = EPISODES + episode("KX101", "01/02/2023") + "\n" + '"KX202","01/03/2023","S","C2",' \
        '"N1","U1","PR1","","","","multi\nline","QY2 2QY","SC1"\n' + episode("KX303", "01/04/2023")

    rows = read_rows("episodes.csv", text, ("CHILD", "DECOM", "RNE", "LS", "DEC", "REC"))

    assert [(r.line, r["CHILD"]) for r in rows] == [(2, "KX101"), (4, "KX202"), (6, "KX303")]
    assert all(set(r.fields) == {"CHILD", "DECOM", "RNE", "LS", "DEC", "REC"} for r in rows)


def test_column_names_are_matched_without_regard_to_case_or_spaces() -> None:
    rows = read_rows("reviews.csv", " child ,Review,review_code\nKX101,27/02/2023,PN1\n",
                     ("CHILD", "REVIEW", "REVIEW_CODE"))

    assert rows[0].fields == {"CHILD": "KX101", "REVIEW": "27/02/2023", "REVIEW_CODE": "PN1"}


def test_a_missing_column_or_an_empty_file_makes_the_return_unusable() -> None:
    files = texts(("KX101",), [])
    with pytest.raises(UnusableInput, match=r"episodes\.csv: missing column"):
        parse_return({**files, "episodes.csv": "CHILD,DECOM,RNE,LS,DEC\n"})
    with pytest.raises(UnusableInput, match=r"reviews\.csv is empty"):
        parse_return({**files, "reviews.csv": ""})


def test_a_byte_order_mark_or_a_windows_export_is_read() -> None:
    assert decode("\ufeffCHILD\n".encode()) == "CHILD\n"
    assert decode("CHILD,Zoë\n".encode("cp1252")) == "CHILD,Zoë\n"


def test_findings_beyond_what_one_record_holds_are_split_and_none_is_lost() -> None:
    result = mapped(("KX101", "KX202", "KX303", "KX404"), [episode("KX101", "01/02/2023")],
                    [review("KX505", "27/02/2023")])

    parts = result.data_quality(LA, TODAY, per_command=2)

    assert [len(p["rows"]) for p in parts] == [2, 2]
    assert [row for p in parts for row in p["rows"]] == [
        f"{s.kind} {s.file}:{s.line}" for s in result.skips]
    assert [p["counts"] for p in parts] == [{"no_episodes": 2},
                                            {"no_episodes": 1, "not_in_header": 1}]
    assert len({p["command_id"] for p in parts}) == 2
    for part in parts:
        parse_command(part)
    [whole] = result.data_quality(LA, TODAY)
    assert whole["counts"] == {"no_episodes": 3, "not_in_header": 1}
