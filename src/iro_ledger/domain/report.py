"""The IRO annual report: drafts, edit requests, revisions, submission or withholding.

Contents are held outside the ledger; the record keeps their SHA-256 so that what was
submitted can be compared with what the IRO manager drafted.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from iro_ledger.domain.errors import InvalidValue
from iro_ledger.domain.record import LedgerRecord, Stamp, check_choice
from iro_ledger.domain.values import ReportRecipient

_SHA256 = re.compile(r"[0-9a-f]{64}")


def check_sha256(value: str) -> None:
    if not _SHA256.fullmatch(value):
        raise InvalidValue("content_sha256", "must be 64 lowercase hexadecimal characters")


class AnnualReport(LedgerRecord):
    KIND = "report"

    def __init__(self, la_code: str, ref: str, occurred_on: date, year: int, author: str,
                 content_sha256: str) -> None:
        super().__init__(la_code, ref, occurred_on)
        self.year = year
        self.author = author
        self.content_sha256 = content_sha256
        """The latest version's hash, whoever revised it."""
        self.author_draft_sha256 = content_sha256
        """The hash of the report author's own latest draft."""
        self.submitted_to: list[str] = []
        self.withheld = False

    class Drafted(LedgerRecord.Created):
        year: int
        author: str
        content_sha256: str

    class EditRequested(LedgerRecord.Event):
        sections: list[str]

    class Revised(LedgerRecord.Event):
        content_sha256: str

        def apply(self, aggregate: Any) -> None:
            aggregate.content_sha256 = self.content_sha256
            if self.actor == aggregate.author:
                aggregate.author_draft_sha256 = self.content_sha256

    class Submitted(LedgerRecord.Event):
        to: str
        content_sha256: str

        def apply(self, aggregate: Any) -> None:
            aggregate.submitted_to.append(self.to)

    class Withheld(LedgerRecord.Event):

        ERASABLE = ("reason",)
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.withheld = True

    @classmethod
    def draft(cls, la_code: str, report_id: str, year: int, author: str, content_sha256: str,
              stamp: Stamp) -> AnnualReport:
        check_sha256(content_sha256)
        if not 2000 <= year <= stamp.occurred_on.year + 1:
            raise InvalidValue("year", f"{year} is not a plausible report year")
        return cls._begin(cls.Drafted, la_code, report_id, stamp, year=year, author=author,
                          content_sha256=content_sha256)

    def request_edit(self, sections: list[str], stamp: Stamp) -> None:
        if not sections:
            raise InvalidValue("sections", "name the sections to be edited")
        self._record(self.EditRequested, stamp, sections=sections)

    def revise(self, content_sha256: str, stamp: Stamp) -> None:
        check_sha256(content_sha256)
        self._record(self.Revised, stamp, content_sha256=content_sha256)

    def submit(self, to: str, content_sha256: str, stamp: Stamp) -> None:
        """Submission carries the hash of what was actually sent, which may differ."""
        check_choice("to", to, ReportRecipient)
        check_sha256(content_sha256)
        self._record(self.Submitted, stamp, to=to, content_sha256=content_sha256)

    def withhold(self, reason: str, stamp: Stamp) -> None:
        self._record(self.Withheld, stamp, reason=reason)
