"""`iro-ledger challenges`: the challenge register of one authority, as a table or JSON.

It reads through the read service, as the API and the dashboard do: the same rules of who may
see what (`--token` reads as that token's principal; without it, as the local operator), the
register caught up with the store first, days counted to England's today unless `--as-of`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from iro_ledger.cli.app import app
from iro_ledger.cli.core import Token, day_option, fail, principal_for, services
from iro_ledger.cli.tables import cell, show, table
from iro_ledger.domain.errors import DomainError
from iro_ledger.reads.words import REGISTER_STATUSES, STAGES
from iro_ledger.settings import get_settings


@app.command()
def challenges(
    la: Annotated[str, typer.Option("--la", help="The authority's la_code.")],
    status: Annotated[str | None, typer.Option(
        help=f"One of {', '.join(REGISTER_STATUSES)}.")] = None,
    stage: Annotated[str | None, typer.Option(help=f"One of {', '.join(STAGES)}.")] = None,
    officer: Annotated[str | None, typer.Option(help="Only this officer_id's.")] = None,
    case: Annotated[str | None, typer.Option(help="Only challenges on this case_id.")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Count days to this day, YYYY-MM-DD (default: today).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 500,
    token: Token = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The challenge register: each challenge's stages, days at each, outcome and exits."""
    day = day_option("--as-of", as_of)
    settings = get_settings()
    principal = principal_for(settings, token)
    with services(settings) as built, built.reads.by(principal, "cli") as reader:
        try:
            found = reader.register(la, status, stage, officer, case, day, limit)
        except DomainError as refused:
            fail(str(refused))
    if as_json:
        typer.echo(json.dumps({"la_code": la, "as_of": found.as_of.isoformat(),
                               "total": found.total, "items": found.items}, ensure_ascii=False))
        return
    _print(la, found.items, found.total)


def _print(la: str, items: list[dict[str, Any]], total: int) -> None:
    shown = table("raised", "challenge", "case", "officer", "stage", "days open", "status",
                  whole=("raised", "challenge"), title=f"{la}: {len(items)} of {total} challenges")
    for item in items:
        shown.add_row(*(cell(item[k]) for k in ("raised_on", "challenge_id", "case_id",
                                                "officer_id", "stage", "days_open", "status")))
    show(shown)
