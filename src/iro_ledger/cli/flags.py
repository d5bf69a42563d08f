"""`iro-ledger flags`: the flags of compromised independence, as a table or a JSON array.

It catches the read models up first, so it works straight after `ingest` with no worker
running, on either store. Deadline rules are judged as of `--as-of` (default: today).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from iro_ledger.cli.app import app
from iro_ledger.cli.core import fail, local_operator, services
from iro_ledger.domain.errors import DomainError
from iro_ledger.projections.flags import FlagQuery, Flags, read_flags
from iro_ledger.projections.rules.config import load_config
from iro_ledger.projections.rules.engine import RULE_NAMES
from iro_ledger.settings import get_settings

_SEVERITIES = ("info", "warning", "high", "critical")


@app.command()
def flags(
    la: Annotated[str | None, typer.Option("--la", help="Only this authority's la_code.")]
    = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="The flags as they stood at the end of this day, YYYY-MM-DD "
                        "(default: today).")] = None,
    rule: Annotated[str | None, typer.Option(help=f"One of {', '.join(RULE_NAMES)}.")] = None,
    severity: Annotated[str | None, typer.Option(help="info, warning, high or critical.")]
    = None,
    status: Annotated[str | None, typer.Option(help="open or cleared.")] = None,
    officer: Annotated[str | None, typer.Option(help="Only flags about this officer_id.")]
    = None,
    case: Annotated[str | None, typer.Option(help="Only flags about this case_id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Flags raised by the rules catalogue, each with its evidence and explanation."""
    day = _day(as_of)
    _check_choice("--rule", rule, RULE_NAMES)
    _check_choice("--severity", severity, _SEVERITIES)
    _check_choice("--status", status, ("open", "cleared", "withdrawn"))
    settings = get_settings()
    try:
        load_config(settings.rules_path)
    except DomainError as bad:
        fail(f"IRO_LEDGER_RULES_PATH: {bad}")
    with services(settings) as built:
        try:
            if la is not None:
                built.ledger.read("authority", la, la, local_operator())
            built.projections.catch_up(["flags"])
            model = built.projections.models["flags"]
            assert isinstance(model, Flags)
            query = FlagQuery([la] if la else None, rule, severity, status, officer, case)
            with built.projections.db.reading() as tx:
                found = [f.public() for f in read_flags(tx, model.config, query, day)]
        except DomainError as refused:
            fail(str(refused))
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False))
        return
    _print(found, day)


def _day(value: str | None) -> date:
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--as-of: {value!r} is not a date (YYYY-MM-DD)")


def _check_choice(option: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        fail(f"{option}: {value!r} is not one of {', '.join(allowed)}")


def _print(found: list[dict[str, Any]], day: date) -> None:
    table = Table("raised", "la", "rule", "severity", "status", "subjects", "evidence",
                  title=f"{len(found)} flags as of {day.isoformat()}")
    for flag in found:
        subjects = " ".join(f"{k}={v}" for k, v in flag["subjects"].items())
        table.add_row(flag["raised_on"], flag["la_code"], flag["rule"], flag["severity"],
                      flag["status"], subjects, str(len(flag["evidence"])))
    Console().print(table)
