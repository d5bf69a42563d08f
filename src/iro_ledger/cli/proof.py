"""The CLI's proof commands: signing keys, checkpoints, receipts, consistency, verification, audit.

`verify-receipt` needs no database: it reads the files it is given and checks them with
`trust.verifier` alone, the module a tribunal's expert can read in one sitting. Exit statuses
follow the house rule: 0 proven (or clean), 1 not proven (or findings) with the reason, 2 for
input that cannot be used.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from iro_ledger.cli.app import app
from iro_ledger.cli.core import fail, principal_for, services
from iro_ledger.domain.errors import DomainError
from iro_ledger.domain.record import record_id
from iro_ledger.settings import get_settings
from iro_ledger.trust import guard
from iro_ledger.trust.canonical import describe
from iro_ledger.trust.keys import NoSigningKey, generate_key_file, load_private_key
from iro_ledger.trust.receipts import receipts_in
from iro_ledger.trust.service import LogDamaged
from iro_ledger.trust.signing import public_key_pem
from iro_ledger.trust.verifier import (
    CONSISTENCY_FORMAT,
    DISPUTE_BUNDLE_FORMAT,
    VerificationError,
    Verified,
    Witness,
    load_public_key_pem,
    parse_witness_vkey,
    verify_dispute_bundle,
    verify_receipt,
    witness_vkey,
)

RECORD_KINDS = ("case", "challenge", "instruction", "report", "officer", "authority",
                "concern")

keys_app = typer.Typer(help="Ed25519 keys: the log's checkpoint signing key, or a witness's.",
                       no_args_is_help=True)
app.add_typer(keys_app, name="keys")

KeyPath = Annotated[Path | None, typer.Option(
    "--out", "--key", help="The key file (default: IRO_LEDGER_SIGNING_KEY_PATH, the log's).")]
WitnessName = Annotated[str | None, typer.Option(
    "--witness", help="Print the witness key (vkey) a verifier trusts under this name, "
                      "instead of the PEM public key.")]


@keys_app.command("generate")
def keys_generate(path: KeyPath = None, witness: WitnessName = None) -> None:
    """Make an Ed25519 key (never replacing one); print its public key."""
    path = path or get_settings().resolved_signing_key_path()
    try:
        key = generate_key_file(path)
    except (FileExistsError, ValueError) as refused:
        fail(str(refused))
    except OSError as unwritable:
        fail(f"cannot write {path}: {unwritable.strerror or unwritable}")
    typer.echo(f"Key written to {path} (owner-only). Its public key:", err=True)
    typer.echo(_public(key, witness), nl=False)


@keys_app.command("public")
def keys_public(path: KeyPath = None, witness: WitnessName = None) -> None:
    """Print the public key (PEM) that verifies this log's checkpoints, or a witness's vkey."""
    path = path or get_settings().resolved_signing_key_path()
    if not path.exists():
        fail(f"no key at {path}; run `iro-ledger keys generate`")
    try:
        key = load_private_key(path)
    except ValueError as bad:
        fail(f"{path} is not a usable key: {bad}")
    typer.echo(_public(key, witness), nl=False)


def _public(key: Ed25519PrivateKey, witness: str | None) -> str:
    if witness is None:
        return public_key_pem(key).decode()
    if not witness or " " in witness or "+" in witness:
        fail("--witness: a witness name has no spaces or '+'")
    return witness_vkey(witness, key.public_key()) + "\n"


@app.command("guard")
def guard_command() -> None:
    """Install the append-only triggers where missing (run as the tables' owner) and report."""
    with services(get_settings()) as built:
        tables = built.trust.guarded_tables
        found = guard.status(built.projections.db, tables)
    for table, guarded in found.items():
        typer.echo(f"{table}: {'append-only' if guarded else 'NOT GUARDED'}")
    raise typer.Exit(0 if all(found.values()) else 1)


@app.command()
def checkpoint() -> None:
    """Catch the Merkle log up and sign a checkpoint of it now (unless it is signed already)."""
    with services(get_settings()) as built:
        try:
            issued = built.trust.checkpoint_now()
        except NoSigningKey as missing:
            fail(str(missing))
    if issued is None:
        fail("the log is empty: there is nothing to sign")
    typer.echo(issued.note, nl=False)


@app.command()
def receipt(
    record: Annotated[str, typer.Option(help="KIND:ID, KIND one of case, challenge, "
                                             "instruction, report, officer, authority.")],
    la: Annotated[str, typer.Option("--la", help="The record's authority (la_code).")],
    out: Annotated[Path | None, typer.Option(help="Write the receipts here (default: "
                                                  "stdout); an existing file is kept.")] = None,
    token: Annotated[str | None, typer.Option(help="Act as this token's principal.")] = None,
) -> None:
    """Receipts for every event of a record, proven into one signed checkpoint."""
    settings = get_settings()
    kind, _, ref = record.partition(":")
    if kind not in RECORD_KINDS or not ref:
        fail(f"--record: {record!r} is not KIND:ID with KIND one of {', '.join(RECORD_KINDS)}")
    principal = principal_for(settings, token)
    _check_free(out)
    with services(settings) as built:
        try:
            made = built.trust.receipts(kind, la, ref, principal)
        except (DomainError, NoSigningKey) as refused:
            fail(str(refused))
        except LogDamaged as damaged:
            typer.echo(f"iro-ledger: {damaged}", err=True)
            raise typer.Exit(1) from None
    _write(out, made)
    if out is not None:
        typer.echo(f"{len(made['receipts'])} receipts for {kind} {la}/{ref} into the checkpoint "
                   f"of tree size {made['tree_size']}: {out}", err=True)


@app.command()
def consistency(
    start: Annotated[int, typer.Option("--from", help="The earlier tree size (a receipt's).")],
    end: Annotated[int | None, typer.Option("--to", help="A later checkpoint's tree size "
                                                        "(default: the latest).")] = None,
    out: Annotated[Path | None, typer.Option(help="Write here (default: stdout).")] = None,
) -> None:
    """The proof that a later signed checkpoint extends the tree of size --from."""
    _check_free(out)
    with services(get_settings()) as built:
        try:
            made = built.trust.consistency(start, end)
        except DomainError as refused:
            fail(str(refused))
        except LogDamaged as behind:
            typer.echo(f"iro-ledger: {behind}", err=True)
            raise typer.Exit(1) from None
    _write(out, made)


@app.command("verify-receipt")
def verify_receipt_command(
    file: Annotated[Path, typer.Argument(help="A receipt, a list of receipts, a record's "
                                              "bundle of receipts, or a dispute bundle.")],
    public_key: Annotated[Path, typer.Option(help="The log's public key (PEM).")],
    against: Annotated[Path | None, typer.Option(help="A later checkpoint with its "
                                                      "consistency proof.")] = None,
    origin: Annotated[str | None, typer.Option(help="Require this log origin.")] = None,
    witness_key: Annotated[list[Path] | None, typer.Option(
        help="A witness key file (vkey) to trust; repeat for several.")] = None,
    min_witnesses: Annotated[int | None, typer.Option(
        min=0, help="How many of the trusted witnesses must have cosigned the receipt's "
                    "checkpoint or the --against one (default: all given).")] = None,
) -> None:
    """Check receipts, or a dispute bundle, offline: exit 0 when every one is proven, 1 with
    the reason if not."""
    document = _json(file, "FILE")
    pem = _read(public_key, "--public-key")
    try:
        load_public_key_pem(pem)
    except VerificationError as bad:
        fail(f"--public-key: {bad.reason}")
    witnesses = [_witness(path) for path in witness_key or []]
    needed = len(witnesses) if min_witnesses is None else min_witnesses
    if needed > len(witnesses):
        fail(f"--min-witnesses {needed} needs at least {needed} --witness-key files")
    if isinstance(document, dict) and document.get("format") == DISPUTE_BUNDLE_FORMAT:
        if against is not None:
            fail("--against: a dispute bundle carries its own consistency proof to the latest "
                 "checkpoint it was made at")
        _verify_bundle(document, pem, origin, witnesses, needed)
    try:
        found = receipts_in(document)
    except ValueError as bad:
        fail(f"{file}: {bad}")
    later = _against(against) if against is not None else None
    failures = 0
    for number, item in enumerate(found, start=1):
        label = f"receipt {number} of {len(found)}" if len(found) > 1 else "receipt"
        try:
            if origin is not None and item.get("key_name") != origin:
                raise VerificationError(f"the receipt's log is {item.get('key_name')!r}, "
                                        f"not {origin!r}")
            _check_sizes(item, later)
            verified = verify_receipt(item, pem, later, witnesses, needed)
            summary = _proven(verified, item.get("event"))
        except VerificationError as bad:
            failures += 1
            typer.echo(f"NOT PROVEN: {label}: {bad.reason}")
            continue
        typer.echo(f"PROVEN: {label}: {summary}")
    raise typer.Exit(1 if failures else 0)


@app.command()
def audit(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    public_key: Annotated[Path | None, typer.Option(help="Check signatures with this public "
                                                         "key (default: the signing key's).")]
    = None,
) -> None:
    """Recompute every leaf from the store; compare with the Merkle log and every checkpoint."""
    pem = _read(public_key, "--public-key") if public_key is not None else None
    with services(get_settings()) as built:
        try:
            report = built.trust.audit(pem)
        except (NoSigningKey, VerificationError) as unusable:
            fail(getattr(unusable, "reason", str(unusable)))
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
    else:
        typer.echo(f"{report.events} events, {report.leaves} leaves, {report.checkpoints} "
                   f"checkpoints; {report.unlogged} events not yet logged")
        for finding in report.findings:
            typer.echo(f"FOUND: {finding.message}")
        if report.more_findings:
            typer.echo(f"... and {report.more_findings} more findings")
        typer.echo("clean: the store matches the log and every signed checkpoint"
                   if report.clean else f"{len(report.findings) + report.more_findings} findings")
    raise typer.Exit(0 if report.clean else 1)


# Helpers


def _check_free(out: Path | None) -> None:
    if out is not None and out.exists():
        fail(f"{out} exists; receipts are evidence, so an existing file is never overwritten")


def _write(out: Path | None, document: dict[str, Any]) -> None:
    text = json.dumps(document, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        with out.open("x", encoding="utf-8") as file:
            file.write(text)
    except OSError as unwritable:
        fail(f"cannot write {out}: {unwritable.strerror or unwritable}")


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as unreadable:
        fail(f"{what}: cannot read {path}: {unreadable.strerror or unreadable}")


def _json(path: Path, what: str) -> Any:
    try:
        return json.loads(_read(path, what))
    except (UnicodeDecodeError, json.JSONDecodeError) as bad:
        fail(f"{what}: {path} is not JSON: {bad}")


def _verify_bundle(document: dict[str, Any], pem: bytes, origin: str | None,
                   witnesses: list[Witness], needed: int) -> NoReturn:
    """A dispute bundle: the seal over its content, then each event's receipt, one line each."""
    try:
        verified = verify_dispute_bundle(document, pem, witnesses, needed)
        if origin is not None and verified.origin != origin:
            raise VerificationError(f"the bundle's log is {verified.origin!r}, not {origin!r}")
    except VerificationError as bad:
        typer.echo(f"NOT PROVEN: dispute bundle: {bad.reason}")
        raise typer.Exit(1) from None
    content = document["content"]
    dispute = content.get("dispute") or {}
    copies = {r["leaf"]["index"]: r.get("event") for r in content["receipts"]}
    typer.echo(f"PROVEN: dispute bundle {dispute.get('la_code')}/{dispute.get('challenge_id')}: "
               f"its content is as the log {verified.origin} sealed it at tree size "
               f"{verified.tree_size}; {len(verified.events)} events, each proven:")
    total = len(verified.events)
    for number, event in enumerate(verified.events, start=1):
        typer.echo(f"PROVEN: event {number} of {total}: "
                   f"{_proven(event, copies.get(event.leaf_index))}")
    raise typer.Exit(0)


def _witness(path: Path) -> Witness:
    try:
        return parse_witness_vkey(_read(path, "--witness-key").decode())
    except (UnicodeDecodeError, VerificationError) as bad:
        fail(f"--witness-key: {path}: {getattr(bad, 'reason', bad)}")


def _against(path: Path) -> dict[str, Any]:
    document = _json(path, "--against")
    if not isinstance(document, dict) or "checkpoint" not in document:
        fail(f"--against: {path} is not a consistency file ({CONSISTENCY_FORMAT})")
    return document


def _check_sizes(item: dict[str, Any], later: dict[str, Any] | None) -> None:
    """A consistency file made for another tree size cannot prove this receipt."""
    start = later.get("from_size") if later is not None else None
    if isinstance(start, int) and start != item.get("tree_size"):
        raise VerificationError(
            f"the --against file starts at tree size {start}, but the receipt's checkpoint has "
            f"tree size {item.get('tree_size')}: make it with `iro-ledger consistency --from "
            f"{item.get('tree_size')}`")


def _proven(verified: Verified, copy: Any) -> str:
    """What was proven, in words; refuses a readable copy that names another event."""
    proven = (f"leaf {verified.leaf_index} of tree size {verified.tree_size} in log "
              f"{verified.origin}")
    if verified.issued_at is not None:
        proven += f" (checkpoint signed {verified.issued_at})"
    if verified.later_tree_size is not None:
        proven += f", still contained at tree size {verified.later_tree_size}"
    if verified.witnesses:
        proven += ", witnessed by " + ", ".join(
            f"{w.witness} at {datetime.fromtimestamp(w.timestamp, UTC):%Y-%m-%dT%H:%M:%SZ}"
            f" (tree size {w.tree_size})" for w in verified.witnesses)
    try:
        event = describe(verified.canonical)
    except ValueError as unreadable:
        return f"{proven}; the leaf's bytes are not readable: {unreadable}"
    named = _named_record(event, copy)
    state = event.get("state") or {}
    said = ", ".join(f"{k} {state[k]}" for k in ("occurred_on", "recorded_at", "recorded_by",
                                                  "actor") if k in state)
    return (f"{proven}; {named} event {event['number']} {event['type']}"
            + (f" ({said})" if said else ""))


def _named_record(event: dict[str, Any], copy: Any) -> str:
    """The record the proven event belongs to: its stored id is derived from kind, authority
    and id (`domain.record.record_id`), so the receipt's readable copy can be checked."""
    record = copy.get("record") if isinstance(copy, dict) else None
    if not isinstance(record, dict):
        return f"record {event['originator_id']}"
    kind, la_code, ref = (str(record.get(k)) for k in ("kind", "la_code", "id"))
    if (str(record_id(kind, la_code, ref)) != event["originator_id"]
            or copy.get("number") != event["number"]):
        raise VerificationError("the receipt's readable copy names another event than the "
                                "proven bytes hold")
    return f"{kind} {la_code}/{ref}"
