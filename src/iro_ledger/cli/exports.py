"""The CLI's exports: a dispute's bundle (JSON to check, PDF to read), the OCEL event log.

Both read through the read service as the CLI's principal (the local operator, or `--token`).
Files already there are never overwritten: a bundle is evidence.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from iro_ledger.cli.app import app
from iro_ledger.cli.core import Token, fail, principal_for, services
from iro_ledger.domain.errors import DomainError
from iro_ledger.exports.dispute_bundle import dispute_bundle, file_stem
from iro_ledger.exports.dispute_pdf import dispute_pdf
from iro_ledger.exports.ocel import ocel_log
from iro_ledger.exports.ocel import write as write_ocel
from iro_ledger.reads import NotServed
from iro_ledger.settings import get_settings
from iro_ledger.trust.keys import NoSigningKey
from iro_ledger.trust.service import LogDamaged


@app.command()
def bundle(
    la: Annotated[str, typer.Option("--la", help="The challenge's authority (la_code).")],
    challenge: Annotated[str, typer.Option(help="The challenge's id.")],
    out: Annotated[Path, typer.Option(help="The directory to write the bundle's JSON and "
                                           "PDF into (made if missing).")],
    token: Token = None,
) -> None:
    """A dispute's bundle: its account with a receipt for every event (JSON, checked by
    `verify-receipt`), and the same for a person to read and print (PDF)."""
    settings = get_settings()
    principal = principal_for(settings, token)
    stem = file_stem(la, challenge)
    paths = [out / f"{stem}.json", out / f"{stem}.pdf"]
    for path in paths:
        if path.exists():
            fail(f"{path} exists; a bundle is evidence, so an existing file is never "
                 "overwritten")
    with services(settings) as built:
        try:
            with built.reads.by(principal, "cli") as reader:
                made = dispute_bundle(reader, la, challenge)
        except (DomainError, NoSigningKey, NotServed) as refused:
            fail(str(refused))
        except LogDamaged as damaged:
            typer.echo(f"iro-ledger: {damaged}", err=True)
            raise typer.Exit(1) from None
    try:
        out.mkdir(parents=True, exist_ok=True)
        with paths[0].open("x", encoding="utf-8") as file:
            file.write(json.dumps(made, indent=1, ensure_ascii=False) + "\n")
        with paths[1].open("xb") as file:
            file.write(dispute_pdf(made))
    except OSError as unwritable:
        fail(f"cannot write into {out}: {unwritable.strerror or unwritable}")
    content = made["content"]
    typer.echo(f"{len(content['events'])} events, {len(content['flags'])} flags, sealed at "
               f"tree size {content['consistency']['to_size']}: {paths[0]} and {paths[1]}",
               err=True)


export_app = typer.Typer(help="Export the history for other tools.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("ocel")
def export_ocel(
    out: Annotated[Path, typer.Option(help="The OCEL 2.0 JSON file to write (never "
                                           "overwritten).")],
    la: Annotated[str | None, typer.Option("--la", help="Only this authority (default: every "
                                                        "authority you may read).")] = None,
    token: Token = None,
) -> None:
    """The history as an OCEL 2.0 JSON event log (objects: cases, challenges, officers,
    instructions, reports; events with their object relations), e.g. for pm4py."""
    settings = get_settings()
    principal = principal_for(settings, token)
    if out.exists():
        fail(f"{out} exists; an export never overwrites a file")
    with services(settings) as built:
        try:
            with built.reads.by(principal, "cli") as reader:
                document = ocel_log(reader.history(la))
        except DomainError as refused:
            fail(str(refused))
    try:
        with out.open("x", encoding="utf-8") as file:
            file.write(write_ocel(document))
    except OSError as unwritable:
        fail(f"cannot write {out}: {unwritable.strerror or unwritable}")
    typer.echo(f"{len(document['events'])} events, {len(document['objects'])} objects: {out}",
               err=True)
