"""A small converter from the CSV form of the SSDA903 return to its XML form, for tests.

The shared sample holds only the CSV form, so the XML form is written from it here, in the
layout of the DfE's XML return: a root element, one CHILD per child holding its HEADER
(CHILDID and the child's other header items), its EPISODE elements and its REVIEW elements
(each REVIEW holding its own REVIEW date and REVIEW_CODE). Every column of each row is written
as an element, so the XML carries the same identifying items the CSV does (UPN, postcodes)
and the importer must drop them from this form too.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Mapping
from xml.sax.saxutils import escape

DATE_COLUMNS = frozenset({"DOB", "MC_DOB", "DECOM", "DEC", "REVIEW"})


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def _iso(day: str) -> str:
    """The XML form writes dates as xs:date (yyyy-mm-dd)."""
    parts = day.split("/")
    if len(parts) != 3:
        return day
    return f"{parts[2]}-{int(parts[1]):02d}-{int(parts[0]):02d}"


def _elements(row: Mapping[str, str], skip: frozenset[str], indent: str,
              rename: Mapping[str, str] | None = None, iso: bool = True) -> str:
    names = rename or {}
    return "".join(
        f"{indent}<{names.get(k, k)}>"
        f"{escape(_iso(v) if iso and k in DATE_COLUMNS else v)}</{names.get(k, k)}>\n"
        for k, v in row.items() if k not in skip and v)


def to_xml(texts: Mapping[str, str], iso_dates: bool = True) -> str:
    """The return's header.csv, episodes.csv and reviews.csv text as one XML document."""
    episodes: dict[str, list[dict[str, str]]] = defaultdict(list)
    reviews: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _rows(texts["episodes.csv"]):
        episodes[row["CHILD"]].append(row)
    for row in _rows(texts.get("reviews.csv", "CHILD\n")):
        reviews[row["CHILD"]].append(row)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<EXPSSDA903>\n']
    for child in _rows(texts["header.csv"]):
        key = child["CHILD"]
        out.append("  <CHILD>\n    <HEADER>\n")
        out.append(_elements(child, frozenset(), "      ", {"CHILD": "CHILDID"}, iso_dates))
        out.append("    </HEADER>\n")
        for episode in episodes.pop(key, []):
            out.append("    <EPISODE>\n")
            out.append(_elements(episode, frozenset({"CHILD"}), "      ", iso=iso_dates))
            out.append("    </EPISODE>\n")
        for review in reviews.pop(key, []):
            out.append("    <REVIEW>\n")
            out.append(_elements(review, frozenset({"CHILD", "DOB"}), "      ", iso=iso_dates))
            out.append("    </REVIEW>\n")
        out.append("  </CHILD>\n")
    out.append("</EXPSSDA903>\n")
    return "".join(out)
