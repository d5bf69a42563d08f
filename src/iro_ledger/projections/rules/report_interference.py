"""report_interference: management interfering with the IRO annual report.

Basis: NAIRO reports a director who sought to edit the IRO annual report before it went to
Ofsted, and an IRO manager's post deleted after refusing; the report is the IRO service's own
account of its work (IRO Handbook, chapter 7).

Three patterns, named in `details.pattern`, one flag per report and pattern (per recipient for
an altered submission):

- `edit_requested`: `AnnualReport.EditRequested` by anyone but the report's author who is not
  registered in an `exempt_roles` role (iro, iro_manager): a director or senior manager, or a
  requester the ledger does not know. Severity `high`. Cleared by a `Submitted` carrying the
  author's own last draft.
- `withheld`: `AnnualReport.Withheld`. Severity `high`. Cleared by any later `Submitted`.
- `altered_submission`: `AnnualReport.Submitted` whose hash differs from the author's last
  draft (the `Drafted` hash, or the author's own latest `Revised`). Severity `critical`.
  Cleared by a later `Submitted` to the same recipient carrying the author's draft.
"""

from __future__ import annotations

from iro_ledger.domain.report import AnnualReport
from iro_ledger.projections.rules.facts import Book, ReportFacts, said
from iro_ledger.projections.rules.flag import Severity
from iro_ledger.projections.rules.observe import Seen
from iro_ledger.projections.rules.unit import Context, RuleUnit

RULE = "report_interference"
BASIS = ("NAIRO reports a director who sought to edit the IRO annual report before it went to "
         "Ofsted; the annual report is the IRO service's own account of its work and must "
         "reach its readers as the IRO service wrote it (IRO Handbook, chapter 7).")


def react(book: Book, seen: Seen, ctx: Context) -> None:
    event = seen.event
    report = book.reports.get(seen.record)
    if report is None:
        return
    config = ctx.config.report_interference
    if isinstance(event, AnnualReport.EditRequested):
        requester = book.officers.get(seen.actor)
        if seen.actor == report.author or (requester and requester.role in config.exempt_roles):
            return
        sections = ", ".join(event.sections)
        _raise(book, report, seen, "edit_requested", config.edit_severity,
               f"On {said(seen.ref.occurred_on)}, {book.who(seen.actor)} asked for sections "
               f"({sections}) of the {report.year} IRO annual report {report.id}, written by "
               f"{book.who(report.author)}, to be edited.",
               {"requested_by": seen.actor, "sections": list(event.sections)})
    elif isinstance(event, AnnualReport.Withheld):
        _raise(book, report, seen, "withheld", config.withheld_severity,
               f"On {said(seen.ref.occurred_on)}, {book.who(seen.actor)} withheld the "
               f"{report.year} IRO annual report {report.id}, written by "
               f"{book.who(report.author)}, the stated reason being \"{event.reason}\".",
               {"withheld_by": seen.actor})
    elif isinstance(event, AnnualReport.Submitted):
        _submitted(book, report, seen, config.altered_severity)


def _submitted(book: Book, report: ReportFacts, seen: Seen, severity: Severity) -> None:
    event = seen.event
    faithful = event.content_sha256 == report.author_sha256
    for flag in book.open_flags(RULE, report_id=report.id):
        pattern = flag.details.get("pattern")
        if pattern == "withheld" or (faithful and pattern == "edit_requested") or (
                faithful and pattern == "altered_submission"
                and flag.details.get("to") == event.to):
            book.clear_flag(flag, seen.ref,
                            f"the report was submitted to {event.to.replace('_', ' ')}"
                            f"{' as its author last drafted it' if faithful else ''}.")
    if not faithful:
        _raise(book, report, seen, "altered_submission", severity,
               f"On {said(seen.ref.occurred_on)}, {book.who(seen.actor)} submitted the "
               f"{report.year} IRO annual report {report.id} to "
               f"{event.to.replace('_', ' ')} with contents (SHA-256 "
               f"{event.content_sha256[:12]}\u2026) that differ from the last draft of its "
               f"author {book.who(report.author)} (SHA-256 {report.author_sha256[:12]}\u2026).",
               {"submitted_by": seen.actor, "to": event.to,
                "submitted_sha256": event.content_sha256,
                "author_sha256": report.author_sha256}, per=event.to)


def _raise(book: Book, report: ReportFacts, seen: Seen, pattern: str, severity: Severity,
           what: str, details: dict[str, object], per: str = "") -> None:
    key = {"report_id": report.id, "pattern": pattern, **({"to": per} if per else {})}
    book.raise_flag(
        RULE, severity, {"report_id": report.id, "officer_id": report.author}, key=key,
        anchor=report.drafted, on=seen.ref.occurred_on, by=seen.ref,
        note=pattern.replace("_", " "), evidence=[report.drafted, seen.ref],
        explanation=f"{what} The IRO annual report is the IRO service's own account and must "
                    "reach its readers as the IRO service wrote it.",
        basis=BASIS, details={"pattern": pattern, "year": report.year, **details})


UNIT = RuleUnit(RULE, BASIS, react=react)
