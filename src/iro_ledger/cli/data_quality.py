"""`iro-ledger data-quality`: the data-quality findings recorded about an authority's data.

Findings (rows of an imported return that are impossible, contradictory, repeated or outside
what it covers) are not flags: they judge nobody, so they are shown here, never in `flags`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from iro_ledger.cli.app import app
from iro_ledger.cli.core import Token, fail, principal_for, services
from iro_ledger.cli.tables import show, table
from iro_ledger.domain.errors import DomainError
from iro_ledger.settings import get_settings


@app.command("data-quality")
def data_quality(
    la: Annotated[str, typer.Option("--la", help="The authority's la_code.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array of batches.")]
    = False,
    token: Token = None,
) -> None:
    """Data-quality findings about an authority's data, one batch per import (not flags)."""
    settings = get_settings()
    principal = principal_for(settings, token)
    with services(settings) as built, built.reads.by(principal, "cli") as reader:
        try:
            if reader.authority_name(la) is None:
                fail(f"no authority {la!r} is recorded")
            found = reader.data_quality(la)
        except DomainError as refused:
            fail(str(refused))
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False))
        return
    _print(la, found)


def _print(la: str, found: list[dict[str, Any]]) -> None:
    """One row a batch: when and from what, then each kind with its count."""
    total = sum(batch["findings"] for batch in found)
    shown = table("recorded", "dataset", "findings", "by kind", spaced=True,
                  title=f"{total} data-quality findings about {la}")
    for batch in found:
        kinds = "\n".join(f"{kind} {count}" for kind, count in batch["counts"].items())
        shown.add_row(batch["occurred_on"], batch["dataset"], str(batch["findings"]), kinds)
    show(shown)
