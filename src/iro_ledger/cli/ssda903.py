"""`iro-ledger import-903`: an SSDA903 return's CSV files into the ledger, or into a batch file.

Children are named only by keyed pseudonyms; the key lives in a file (by default beside the
checkpoint signing key, made on first use) and must be kept: the same key gives the same
pseudonyms, so a re-import stores nothing new. docs/ssda903.md has the mapping.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from eventsourcing.persistence import PersistenceError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from iro_ledger.application import Ledger, Principal
from iro_ledger.application.ingest import Entry, IngestSummary, Rejection, ingest
from iro_ledger.cli.app import app
from iro_ledger.cli.core import fail, principal_for, services
from iro_ledger.domain.errors import DomainError, NotRecorded
from iro_ledger.domain.record import ENGLAND, check_ref
from iro_ledger.settings import get_settings
from iro_ledger.ssda903 import (
    PLACEHOLDER_IRO,
    Mapping,
    Options,
    PseudonymKeyError,
    Pseudonyms,
    ReturnFiles,
    UnusableInput,
    default_key_path,
    load_or_make_key,
    map_return,
    read_return,
)
from iro_ledger.wiring import Services

IMPORT_HELP = (
    "Import an SSDA903 return as commands in the domain language. RETURN is a directory of "
    "its CSV files (header.csv, episodes.csv and, if there is one, reviews.csv; dates "
    "dd/mm/yyyy or ISO; LA and YEAR columns of a multi-year extract), a directory of year "
    "directories (2017-18/, ...), or the XML form (a .xml file, or a directory holding one)."
    "\n\n"
    "Each period of care becomes a case named by a keyed pseudonym; placement moves, reviews "
    "and the end of care follow. UPNs, postcodes, dates of birth, sex and ethnicity are never "
    "read into the record. Rows that cannot be mapped are reported on stderr as FILE:LINE: "
    "reason and skipped; the last line on stdout is a JSON summary. Exit 0 when every row was "
    "mapped and accepted, 1 when some were skipped or refused, 2 when the input is unusable."
)


@app.command("import-903", help=IMPORT_HELP)
def import_903(
    directory: Annotated[Path, typer.Argument(
        metavar="RETURN", help="The return: a directory of CSV files or year directories, "
                               "or an XML file.")],
    la: Annotated[str, typer.Option("--la", help="The authority's la_code.")],
    name: Annotated[str | None, typer.Option(
        help="The authority's name: registers it if it is not yet recorded.")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Write the batch here (JSON Lines, for `iro-ledger ingest`) instead of "
             "recording it.")] = None,
    token: Annotated[str | None, typer.Option(help="Record as this token's principal.")]
    = None,
    year: Annotated[int | None, typer.Option(
        min=2000, max=2100,
        help="The collection year the return covers (the first of several), named for the "
             "31 March it ends on: 2018 for 2017-18. Default: the YEAR the files state, else "
             "the year holding the latest episode's start. A child already in care when it "
             "began is recorded from its first day.")] = None,
    key_file: Annotated[Path | None, typer.Option(
        envvar="IRO_LEDGER_903_KEY_FILE",
        help="The pseudonym key (default: keys/ssda903-LA.key beside the checkpoint signing "
             "key, made on first use). Keep it: another key gives other pseudonyms.")] = None,
) -> None:
    """Import an SSDA903 return (see IMPORT_HELP)."""
    settings = get_settings()
    try:
        check_ref("--la", la)
    except DomainError as bad:
        fail(str(bad))
    if name is not None and not name.strip():
        fail("--name: give the authority's name")
    key_path = key_file or default_key_path(settings.resolved_signing_key_path().parent, la)
    try:
        files = read_return(directory)
        key, made = load_or_make_key(key_path)
    except (PseudonymKeyError, UnusableInput) as unusable:
        fail(str(unusable))
    options = Options(la, Pseudonyms(key, la), datetime.now(ENGLAND).date(), name, year=year)
    summary: dict[str, Any] = {"key": str(key_path), "key_made": made,
                               "form": files.form, "years": list(files.years),
                               "repeated_across_years": files.repeats,
                               "reviews_shown": files.shows_reviews,
                               "not_read": list(files.not_read)}
    if out is not None:
        mapping = _mapped(files, options)
        _write(mapping, out, options)
        summary = {**mapping.summary(), "out": str(out), **summary}
        problems = len(mapping.skips)
    else:
        principal = principal_for(settings, token)
        with services(settings) as built:
            mapping, applied = _record(built, files, options, principal)
        summary = {**mapping.summary(), **applied, **summary}
        problems = len(mapping.skips) + applied["rejected"]
    typer.echo(json.dumps(summary))
    raise typer.Exit(1 if problems else 0)


def _mapped(files: ReturnFiles, options: Options) -> Mapping:
    """The return's commands; each skipped row reported on stderr as it is found."""
    mapping = map_return(files, options)
    for skip in mapping.skips:
        typer.echo(skip.report(), err=True)
    return mapping


def _write(mapping: Mapping, out: Path, options: Options) -> None:
    bodies = [command.body for command in mapping.commands]
    bodies.extend(mapping.data_quality(options.la_code, options.today))
    lines = "".join(json.dumps(body) + "\n" for body in bodies)
    try:
        out.write_text(lines, encoding="utf-8")
    except OSError as unwritable:
        fail(f"cannot write {out}: {unwritable.strerror or unwritable}")


def _record(built: Services, files: ReturnFiles, options: Options,
            principal: Principal) -> tuple[Mapping, dict[str, Any]]:
    """Map the return against what is recorded, then apply it through the ingest path."""
    ledger = built.ledger
    has_authority = _recorded(built, principal, "authority", options.la_code, options.la_code)
    if not has_authority and options.authority_name is None:
        fail(f"--la: authority {options.la_code!r} is not recorded; give --name to register it")
    has_officer = has_authority and _recorded(built, principal, "officer", options.la_code,
                                              PLACEHOLDER_IRO)
    options = Options(options.la_code, options.pseudonyms, options.today,
                      None if has_authority else options.authority_name,
                      register_officer=not has_officer, year=options.year,
                      recorded_periods=_periods_recorded(built, principal, options.la_code)
                      if has_authority else ())
    mapping = _mapped(files, options)
    console = Console(stderr=True)

    def report(rejection: Rejection) -> None:
        command = mapping.commands[rejection.line - 1]
        console.print(f"{command.where()}: {rejection.command}: {rejection.reason}",
                      markup=False, highlight=False, soft_wrap=True, emoji=False)

    try:
        outcome = _apply(ledger, mapping, principal, report)
        quality = _record_findings(ledger, mapping, options, principal)
    except PersistenceError as down:
        fail(f"the store failed during the import: {down}; rows before the failure may be "
             "recorded (importing again stores nothing twice)")
    return mapping, {"accepted": outcome.accepted, "replayed": outcome.replayed,
                     "rejected": len(outcome.rejected) + quality.rejected,
                     "data_quality": quality.status,
                     "data_quality_commands": quality.commands}


@dataclass(frozen=True)
class Findings:
    """What became of the import's data-quality findings."""

    status: str
    """`recorded`, `already_recorded` (the same findings, by an earlier import), `refused`
    (some or all) or `none` (every row was mapped)."""
    commands: int
    """How many `record_data_quality` commands held them."""
    rejected: int = 0


def _record_findings(ledger: Ledger, mapping: Mapping, options: Options,
                     principal: Principal) -> Findings:
    """The skipped rows recorded on the authority's record as data-quality batches, as
    many as it takes to keep every row."""
    findings = mapping.data_quality(options.la_code, options.today)
    if not findings:
        return Findings("none", 0)

    def report(rejection: Rejection) -> None:
        typer.echo(f"(import): {rejection.command}: {rejection.reason}", err=True)

    found = ingest(ledger, list(enumerate(findings, start=len(mapping.commands) + 1)),
                   principal, source="import", on_rejection=report)
    if found.rejected:
        return Findings("refused", len(findings), len(found.rejected))
    return Findings("already_recorded" if found.replayed == len(findings) else "recorded",
                    len(findings))


def _apply(ledger: Ledger, mapping: Mapping, principal: Principal,
           report: Callable[[Rejection], None]) -> IngestSummary:
    """Each case (and the authority and placeholder IRO first) as one atomic batch: one
    transaction per case instead of one per command; a progress bar on a terminal."""
    total = IngestSummary()
    groups = _groups(mapping)
    console = Console(stderr=True)
    with Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console,
                  disable=not console.is_terminal) as progress:
        task = progress.add_task("import", total=len(groups))
        for group in groups:
            summary = _apply_case(ledger, group, principal, report)
            total.accepted += summary.accepted
            total.replayed += summary.replayed
            total.rejected.extend(summary.rejected)
            progress.advance(task)
    return total


def _apply_case(ledger: Ledger, group: list[Entry], principal: Principal,
                report: Callable[[Rejection], None]) -> IngestSummary:
    """A batch the ledger refuses any line of is applied again line by line, so every good
    line is still recorded and each refused one reported, as `iro-ledger ingest` would. But
    when the case itself is refused (already recorded, by another principal's import: command
    ids are each principal's own), nothing more is added to it, so nothing is recorded twice.
    """
    summary = ingest(ledger, group, principal, atomic=True, source="import")
    if summary.committed:
        return summary
    head, rest = group[:1], group[1:]
    summary = ingest(ledger, head, principal, source="import", on_rejection=report)
    if summary.rejected and _name(head[0]) == "open_case":
        for number, body in rest:
            refused = Rejection(number, _name((number, body)),
                                "not applied: the case's open_case was refused")
            summary.rejected.append(refused)
            report(refused)
        return summary
    more = ingest(ledger, rest, principal, source="import", on_rejection=report)
    summary.accepted += more.accepted
    summary.replayed += more.replayed
    summary.rejected.extend(more.rejected)
    return summary


def _name(entry: Entry) -> str:
    body = entry[1]
    assert isinstance(body, dict)
    return str(body["command"])


def _groups(mapping: Mapping) -> list[list[Entry]]:
    """The numbered commands cut where each case begins."""
    groups: list[list[Entry]] = []
    for number, command in enumerate(mapping.commands, start=1):
        if not groups or command.body["command"] == "open_case":
            groups.append([])
        groups[-1].append((number, command.body))
    return groups


def _periods_recorded(built: Services, principal: Principal,
                      la_code: str) -> tuple[tuple[date, date], ...]:
    """The SSDA903 periods earlier imports recorded as covered for the authority."""
    view = built.ledger.read("authority", la_code, la_code, principal, record=False)
    return tuple((_day(e["begins_on"]), _day(e["ends_on"])) for e in view.events
                 if e["type"] == "SourcePeriodRecorded" and e["dataset"] == "ssda903")


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _recorded(built: Services, principal: Principal, kind: str, la_code: str,
              ref: str) -> bool:
    try:
        built.ledger.read(kind, la_code, ref, principal)
    except NotRecorded:
        return False
    except DomainError as refused:
        fail(f"--la: {refused}")
    return True
