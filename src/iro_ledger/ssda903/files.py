"""Reading an SSDA903 return's CSV files: only the columns the importer needs leave this module.

A return is a directory holding header.csv, episodes.csv and reviews.csv (names compared
without regard to case); its other files (missing.csv, uasc.csv, ...) are not read. Each row
keeps its file name and line number so every report can point at it. Columns the importer
does not need (UPN, postcodes, DOB, sex, ethnicity, placement details) are never copied out
of the csv reader.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REQUIRED: dict[str, tuple[str, ...]] = {
    "header.csv": ("CHILD",),
    "episodes.csv": ("CHILD", "DECOM", "RNE", "LS", "DEC", "REC"),
    "reviews.csv": ("CHILD", "REVIEW", "REVIEW_CODE"),
}
"""The files read and, for each, the only columns taken from it."""


class UnusableInput(Exception):
    """The return cannot be read at all: no directory, a missing file or column."""


@dataclass(frozen=True)
class Row:
    """One data row: where it is, and the needed columns' values, stripped."""

    file: str
    line: int
    """The line the row starts on; the column names are line 1."""
    fields: Mapping[str, str]

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


def read_return(directory: Path) -> ReturnFiles:
    """The return in `directory`; UnusableInput when a file or column is missing."""
    if not directory.is_dir():
        raise UnusableInput(f"{directory} is not a directory")
    present = {path.name.lower(): path for path in directory.iterdir() if path.is_file()}
    texts: dict[str, str] = {}
    for name in REQUIRED:
        path = present.get(name)
        if path is None:
            raise UnusableInput(f"{directory} has no {name}")
        try:
            texts[name] = decode(path.read_bytes())
        except OSError as unreadable:
            raise UnusableInput(f"cannot read {path}: {unreadable.strerror}") from None
    others = tuple(sorted(path.name for key, path in present.items() if key not in REQUIRED))
    return parse_return(texts, others)


def parse_return(texts: Mapping[str, str], not_read: tuple[str, ...] = ()) -> ReturnFiles:
    """The return from the three files' text (what the unit tests give it)."""
    rows = {name: read_rows(name, texts[name], columns) for name, columns in REQUIRED.items()}
    return ReturnFiles(rows["header.csv"], rows["episodes.csv"], rows["reviews.csv"], not_read)


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Latin-1: exports from spreadsheets
    are often Windows-encoded, and the columns read are plain ASCII either way."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_rows(name: str, text: str, columns: tuple[str, ...]) -> list[Row]:
    """Rows of one CSV file, keeping only `columns`; blank lines are skipped."""
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
    rows: list[Row] = []
    start = reader.line_num + 1
    try:
        for values in reader:
            if any(value.strip() for value in values):
                rows.append(Row(name, start, {
                    column: values[at].strip() if at < len(values) else ""
                    for column, at in index.items()}))
            start = reader.line_num + 1
    except csv.Error as bad:
        raise UnusableInput(f"{name}:{start}: not CSV ({bad})") from None
    return rows
