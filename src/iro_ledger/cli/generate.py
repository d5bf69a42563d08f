"""`iro-ledger generate`: a synthetic history of fictional authorities, with its ground truth.

Writes FILE.jsonl (one command a line, ready for `iro-ledger ingest`) and FILE.truth.json
beside it (the flags that must follow, and the `as_of` day to judge deadline rules at).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from iro_ledger.cli.app import app
from iro_ledger.cli.core import fail
from iro_ledger.domain.limits import iso_day
from iro_ledger.generator import DEFAULT_END, GeneratorSpec, generate, write


@app.command("generate")
def generate_command(
    out: Annotated[Path, typer.Option("--out", help="The JSON Lines file to write.")],
    authorities: Annotated[int, typer.Option(help="Authorities with planted patterns.")] = 1,
    children: Annotated[int, typer.Option(help="Children entering care per authority.")] = 200,
    years: Annotated[int, typer.Option(help="Years of history.")] = 3,
    seed: Annotated[int, typer.Option(help="The same seed gives the same bytes.")] = 0,
    pattern_rate: Annotated[float, typer.Option(
        "--pattern-rate", help="Each planted pattern, on average, this many times per "
                               "patterned authority.")] = 1.0,
    healthy: Annotated[int, typer.Option(help="Further authorities with no pattern.")] = 0,
    end: Annotated[str, typer.Option(help="The history's last day, YYYY-MM-DD.")]
    = DEFAULT_END.isoformat(),
) -> None:
    """Write a realistic history of fictional authorities in the domain language, with
    patterns of compromised independence planted, and the flags that must follow."""
    try:
        last = iso_day(end)
    except ValueError as bad:
        fail(f"--end: {bad}")
    spec = GeneratorSpec(authorities=authorities, children=children, years=years, seed=seed,
                         pattern_rate=pattern_rate, healthy=healthy, end=last)
    started = time.perf_counter()
    try:
        generated = generate(spec)
    except ValueError as bad:
        fail(str(bad))
    seconds = time.perf_counter() - started
    try:
        truth = write(generated, out)
    except OSError as unwritable:
        fail(f"cannot write {out}: {unwritable.strerror or unwritable}")
    typer.echo(json.dumps({
        "out": str(out), "truth": str(truth), "lines": len(generated.lines),
        "expected_flags": len(generated.truth["flags"]), "as_of": generated.truth["as_of"],
        "seconds": round(seconds, 3),
        "lines_per_second": round(len(generated.lines) / seconds) if seconds > 0 else None,
    }))
