"""`iro-ledger timeline`: every event touching one case, as a table or JSON.

It reads through the read service, as the API and the dashboard do (who may see what, the
timeline caught up with the store first). Each entry says how late it was recorded
(`days_late`: days from the day it claims to the day it was stored), so a back-dated record
stands out where it sits.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from iro_ledger.cli.app import app
from iro_ledger.cli.core import Token, fail, principal_for, services
from iro_ledger.cli.tables import cell, show, table
from iro_ledger.domain.errors import DomainError
from iro_ledger.settings import get_settings


@app.command()
def timeline(
    case_id: Annotated[str, typer.Argument(help="The case's case_id.")],
    la: Annotated[str, typer.Option("--la", help="The authority's la_code.")],
    token: Token = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A case's timeline in the order things happened, with who recorded each and how late."""
    settings = get_settings()
    principal = principal_for(settings, token)
    with services(settings) as built, built.reads.by(principal, "cli") as reader:
        try:
            found = reader.timeline(la, case_id)
        except DomainError as refused:
            fail(str(refused))
    if as_json:
        typer.echo(json.dumps(found.doc, ensure_ascii=False))
        return
    _print(found.doc)


def _print(doc: dict[str, Any]) -> None:
    title = f"{doc['la_code']} case {doc['case_id']}: {len(doc['entries'])} events"
    shown = table("happened", "event", "actor", "recorded", "days late", whole=("happened",),
                  spaced=True, title=title)
    for entry in doc["entries"]:
        ref = entry["ref"]
        by = entry["recorded_by"] + (f" for {entry['on_behalf_of']}"
                                     if entry["on_behalf_of"] else "")
        shown.add_row(entry["occurred_on"],
                      f"{ref['type']}\n{ref['kind']} {ref['id']} #{ref['number']}",
                      cell(entry["actor"]), f"{entry['recorded_at'][:10]}\nby {by}",
                      cell(entry["days_late"]))
    show(shown)
