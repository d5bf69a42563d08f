"""The CLI's witness commands: `witness` cosigns a log's checkpoints; `cosignature` stores one.

`witness` is run by someone other than the log's operator, with its own key (`iro-ledger keys
generate --out FILE --witness NAME`) and state file; it needs no database. It reads the log over
HTTP (`--log-url`, posting each cosignature back) or from a file (`--from-file`, writing a
cosignature file the operator stores with `iro-ledger cosignature FILE`). Exit statuses: 0
cosigned or nothing new, 1 a fork or a checkpoint refused (the reason on stderr), 2 unusable
input or an unreachable log.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from iro_ledger.cli.app import app
from iro_ledger.cli.core import fail, services
from iro_ledger.domain.errors import DomainError
from iro_ledger.settings import get_settings
from iro_ledger.trust.keys import load_private_key
from iro_ledger.trust.verifier import VerificationError, load_public_key_pem
from iro_ledger.trust.witness import Fork, Refused, StateFile, Witness
from iro_ledger.trust.witness_sources import COSIGNATURE_FORMAT, FileLog, HttpLog, SourceError


@app.command()
def witness(
    key: Annotated[Path, typer.Option(help="This witness's private key (PEM).")],
    name: Annotated[str, typer.Option(help="This witness's name, e.g. witness.nairo.example/1.")],
    log_key: Annotated[Path, typer.Option(help="The log's public key (PEM).")],
    origin: Annotated[str, typer.Option(help="The log's origin (its checkpoints' first line).")],
    state: Annotated[Path, typer.Option(help="This witness's state file for the log.")],
    log_url: Annotated[str | None, typer.Option(help="The log's API root: fetch checkpoints "
                                                     "and post cosignatures there.")] = None,
    from_file: Annotated[Path | None, typer.Option(help="A consistency file or a checkpoint "
                                                        "note to cosign, instead of --log-url.")]
    = None,
    out: Annotated[Path | None, typer.Option(help="With --from-file: write the cosignature "
                                                  "file here (default: stdout).")] = None,
    once: Annotated[bool, typer.Option(help="Check once and exit (--from-file always does).")]
    = False,
    interval: Annotated[float, typer.Option(min=1, help="Seconds between checks.")] = 60.0,
) -> None:
    """Cosign each new checkpoint of a log, only if it extends the last one cosigned."""
    if (log_url is None) == (from_file is None):
        fail("give exactly one of --log-url and --from-file")
    one = _witness(key, name, log_key, origin, state)
    source = HttpLog(log_url) if log_url is not None else FileLog(from_file or Path(),
                                                                  lambda text: _write(out, text))
    while True:
        _check(one, source, keep_going=not once and from_file is None)
        if once or from_file is not None:
            return
        time.sleep(interval)


@app.command()
def cosignature(
    file: Annotated[Path, typer.Argument(help=f"A {COSIGNATURE_FORMAT} file a witness wrote.")],
) -> None:
    """Keep a witness's cosignature of one of this log's checkpoints (it must verify)."""
    try:
        document: Any = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as unusable:
        fail(f"{file}: not a readable JSON file: {unusable}")
    if not isinstance(document, dict) or document.get("format") != COSIGNATURE_FORMAT:
        fail(f"{file}: not a {COSIGNATURE_FORMAT} file")
    size, witness_key, line = (document.get(k) for k in ("tree_size", "witness", "cosignature"))
    if not isinstance(size, int) or not isinstance(witness_key, str) or not isinstance(line, str):
        fail(f"{file}: needs tree_size, witness and cosignature")
    with services(get_settings()) as built:
        try:
            new = built.trust.add_cosignature(size, witness_key, line)
        except DomainError as refused:
            fail(str(refused))
    typer.echo(f"{'kept' if new else 'already kept'}: the cosignature by "
               f"{witness_key.partition('+')[0]} of the checkpoint at tree size {size}")


def _witness(key: Path, name: str, log_key: Path, origin: str, state: Path) -> Witness:
    try:
        private = load_private_key(key)
    except (OSError, ValueError) as unusable:
        fail(f"--key: {key} is not a usable Ed25519 private key: {unusable}")
    try:
        public = load_public_key_pem(log_key.read_bytes())
    except OSError as unreadable:
        fail(f"--log-key: cannot read {log_key}: {unreadable.strerror or unreadable}")
    except VerificationError as bad:
        fail(f"--log-key: {bad.reason}")
    if not name or " " in name or "+" in name:
        fail("--name: a witness name has no spaces or '+'")
    return Witness(name, private, public, origin, StateFile(state))


def _check(one: Witness, source: HttpLog | FileLog, keep_going: bool) -> None:
    """One look at the log: cosign what is new, or say why not (exit 1 on a fork)."""
    try:
        last = one.last()
        offer = source.offer(last.tree_size if last is not None else 0)
        if offer is None:
            typer.echo(f"nothing to cosign: {one.origin} has signed no checkpoint yet")
            return
        made = one.cosign(offer)
        if not made.new and made.served_in(offer.note):
            typer.echo(f"unchanged: {one.origin} is still at tree size {made.tree_size}, "
                       "cosigned by this witness")
            return
        where = source.deliver(made.tree_size, one.vkey, made.line)
    except Fork as fork:
        typer.echo(f"FORK: {fork.reason}. Not cosigned; this witness keeps refusing that "
                   f"history. The log's checkpoint, as evidence:\n{fork.evidence}", err=True)
        raise typer.Exit(1) from None
    except Refused as refused:
        typer.echo(f"REFUSED: {refused}", err=True)
        raise typer.Exit(1) from None
    except (SourceError, ValueError, KeyError, OSError) as unusable:
        if keep_going:
            typer.echo(f"iro-ledger: {unusable}; trying again later", err=True)
            return
        fail(str(unusable))
    moment = datetime.fromtimestamp(made.timestamp, UTC).isoformat()
    typer.echo(f"COSIGNED: {one.origin} at tree size {made.tree_size} as {one.name} at "
               f"{moment}; sent to {where}")


def _write(out: Path | None, text: str) -> str:
    if out is None:
        typer.echo(text, nl=False)
        return "stdout"
    try:
        with out.open("x", encoding="utf-8") as file:
            file.write(text)
    except OSError as unwritable:
        fail(f"cannot write {out}: {unwritable.strerror or unwritable}")
    return str(out)
