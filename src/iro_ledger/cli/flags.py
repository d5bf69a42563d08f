"""`iro-ledger flags`: the flags of compromised independence, as a table or a JSON array.

It reads through the read service, which catches the flags up first, so it works straight
after `ingest` with no worker running, on either store. Deadline rules are judged as of
`--as-of` (default: today in England). Withdrawn flags (`--status withdrawn`) name the late
record that withdrew them and how late it was recorded.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import typer

from iro_ledger.cli.app import app
from iro_ledger.cli.core import Token, day_option, fail, principal_for, services
from iro_ledger.cli.tables import show, table
from iro_ledger.domain.errors import DomainError
from iro_ledger.projections.rules.config import load_config
from iro_ledger.reads.words import FLAG_STATUSES, RULE_NAMES, SEVERITIES
from iro_ledger.settings import get_settings


@app.command()
def flags(
    la: Annotated[str | None, typer.Option("--la", help="Only this authority's la_code.")]
    = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="The flags as they stood at the end of this day, YYYY-MM-DD "
                        "(default: today).")] = None,
    rule: Annotated[str | None, typer.Option(help=f"One of {', '.join(RULE_NAMES)}.")] = None,
    severity: Annotated[str | None, typer.Option(help=f"One of {', '.join(SEVERITIES)}.")]
    = None,
    status: Annotated[str | None, typer.Option(help=f"One of {', '.join(FLAG_STATUSES)}.")]
    = None,
    officer: Annotated[str | None, typer.Option(help="Only flags about this officer_id.")]
    = None,
    case: Annotated[str | None, typer.Option(help="Only flags about this case_id.")] = None,
    limit: Annotated[int | None, typer.Option(
        min=1, max=500, help="At most this many flags (a page); the cursor of the next page "
                             "is printed on stderr.")] = None,
    after: Annotated[str | None, typer.Option(
        help="The cursor a page printed: the page after it.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    token: Token = None,
) -> None:
    """Flags raised by the rules catalogue, each with its evidence and explanation."""
    day = day_option("--as-of", as_of)
    settings = get_settings()
    try:
        load_config(settings.rules_path)
    except DomainError as refused:
        fail(f"IRO_LEDGER_RULES_PATH: {refused}")
    principal = principal_for(settings, token)
    with services(settings) as built, built.reads.by(principal, "cli") as reader:
        try:
            if la is not None and reader.authority_name(la) is None:
                fail(f"no authority {la!r} is recorded")
            found = reader.flags(la, rule, severity, status, officer, case, day,
                                 limit=limit, after=after)
        except DomainError as refused:
            fail(str(refused))
    if found.next is not None:
        typer.echo(f"more: --after {found.next}", err=True)
    if as_json:
        typer.echo(json.dumps(found.public(), ensure_ascii=False))
        return
    _print(found.public(), found.as_of, found.total)


def _print(found: list[dict[str, Any]], day: date, total: int) -> None:
    """One row a flag: its id whole (to copy into `--json` filters or the dashboard), then
    where and when, what it is about and, for a withdrawn flag, the late record that did it."""
    shown = table("flag", "severity", "status", "events", whole=("flag",), spaced=True,
                  title=f"{len(found)} flags as of {day.isoformat()}"
                  + (f" (of {total})" if total != len(found) else ""))
    for flag in found:
        about = [f"{flag['la_code']}, raised {flag['raised_on']}",
                 *(f"{k} {v}" for k, v in flag["subjects"].items()), *_withdrawn_by(flag)]
        shown.add_row("\n".join([flag["id"], *about]), flag["severity"], flag["status"],
                      str(len(flag["evidence"])))
    show(shown)


def _withdrawn_by(flag: dict[str, Any]) -> list[str]:
    """For a withdrawn flag, the late record that withdrew it."""
    late = flag.get("withdrawn_by")
    if late is None:
        return []
    return [f"withdrawn by {late['kind']} {late['id']} event {late['event_number']}",
            f"(dated {late['occurred_on']}, recorded {late['days_late']} days late)"]
