"""Every form the return comes in reads to the same rows: ISO dates, multi-year extracts and
year directories (each child, episode and review once), no reviews file, the XML form."""

from __future__ import annotations

from pathlib import Path

import pytest

from iro_ledger.ssda903 import UnusableInput, map_return, parse_return, read_return
from iro_ledger.ssda903.files import parse_xml
from tests.ssda903_xml import to_xml
from tests.unit.ssda903.returns import (
    EPISODES,
    HEADER,
    HOME_POST,
    REVIEWS,
    UPN,
    episode,
    header,
    jsonl,
    named,
    options,
    review,
    texts,
)

RETURN = texts(("KX101", "KX202"),
               [episode("KX101", "03/04/2023", dec="20/05/2023", rec="X1"),
                episode("KX101", "20/05/2023", rne="P"),
                episode("KX202", "01/06/2023", dec="01/09/2023", rec="E11")],
               [review("KX101", "02/05/2023"), review("KX101", "01/11/2023", "PN5")])


def commands(files_texts: dict[str, str]) -> str:
    return jsonl(map_return(parse_return(files_texts), options()))


def test_iso_dates_map_to_the_same_commands_as_day_first_ones() -> None:
    iso = {name: text.replace("03/04/2023", "2023-04-03").replace("01/11/2023", "2023-11-01")
           for name, text in RETURN.items()}

    assert iso != RETURN
    assert commands(iso) == commands(RETURN)


def test_the_xml_form_maps_to_the_same_commands_as_the_csv_form() -> None:
    xml = to_xml(RETURN)
    assert "<UPN>" in xml and "<HOME_POST>" in xml  # the XML carries them; the batch must not

    mapping = map_return(parse_xml("return.xml", xml), options())

    assert jsonl(mapping) == commands(RETURN)
    assert UPN not in jsonl(mapping) and HOME_POST not in jsonl(mapping)
    assert mapping.skips == []


def test_namespace_prefixes_in_the_xml_form_are_passed_over() -> None:
    xml = to_xml(RETURN).replace("<EXPSSDA903>", '<d:EXPSSDA903 xmlns:d="urn:x-903">')
    xml = xml.replace("</EXPSSDA903>", "</d:EXPSSDA903>")
    xml = xml.replace("<CHILD>", "<d:CHILD>").replace("</CHILD>", "</d:CHILD>")

    assert jsonl(map_return(parse_xml("return.xml", xml), options())) == commands(RETURN)


def test_a_bad_row_in_the_xml_form_is_reported_at_its_element_line() -> None:
    bad = dict(RETURN, **{"reviews.csv": REVIEWS + review("KX101", "02/05/2023", "PN9")})
    xml = to_xml(bad)

    [skip] = map_return(parse_xml("return.xml", xml), options()).skips

    line = xml.splitlines()[skip.line - 1]
    assert skip.file == "return.xml" and line.strip() == "<REVIEW>"
    assert "REVIEW_CODE 'PN9'" in skip.reason


@pytest.mark.parametrize("text", ["<EXPSSDA903><CHILD>", "not xml at all", "<OTHER/>",
                                  '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'])
def test_xml_that_is_not_the_return_is_unusable(text: str) -> None:
    with pytest.raises(UnusableInput, match=r"return\.xml"):
        parse_xml("return.xml", text)


def test_without_a_reviews_file_the_return_shows_no_reviews() -> None:
    files = parse_return({k: v for k, v in RETURN.items() if k != "reviews.csv"})

    mapping = map_return(files, options())

    assert not files.shows_reviews and files.reviews == []
    assert named(mapping, "hold_review") == [] and len(named(mapping, "open_case")) == 2


def multi_year(*years: tuple[int, list[str], list[str]]) -> dict[str, str]:
    """One extract: LA and YEAR columns, each year's rows after its own column names."""
    def block(head: str, rows: list[str], year: int) -> str:
        return "LA,YEAR," + head + "".join(f"QZ1,{year},{row}" for row in rows)
    children = ("KX101", "KX202")
    return {
        "header.csv": "".join(block(HEADER, header(*children).splitlines(True)[1:], y)
                              for y, _, _ in years),
        "episodes.csv": "".join(block(EPISODES, e, y) for y, e, _ in years),
        "reviews.csv": "".join(block(REVIEWS, r, y) for y, _, r in years),
    }


def test_a_multi_year_extract_reads_each_child_episode_and_review_once() -> None:
    extract = multi_year(
        (2023, [episode("KX101", "03/04/2022", dec="20/05/2022", rec="X1"),
                episode("KX101", "20/05/2022", rne="P")], [review("KX101", "02/05/2022")]),
        (2024, [episode("KX101", "20/05/2022", rne="P", dec="01/03/2024", rec="E11"),
                episode("KX202", "2023-06-01")],
         [review("KX101", "2022-05-02"), review("KX101", "01/11/2022")]))

    files = parse_return(extract)
    mapping = map_return(files, options())

    assert files.years == (2023, 2024) and files.repeats == 4  # two children, an episode, a review
    assert [row.year for row in files.episodes] == [2023, 2024, 2024]
    assert len(named(mapping, "open_case")) == 2 and len(named(mapping, "hold_review")) == 2
    [closed] = named(mapping, "close_case")  # the later year knows how the episode ended
    assert closed["occurred_on"] == "2024-03-01"
    assert mapping.skips == []


def test_year_directories_read_as_one_return(tmp_path: Path) -> None:
    for year, decom in (("2022-23", "03/04/2022"), ("2023-24", "03/04/2022")):
        folder = tmp_path / year
        folder.mkdir()
        for name, text in texts(("KX101",), [episode("KX101", decom)],
                                [review("KX101", "02/05/2022")]).items():
            (folder / name).write_text(text)

    files = read_return(tmp_path)

    assert files.form == "csv-years" and files.years == (2023, 2024)
    assert len(files.episodes) == 1 and files.episodes[0].file == "2023-24/episodes.csv"
    assert len(files.header) == len(files.reviews) == 1


def test_an_xml_file_or_a_directory_holding_one_is_read(tmp_path: Path) -> None:
    (tmp_path / "return.xml").write_text(to_xml(RETURN))

    assert read_return(tmp_path / "return.xml").form == "xml"
    assert len(read_return(tmp_path).header) == 2


@pytest.mark.parametrize("name", ["return.json", "episodes.txt"])
def test_a_file_in_no_known_form_is_unusable(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("{}")

    with pytest.raises(UnusableInput):
        read_return(tmp_path / name)
    with pytest.raises(UnusableInput, match="holds no SSDA903 return"):
        read_return(tmp_path)
