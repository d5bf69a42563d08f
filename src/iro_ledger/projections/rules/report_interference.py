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

Judged in valid time: the report's events in order of their dates (on one day, in the order
the report recorded them), the author's last draft being the one dated on or before the
submission. Records come late, so the whole report is judged again on each of its events (and
when a requester is registered): a back-dated request recorded after a faithful submission is
raised and cleared by it; a back-dated author's draft can show an "altered" submission was
faithful after all. Entries the history already holds stay; when one is no longer true the
flag is *withdrawn*, naming the late record, and raised afresh if it still applies.
"""

from __future__ import annotations

from typing import Any

from iro_ledger.domain.officer import Officer
from iro_ledger.domain.report import AnnualReport
from iro_ledger.projections.rules.config import ReportInterferenceConfig
from iro_ledger.projections.rules.facts import Book, ReportAct, ReportFacts, said
from iro_ledger.projections.rules.flag import Action, HistoryEntry, Ref, Severity
from iro_ledger.projections.rules.observe import Seen
from iro_ledger.projections.rules.unit import Context, RuleUnit

RULE = "report_interference"
BASIS = ("NAIRO reports a director who sought to edit the IRO annual report before it went to "
         "Ofsted; the annual report is the IRO service's own account of its work and must "
         "reach its readers as the IRO service wrote it (IRO Handbook, chapter 7).")

Line = tuple[str, str]
"""A flag's pattern and, for an altered submission, its recipient."""


def react(book: Book, seen: Seen, ctx: Context) -> None:
    event = seen.event
    if isinstance(event, AnnualReport.EditRequested | AnnualReport.Withheld
                  | AnnualReport.Submitted | AnnualReport.Revised):
        report = book.reports.get(seen.record)
        if report is not None:
            _judge(book, report, seen.ref, ctx.config.report_interference)
    elif isinstance(event, Officer.Registered):
        for report in book.reports.values():
            if any(a.actor == seen.record for a in report.edit_requests):
                _judge(book, report, seen.ref, ctx.config.report_interference)


def _interferes(book: Book, report: ReportFacts, request: ReportAct,
                config: ReportInterferenceConfig) -> bool:
    requester = book.officers.get(request.actor)
    return request.actor != report.author and not (
        requester is not None and requester.role in config.exempt_roles)


def _acts(book: Book, report: ReportFacts,
          config: ReportInterferenceConfig) -> list[tuple[str, ReportAct]]:
    """The report's interfering requests, withholdings and submissions, in valid-time order."""
    return sorted([*(("edit_requested", a) for a in report.edit_requests
                     if _interferes(book, report, a, config)),
                   *(("withheld", a) for a in report.withholdings),
                   *(("submitted", a) for a in report.submissions)],
                  key=lambda t: (t[1].ref.occurred_on, t[1].ref.event_number))


def disputes(book: Book, report: ReportFacts,
             config: ReportInterferenceConfig) -> list[tuple[str, ReportAct]]:
    """Each act that raised, or would raise, a flag on the report, with its pattern."""
    return [("altered_submission" if kind == "submitted" else kind, act)
            for kind, act in _acts(book, report, config)
            if kind != "submitted" or act.sha256 != report.author_sha256_at(act.ref)]


def _judge(book: Book, report: ReportFacts, by: Ref, config: ReportInterferenceConfig) -> None:
    """Settle every flag of the report from its events in valid-time order."""
    acts = _acts(book, report, config)
    lines: dict[Line, list[HistoryEntry]] = {}
    raisers: dict[Line, list[ReportAct]] = {}

    def raise_(line: Line, act: ReportAct) -> None:
        entries = lines.setdefault(line, [])
        raisers.setdefault(line, []).append(act)
        if not entries or entries[-1].action is Action.CLEARED:
            entries.append(HistoryEntry(action=Action.RAISED, on=act.ref.occurred_on,
                                        event=act.ref, note=line[0].replace("_", " ")))

    def clear(line: Line, act: ReportAct, note: str) -> None:
        entries = lines.get(line)
        if entries and entries[-1].action is Action.RAISED:
            entries.append(HistoryEntry(action=Action.CLEARED, on=act.ref.occurred_on,
                                        event=act.ref, note=note))

    for kind, act in acts:
        if kind != "submitted":
            raise_((kind, ""), act)
            continue
        faithful = act.sha256 == report.author_sha256_at(act.ref)
        to = act.to or ""
        note = (f"the report was submitted to {to.replace('_', ' ')}"
                f"{' as its author last drafted it' if faithful else ''}.")
        clear(("withheld", ""), act, note)
        if faithful:
            clear(("edit_requested", ""), act, note)
            clear(("altered_submission", to), act, note)
        else:
            raise_(("altered_submission", to), act)
    held = {(str(f.details.get("pattern")), str(f.details.get("to", "")))
            for f in book.rule_flags(RULE) if f.subjects["report_id"] == report.id}
    why = (f"{by.event_type} on {by.kind} {by.id}, dated {said(by.occurred_on)} and recorded "
           "after the flag was raised, changes what the report's records show; the flag is "
           "judged again from them.")
    for line in sorted(held | set(lines)):
        pattern, to = line
        key = {"report_id": report.id, "pattern": pattern, **({"to": to} if to else {})}
        entries = lines.get(line, [])
        flag: dict[str, Any] = {}
        if entries:
            latest = raisers[line][-1]
            what, details = _words(book, report, pattern, latest)
            flag = {"severity": _severity(pattern, config),
                    "subjects": {"report_id": report.id, "officer_id": report.author},
                    "evidence": [report.drafted, *(a.ref for a in raisers[line])],
                    "explanation": f"{what} The IRO annual report is the IRO service's own "
                                   "account and must reach its readers as the IRO service "
                                   "wrote it.",
                    "basis": BASIS,
                    "details": {"pattern": pattern, "year": report.year, **details}}
        book.settle(RULE, key, report.drafted, entries, by, why, **flag)


def _severity(pattern: str, config: ReportInterferenceConfig) -> Severity:
    return {"edit_requested": config.edit_severity, "withheld": config.withheld_severity,
            "altered_submission": config.altered_severity}[pattern]


def _words(book: Book, report: ReportFacts, pattern: str,
           act: ReportAct) -> tuple[str, dict[str, Any]]:
    """What happened, as the explanation says it, and the flag's details."""
    day, who, author = said(act.ref.occurred_on), book.who(act.actor), book.who(report.author)
    if pattern == "edit_requested":
        return (f"On {day}, {who} asked for sections ({act.said}) of the {report.year} IRO "
                f"annual report {report.id}, written by {author}, to be edited.",
                {"requested_by": act.actor, "sections": act.said.split(", ")})
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


UNIT = RuleUnit(RULE, BASIS, react=react)
