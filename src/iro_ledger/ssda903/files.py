"""Reading an SSDA903 return in each form it comes in: only the columns the importer needs leave
this module.

The forms read:
- a directory of CSV files, header.csv, episodes.csv and, if the authority has it,
  reviews.csv (names compared without regard to case); other files (missing.csv, uasc.csv,
  ...) are not read;
- a multi-year extract: the same files with LA and YEAR columns (several years' rows in one
  file, the column names repeated where years were joined), or a directory of year
  directories (named for the year, e.g. 2017/ or 2017-18/), each holding one year's files;
- the XML form submitted to the DfE: one .xml file (or a directory holding one), a CHILD
  element per child with its HEADER (CHILDID), EPISODE and REVIEW elements.

Several years of the return repeat the same children, episodes and reviews: a child is read
once, an episode (CHILD, DECOM) from the latest year holding it (which knows how it ended), a
review (CHILD, REVIEW) once. Each row keeps its file name and line number so every report can
point at it. Columns the importer does not need (UPN, postcodes, DOB, sex, ethnicity,
placement details) are never copied out of the reader.
"""

from __future__ import annotations

import csv
import io
import re
import xml.parsers.expat
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from iro_ledger.ssda903.codes import BadValue, parse_date

REQUIRED: dict[str, tuple[str, ...]] = {
    "header.csv": ("CHILD",),
    "episodes.csv": ("CHILD", "DECOM", "RNE", "LS", "DEC", "REC"),
    "reviews.csv": ("CHILD", "REVIEW", "REVIEW_CODE"),
}
"""The files read and, for each, the only columns taken from it."""

OPTIONAL = frozenset({"reviews.csv"})
"""Files a return may lack: without reviews.csv it shows no reviews, and none are judged."""

YEAR = "YEAR"
"""A multi-year extract's column: the collection year (ending 31 March) a row belongs to."""

_YEAR_NAME = re.compile(r"^(\d{4})(?:[-_/](\d{2}|\d{4}))?$")


class UnusableInput(Exception):
    """The return cannot be read at all: no directory, a missing file or column, bad XML."""


@dataclass(frozen=True)
class Row:
    """One data row: where it is, and the needed columns' values, stripped."""

    file: str
    line: int
    """The line the row starts on; the column names are line 1."""
    fields: Mapping[str, str]
    year: int | None = None
    """The collection year (ending 31 March) the row came in, where the return says."""

    def __getitem__(self, column: str) -> str:
        return self.fields[column]

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Skip:
    """A row left out of the import, and why; `kind` groups the reasons for the summary."""

    file: str
    line: int
    kind: str
    reason: str

    def report(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class ReturnFiles:
    header: list[Row]
    episodes: list[Row]
    reviews: list[Row]
    not_read: tuple[str, ...] = ()
    """Other files in the directory, named so the summary shows they were left alone."""
    shows_reviews: bool = True
    """False when the return has no reviews file: it then says nothing about reviews."""
    years: tuple[int, ...] = ()
    """The collection years the return says it covers (YEAR columns, year directories)."""
    form: str = "csv"
    """csv, csv-years (a directory of year directories) or xml."""
    repeats: int = 0
    """Rows dropped because another year of the return holds the same child, episode or
    review."""


def read_return(path: Path) -> ReturnFiles:
    """The return at `path` in whichever form it is; UnusableInput when it cannot be read."""
    if path.is_file():
        if path.suffix.lower() == ".xml":
            return parse_xml(path.name, _read(path))
        raise UnusableInput(f"{path} is not an SSDA903 return: give a directory of CSV files "
                            "or the XML form (.xml)")
    if not path.is_dir():
        raise UnusableInput(f"{path} is not a directory")
    present = {p.name.lower(): p for p in path.iterdir() if p.is_file()}
    if "header.csv" in present or "episodes.csv" in present:
        return _read_csv_directory(path, present)
    years = sorted((_year_of(p.name), p) for p in path.iterdir()
                   if p.is_dir() and _year_of(p.name) is not None)
    if years:
        return _read_years([(year, directory) for year, directory in years if year is not None])
    xmls = [p for name, p in present.items() if name.endswith(".xml")]
    if len(xmls) == 1:
        return parse_xml(xmls[0].name, _read(xmls[0]))
    raise UnusableInput(
        f"{path} holds no SSDA903 return: no header.csv, no year directories (e.g. 2017-18/) "
        + ("and more than one .xml file" if xmls else "and no .xml file"))


def parse_return(texts: Mapping[str, str], not_read: tuple[str, ...] = (),
                 year: int | None = None, prefix: str = "") -> ReturnFiles:
    """The return from its CSV files' text (what the unit tests give it); a name missing from
    `texts` that the return may lack is read as absent."""
    rows: dict[str, list[Row]] = {}
    for name, columns in REQUIRED.items():
        if name not in texts and name in OPTIONAL:
            rows[name] = []
            continue
        rows[name] = read_rows(prefix + name, texts[name], columns, year)
    every = [row for found in rows.values() for row in found]
    years = tuple(sorted({row.year for row in every if row.year is not None}))
    return _merged(rows["header.csv"], rows["episodes.csv"], rows["reviews.csv"], not_read,
                   "reviews.csv" in texts, years, "csv")


def _read(path: Path) -> str:
    try:
        return decode(path.read_bytes())
    except OSError as unreadable:
        raise UnusableInput(f"cannot read {path}: {unreadable.strerror}") from None


def _year_of(name: str) -> int | None:
    """A year directory's collection year: 2018 and 2017-18 both name the year ending
    31 March 2018."""
    found = _YEAR_NAME.match(name)
    if found is None:
        return None
    first = int(found[1])
    return first + 1 if found[2] is not None else first


def _texts(directory: Path, present: Mapping[str, Path]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for name in REQUIRED:
        path = present.get(name)
        if path is None:
            if name in OPTIONAL:
                continue
            raise UnusableInput(f"{directory} has no {name}")
        texts[name] = _read(path)
    return texts


def _read_csv_directory(directory: Path, present: Mapping[str, Path]) -> ReturnFiles:
    others = tuple(sorted(path.name for key, path in present.items() if key not in REQUIRED))
    return parse_return(_texts(directory, present), others)


def _read_years(years: list[tuple[int, Path]]) -> ReturnFiles:
    """A directory of year directories: every year's rows, then the repeats taken out."""
    parts: list[ReturnFiles] = []
    for year, directory in years:
        present = {p.name.lower(): p for p in directory.iterdir() if p.is_file()}
        texts = _texts(directory, present)
        parts.append(parse_return(texts, (), year, f"{directory.name}/"))
    others = tuple(sorted({name for part in parts for name in part.not_read}))
    return _merged([r for p in parts for r in p.header], [r for p in parts for r in p.episodes],
                   [r for p in parts for r in p.reviews], others,
                   any(part.shows_reviews for part in parts),
                   tuple(year for year, _ in years), "csv-years")


def _merged(header: list[Row], episodes: list[Row], reviews: list[Row],
            not_read: tuple[str, ...], shows_reviews: bool, years: tuple[int, ...],
            form: str) -> ReturnFiles:
    """One return from rows of one or several years, each child, episode and review once."""
    header, dropped_header = _once_across_years(header, lambda r: r["CHILD"], latest=False)
    episodes, dropped_episodes = _once_across_years(
        episodes, lambda r: (r["CHILD"], _day(r["DECOM"])), latest=True)
    reviews, dropped_reviews = _once_across_years(
        reviews, lambda r: (r["CHILD"], _day(r["REVIEW"])), latest=False)
    return ReturnFiles(header, episodes, reviews, not_read, shows_reviews, years, form,
                       dropped_header + dropped_episodes + dropped_reviews)


def _day(text: str) -> str:
    """A date's one spelling, so a row written dd/mm/yyyy one year and ISO the next matches."""
    try:
        return parse_date("", text).isoformat()
    except BadValue:
        return text


def _once_across_years(rows: list[Row], key: Callable[[Row], Hashable],
                       latest: bool) -> tuple[list[Row], int]:
    """Rows whose key another year also holds are kept once (the latest year's when `latest`,
    else the earliest's); repeats within one year are left for the mapping to report."""
    if not any(row.year is not None for row in rows):
        return rows, 0
    chosen: dict[Hashable, int] = {}
    for row in rows:
        year = row.year if row.year is not None else 0
        held = chosen.get(key(row))
        if held is None or (year > held if latest else year < held):
            chosen[key(row)] = year
    kept = [row for row in rows if chosen[key(row)] == (row.year or 0)]
    return kept, len(rows) - len(kept)


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Latin-1: exports from spreadsheets
    are often Windows-encoded, and the columns read are plain ASCII either way."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_rows(name: str, text: str, columns: tuple[str, ...],
              year: int | None = None) -> list[Row]:
    """Rows of one CSV file, keeping only `columns` (and YEAR); blank lines and the column
    names repeated (where years of an extract were joined) are skipped."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        head = next(reader)
    except StopIteration:
        raise UnusableInput(f"{name} is empty; expected columns {', '.join(columns)}") from None
    except csv.Error as bad:
        raise UnusableInput(f"{name}:1: not CSV ({bad})") from None
    names = [column.strip().upper() for column in head]
    missing = [column for column in columns if column not in names]
    if missing:
        raise UnusableInput(f"{name}: missing column(s) {', '.join(missing)}")
    index = {column: names.index(column) for column in columns}
    year_at = names.index(YEAR) if YEAR in names else None
    rows: list[Row] = []
    start = reader.line_num + 1
    try:
        for values in reader:
            cleaned = [value.strip() for value in values]
            if any(cleaned) and [value.upper() for value in cleaned] != names:
                rows.append(Row(name, start, {
                    column: cleaned[at] if at < len(cleaned) else ""
                    for column, at in index.items()}, _row_year(cleaned, year_at, year)))
            start = reader.line_num + 1
    except csv.Error as bad:
        raise UnusableInput(f"{name}:{start}: not CSV ({bad})") from None
    return rows


def _row_year(values: list[str], at: int | None, default: int | None) -> int | None:
    if at is None or at >= len(values):
        return default
    return _year_of(values[at]) or default


# The XML form ------------------------------------------------------------------------------

_XML_FIELDS = {
    "EPISODE": ("DECOM", "RNE", "LS", "DEC", "REC"),
    "REVIEW": ("REVIEW", "REVIEW_CODE"),
}
"""The only elements read within each EPISODE and REVIEW; the rest are never kept."""


@dataclass
class _XmlReader:
    """Collects CHILD / HEADER / EPISODE / REVIEW elements as rows, each with its line."""

    name: str
    header: list[Row] = field(default_factory=list)
    episodes: list[Row] = field(default_factory=list)
    reviews: list[Row] = field(default_factory=list)
    stack: list[str] = field(default_factory=list)
    child_line: int = 0
    child: str = ""
    open_row: tuple[str, int, dict[str, str]] | None = None
    child_rows: list[tuple[str, int, dict[str, str]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    line: Callable[[], int] = lambda: 0

    def start(self, tag: str, _attributes: dict[str, str]) -> None:
        tag = _local(tag)
        self.text = []
        if tag == "CHILD" and not self.stack_has("CHILD"):
            self.child_line, self.child, self.child_rows = self.line(), "", []
        elif tag in _XML_FIELDS and self.stack_has("CHILD") and self.open_row is None:
            self.open_row = (tag, self.line(), {})
        self.stack.append(tag)

    def stack_has(self, tag: str) -> bool:
        return tag in self.stack

    def end(self, _tag: str) -> None:
        tag = self.stack.pop()
        value = "".join(self.text).strip()
        self.text = []
        if tag == "CHILDID" and self.stack_has("CHILD"):
            self.child = value
        elif self.open_row is not None and tag in _XML_FIELDS[self.open_row[0]] and \
                self.stack and self.stack[-1] == self.open_row[0]:
            self.open_row[2][tag] = value
        elif self.open_row is not None and tag == self.open_row[0] and not (
                self.stack and self.stack[-1] == tag):
            self.child_rows.append(self.open_row)
            self.open_row = None
        elif tag == "CHILD" and not self.stack_has("CHILD"):
            self._close_child()

    def chars(self, data: str) -> None:
        self.text.append(data)

    def _close_child(self) -> None:
        self.header.append(Row(self.name, self.child_line, {"CHILD": self.child}))
        for kind, line, values in self.child_rows:
            fields = {"CHILD": self.child, **{f: values.get(f, "") for f in _XML_FIELDS[kind]}}
            (self.episodes if kind == "EPISODE" else self.reviews).append(
                Row(self.name, line, fields))


def _local(tag: str) -> str:
    """An element's name without its namespace prefix (`ns:CHILD`, `{uri}CHILD`)."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].upper()


def parse_xml(name: str, text: str) -> ReturnFiles:
    """The XML form: each CHILD's HEADER/CHILDID, EPISODE and REVIEW elements (a REVIEW holds
    its own REVIEW date and REVIEW_CODE), namespaces and wrapper elements ignored."""
    reader = _XmlReader(name)
    parser = xml.parsers.expat.ParserCreate()
    reader.line = lambda: parser.CurrentLineNumber
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.chars
    parser.EntityDeclHandler = lambda *_: _no_entities(name)
    try:
        parser.Parse(text.removeprefix("\ufeff"), True)
    except xml.parsers.expat.ExpatError as bad:
        why = xml.parsers.expat.ErrorString(bad.code)
        raise UnusableInput(f"{name}:{bad.lineno}: not XML ({why})") from None
    if not reader.header:
        raise UnusableInput(f"{name}: no CHILD element; not the XML form of the SSDA903 return")
    return _merged(reader.header, reader.episodes, reader.reviews, (), True, (), "xml")


def _no_entities(name: str) -> None:
    raise UnusableInput(f"{name}: the XML declares entities; the return never does")
