"""Batch ingest: commands in the domain language, one a line, through the Ledger's own path.

Each line is `{"command": NAME, ...fields}`; blank lines are ignored. A line that is not JSON,
names no known command, fails validation, or is refused by the ledger (not permitted, already
recorded, future-dated, unknown id, a broken rule) is rejected with its line number and records
nothing; good lines still apply. In atomic mode every line shares one unit of work, committed
only when no line was rejected, so a batch is all or nothing.

Not tied to the CLI: the API or an importer can reuse it, and the demo seeds through it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventsourcing.persistence import IntegrityError
from pydantic import ValidationError

from iro_ledger.application import Ledger, Outcome, Principal
from iro_ledger.application.commands import (
    CommandBase,
    NotACommand,
    decode_line,
    parse_command,
)
from iro_ledger.application.ledger import Request
from iro_ledger.domain.errors import DomainError, InvalidValue

Entry = tuple[int, str | dict[str, Any]]
"""A line number and either the line's text or an already parsed command object."""


@dataclass(frozen=True)
class Rejection:
    """One line the ledger refused, and why, naming the field where there is one."""

    line: int
    command: str
    """The command's name, or '?' when the line has none we can read."""
    reason: str

    def report(self) -> str:
        return f"line {self.line}: {self.command}: {self.reason}"


@dataclass
class IngestSummary:
    accepted: int = 0
    """Lines whose command was applied (or, in atomic mode, would have been)."""
    replayed: int = 0
    """Accepted lines whose `command_id` was seen before: answered again, nothing stored."""
    rejected: list[Rejection] = field(default_factory=list)
    committed: bool = True
    """False when an atomic batch was not committed, so nothing of it was recorded."""

    def as_dict(self) -> dict[str, Any]:
        summary: dict[str, Any] = {"accepted": self.accepted, "rejected": len(self.rejected)}
        if self.replayed:
            summary["replayed"] = self.replayed
        if not self.committed:
            summary["committed"] = False
        return summary


class LineError(Exception):
    """A line that cannot become a command."""

    def __init__(self, command: str, reason: str) -> None:
        super().__init__(reason)
        self.command = command
        self.reason = reason


def read_entries(path: Path) -> list[Entry]:
    """The file's non-blank lines with their numbers; raises OSError if it cannot be read.

    Lines are decoded one by one so that a stray byte rejects its own line, not the file.
    """
    entries: list[Entry] = []
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            text = f"\x00not UTF-8 text (byte {bad.start + 1})"
        if number == 1:
            text = text.removeprefix("\ufeff")
        if text.strip():
            entries.append((number, text))
    return entries


def numbered(commands: Iterable[dict[str, Any]]) -> list[Entry]:
    """Command objects numbered from 1, as if they were the lines of a file."""
    return list(enumerate(commands, start=1))


def parse_entry(data: str | dict[str, Any]) -> CommandBase:
    """One line (or object) as a validated command, or a LineError naming what is wrong."""
    if isinstance(data, str) and data.startswith("\x00"):
        raise LineError("?", data[1:])
    try:
        value = decode_line(data) if isinstance(data, str) else data
        return parse_command(value)
    except NotACommand as bad:
        raise LineError(bad.command, bad.reason) from None
    except ValidationError as invalid:  # parse_command checked the name before the fields
        raise LineError(str(value["command"]), _validation_reason(invalid)) from None


def _validation_reason(invalid: ValidationError) -> str:
    reasons = []
    for error in invalid.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "?"
        reasons.append(f"{where}: {error['msg']}")
    return "; ".join(reasons)


def _domain_reason(error: DomainError, command: CommandBase) -> str:
    """The refusal, led by the field it concerns where the message quotes that field's value.

    InvalidValue and BadTiming already begin with their field ("occurred_on: ...").
    """
    message = str(error)
    if isinstance(error, InvalidValue):
        return message
    for name, value in command:
        if isinstance(value, str) and f"{value!r}" in message and name not in message:
            return f"{name}: {message}"
    return message


Listener = Callable[[Rejection], None]


CHUNK = 500
"""Lines applied in one unit and stored in one transaction, outside atomic mode."""


def ingest(ledger: Ledger, entries: Iterable[Entry], principal: Principal, *,
           atomic: bool = False, source: str = "import",
           on_rejection: Listener | None = None,
           on_progress: Callable[[], None] | None = None) -> IngestSummary:
    """Apply every entry as `principal`; report each rejection as it happens.

    Lines are applied in order, each seeing what the lines before it recorded, and stored
    `CHUNK` at a time in one transaction (group commit: `Ledger.apply_together`); each line
    keeps its own answer, so a refused line takes no other down, as if recorded one by one.
    """
    summary = IngestSummary()

    def reject(number: int, command: str, reason: str) -> None:
        rejection = Rejection(number, command, reason)
        summary.rejected.append(rejection)
        if on_rejection is not None:
            on_rejection(rejection)

    if atomic:
        _ingest_atomic(ledger, entries, principal, source, summary, reject, on_progress)
        return summary
    chunk: list[tuple[int, CommandBase | LineError]] = []
    for number, data in _progressing(entries, on_progress):
        try:
            chunk.append((number, parse_entry(data)))
        except LineError as bad:
            chunk.append((number, bad))
        if len(chunk) >= CHUNK:
            _apply_chunk(ledger, chunk, principal, source, summary, reject)
            chunk = []
    _apply_chunk(ledger, chunk, principal, source, summary, reject)
    return summary


def _apply_chunk(ledger: Ledger, chunk: list[tuple[int, CommandBase | LineError]],
                 principal: Principal, source: str, summary: IngestSummary,
                 reject: Callable[[int, str, str], None]) -> None:
    requests = [Request(c, principal, source) for _, c in chunk if isinstance(c, CommandBase)]
    results = iter(ledger.apply_together(requests) if requests else [])
    for number, parsed in chunk:
        if isinstance(parsed, LineError):
            reject(number, parsed.command, parsed.reason)
            continue
        result = next(results)
        if isinstance(result, DomainError):
            reject(number, parsed.command_name(), _domain_reason(result, parsed))
            continue
        summary.accepted += 1
        summary.replayed += result.replayed


def _ingest_atomic(ledger: Ledger, entries: Iterable[Entry], principal: Principal,
                   source: str, summary: IngestSummary,
                   reject: Callable[[int, str, str], None],
                   on_progress: Callable[[], None] | None) -> None:
    """Every line in one unit, committed only if every line was good.

    Receipts are not looked up first: if the store refuses the commit (a line's command_id
    already recorded, a record changed meanwhile), the batch is applied again exactly, once.
    """
    commands: list[tuple[int, CommandBase]] = []
    for number, data in _progressing(entries, on_progress):
        try:
            commands.append((number, parse_entry(data)))
        except LineError as bad:
            reject(number, bad.command, bad.reason)
    for exact in (False, True):
        unit = ledger.unit_of_work(exact=exact)
        outcomes: list[Outcome] = []
        accepted = replayed = 0
        for number, command in commands:
            try:
                outcome = unit.apply(command, principal, source)
            except DomainError as refused:
                reject(number, command.command_name(), _domain_reason(refused, command))
                continue
            accepted += 1
            replayed += outcome.replayed
            if not outcome.replayed:
                outcomes.append(outcome)
        if summary.rejected:
            break
        try:
            unit.commit(outcomes)
        except IntegrityError:
            continue
        summary.accepted, summary.replayed = accepted, replayed
        return
    if not summary.rejected:
        # Another writer changed a record this batch touched; nothing of it was stored.
        reject(0, "?", "the batch was not committed: records changed while it was applied")
    summary.accepted = 0
    summary.replayed = 0
    summary.committed = False


def _progressing(entries: Iterable[Entry],
                 on_progress: Callable[[], None] | None) -> Iterator[Entry]:
    for entry in entries:
        yield entry
        if on_progress is not None:
            on_progress()
