"""report_interference: management interfering with the IRO annual report.

Basis: NAIRO reports a director who sought to edit the IRO annual report before it went to
Ofsted, and an IRO manager's post deleted after refusing; the report is the IRO service's own
account of its work (IRO Handbook, chapter 7).

Four patterns, named in `details.pattern`, one flag per report and pattern (per recipient for
an altered submission):

- `edit_requested`: `AnnualReport.EditRequested` by anyone but the report's author who is not
  registered in an `exempt_roles` role (iro, iro_manager): a director or senior manager, or a
  requester the ledger does not know. Severity `high`. Cleared by a `Submitted` carrying the
  author's own last draft.
- `edited`: `AnnualReport.Revised` by anyone but the author who is not registered in an
  `exempt_roles` role: the director editing the report themselves rather than asking (NAIRO:
  the director "wanted to edit/suppress the report"). Severity `edit_severity` (high). Cleared
  as an edit request is, by a `Submitted` carrying the author's own last draft: the author
  refused the edit.
- `withheld`: `AnnualReport.Withheld`. Severity `high`. Cleared by any later `Submitted`.
- `altered_submission`: `AnnualReport.Submitted` whose hash differs from the author's last
  draft (the `Drafted` hash, or the author's own latest `Revised`). Severity `critical`.
  Cleared by a later `Submitted` to the same recipient carrying the author's draft.

Judged in valid time: the report's events in order of their dates (on one day, in the order
the report recorded them), the author's last draft being the one dated on or before the
submission. Records come late, so the whole report is judged again on each of its events (and
when a requester is registered): a back-dated request recorded after a faithful submission is
raised and cleared by it; a back-dated author's draft can show an "altered" submission was
faithful after all. Entries the history already holds stay; when one is no longer true the
flag is *withdrawn*, naming the late record, and raised afresh if it still applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from iro_ledger.domain.officer import Officer
from iro_ledger.domain.report import AnnualReport
from iro_ledger.projections.base import Envelope, EventRef
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.config import ReportInterferenceConfig, RulesConfig
from iro_ledger.projections.rules.facts import ReportAct, ReportFacts
from iro_ledger.projections.rules.flag import Action, Flag, HistoryEntry, Severity
from iro_ledger.projections.rules.lifecycle import Finding, Verdict, cleared, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "report_interference"
BASIS = ("NAIRO reports a director who sought to edit the IRO annual report before it went to "
         "Ofsted; the annual report is the IRO service's own account of its work and must "
         "reach its readers as the IRO service wrote it (IRO Handbook, chapter 7).")

Line = tuple[str, str]
"""A flag's pattern and, for an altered submission, its recipient."""


def reads(book: Book, env: Envelope) -> Iterable[str]:
    event = env.event
    if isinstance(event, AnnualReport.EditRequested | AnnualReport.Withheld
                  | AnnualReport.Submitted | AnnualReport.Revised):
        if env.record in book.reports:
            yield env.record
    elif isinstance(event, Officer.Registered):
        yield from (r.id for r in book.reports.values()
                    if any(a.actor == env.record
                           for a in (*r.edit_requests, *r.outside_revisions)))


def judge(book: Book, report_id: str, config: RulesConfig) -> Verdict:
    """Every flag of the report, from its events in valid-time order."""
    report = book.reports[report_id]
    rule = config.report_interference
    lines: dict[Line, list[HistoryEntry]] = {}
    raisers: dict[Line, list[ReportAct]] = {}

    def raise_(line: Line, act: ReportAct) -> None:
        entries = lines.setdefault(line, [])
        raisers.setdefault(line, []).append(act)
        if not entries or entries[-1].action is Action.CLEARED:
            entries.append(raised(act.ref.occurred_on, act.ref, line[0].replace("_", " ")))

    def clear(line: Line, act: ReportAct, note: str) -> None:
        entries = lines.get(line)
        if entries and entries[-1].action is Action.RAISED:
            entries.append(cleared(act.ref, note))

    for kind, act in book.report_acts(report, rule.exempt_roles):
        if kind != "submitted":
            raise_((kind, ""), act)
            continue
        faithful = not book.is_report_dispute(report, act, kind, rule.exempt_roles)
        to = act.to or ""
        note = (f"the report was submitted to {to.replace('_', ' ')}"
                f"{' as its author last drafted it' if faithful else ''}.")
        clear(("withheld", ""), act, note)
        if faithful:
            clear(("edit_requested", ""), act, note)
            clear(("edited", ""), act, note)
            clear(("altered_submission", to), act, note)
        else:
            raise_(("altered_submission", to), act)
    found = []
    for line in sorted(lines):
        pattern, to = line
        latest = raisers[line][-1]
        what, details = _words(book, report, pattern, latest)
        found.append(Finding(
            key={"report_id": report.id, "pattern": pattern, **({"to": to} if to else {})},
            anchor=report.drafted, severity=_severity(pattern, rule),
            subjects={"report_id": report.id, "officer_id": report.author},
            timeline=lines[line], evidence=[report.drafted, *(a.ref for a in raisers[line])],
            explanation=f"{what} The IRO annual report is the IRO service's own account and "
                        "must reach its readers as the IRO service wrote it.",
            details={"pattern": pattern, "year": report.year, **details}))
    return Verdict({"report_id": report.id}, found, _why_not)


def _why_not(flag: Flag, by: EventRef) -> str:
    return (f"{by.event_type} on {by.kind} {by.id}, dated {said(by.occurred_on)} and recorded "
            "after the flag was raised, changes what the report's records show; the flag is "
            "judged again from them.")


def _severity(pattern: str, config: ReportInterferenceConfig) -> Severity:
    return {"edit_requested": config.edit_severity, "edited": config.edit_severity,
            "withheld": config.withheld_severity,
            "altered_submission": config.altered_severity}[pattern]


def _words(book: Book, report: ReportFacts, pattern: str,
           act: ReportAct) -> tuple[str, dict[str, Any]]:
    """What happened, as the explanation says it, and the flag's details."""
    day, who, author = said(act.ref.occurred_on), book.who(act.actor), book.who(report.author)
    if pattern == "edit_requested":
        return (f"On {day}, {who} asked for sections ({act.said}) of the {report.year} IRO "
                f"annual report {report.id}, written by {author}, to be edited.",
                {"requested_by": act.actor, "sections": act.said.split(", ")})
    if pattern == "edited":
        return (f"On {day}, {who} edited the {report.year} IRO annual report {report.id}, "
                f"written by {author}, themselves (a revision with contents SHA-256 "
                f"{(act.sha256 or '')[:12]}\u2026).",
                {"edited_by": act.actor, "edited_sha256": act.sha256})
    if pattern == "withheld":
        return (f"On {day}, {who} withheld the {report.year} IRO annual report {report.id}, "
                f"written by {author}, the stated reason being \"{act.said}\".",
                {"withheld_by": act.actor})
    drafted = report.author_sha256_at(act.ref)
    sent = act.sha256 or ""
    return (f"On {day}, {who} submitted the {report.year} IRO annual report {report.id} to "
            f"{(act.to or '').replace('_', ' ')} with contents (SHA-256 {sent[:12]}\u2026) that "
            f"differ from the last draft of its author {author} (SHA-256 "
            f"{drafted[:12]}\u2026).",
            {"submitted_by": act.actor, "to": act.to, "submitted_sha256": sent,
             "author_sha256": drafted})


RULE = Rule(NAME, BASIS, reads=reads, judge=judge)
