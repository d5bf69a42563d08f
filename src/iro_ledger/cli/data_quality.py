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
from iro_ledger.domain.limits import OFFSET_MAX
from iro_ledger.reads.results import DataQualityRead
from iro_ledger.settings import get_settings


@app.command("data-quality")
def data_quality(
    la: Annotated[str, typer.Option("--la", help="The authority's la_code.")],
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print a JSON array of batches (with --rows: the counts and the page).")]
    = False,
    rows: Annotated[bool, typer.Option(
        "--rows", help="Counts by dataset and kind, then the findings a page at a time.")]
    = False,
    dataset: Annotated[str | None, typer.Option(help="With --rows: only this dataset.")] = None,
    kind: Annotated[str | None, typer.Option(help="With --rows: only this kind.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="With --rows: rows a page.")] = 100,
    offset: Annotated[int, typer.Option(min=0, max=OFFSET_MAX,
                                        help="With --rows: rows to skip.")] = 0,
    token: Token = None,
) -> None:
    """Data-quality findings about an authority's data, one batch per import, or with --rows
    counted by dataset and kind and listed a page at a time (not flags)."""
    settings = get_settings()
    principal = principal_for(settings, token)
    with services(settings) as built, built.reads.by(principal, "cli") as reader:
        try:
            if reader.authority_name(la) is None:
                fail(f"no authority {la!r} is recorded")
            if rows:
                page = reader.data_quality_findings(la, dataset, kind, limit, offset)
            else:
                found = reader.data_quality(la)
        except DomainError as refused:
            fail(str(refused))
    if rows:
        _rows(page, as_json)
        return
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


def _rows(page: DataQualityRead, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"la_code": page.la_code, "findings": page.findings,
                               "by_dataset": page.by_dataset, "total": page.total,
                               "offset": page.offset, "limit": page.limit,
                               "rows": page.rows}, ensure_ascii=False))
        return
    counts = table("dataset", "kind", "findings",
                   title=f"{page.findings} data-quality findings about {page.la_code}")
    for dataset, kinds in page.by_dataset.items():
        for kind, count in kinds.items():
            counts.add_row(dataset, kind, str(count))
    show(counts)
    shown = table("dataset", "number", "finding", "recorded",
                  title=f"rows {page.offset + 1 if page.rows else 0}-"
                        f"{page.offset + len(page.rows)} of {page.total}")
    for row in page.rows:
        shown.add_row(row["dataset"], str(row["number"]), row["row"], row["recorded_on"])
    show(shown)
