"""Make the old store kept under tests/stored/, and the views it must keep showing.

    .venv/bin/python -m tests.stored.make_store

Writes `store.sqlite` (the events, checkpoints and cosignatures only: every read model is
dropped, so the test replays them from the events), `checkpoint.pub.pem` (the log's public key,
for the audit) and `views.json` (what the store showed when made). Run it only to make a new
generation of stored data, never to make a failing test pass: the point of the files is that
they were made by older code.

    .venv/bin/python -m tests.stored.make_store --judge

writes only `judged.json`: the flags and measures today's rules give the old store. The rules
change on purpose (a new pattern, a statutory window) and say so by a new flags model version;
then, and only then, re-judge and review the diff of `judged.json` in the same commit. A
refactor keeps the version, so its judgement must match exactly.

The history: the demo's two authorities (recorded by an admin, so the raisers' acts carry
`on_behalf_of`), and acts of every other kind: an IRO recording for themself, a correction, a
withheld report, a late record withdrawing a flag, inspectors' and an arbitrator's reads, a
replayed command, checkpoints and a witness's cosignature.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from iro_ledger.application import Principal, Role
from iro_ledger.application.ingest import ingest, numbered
from iro_ledger.generator import demo
from iro_ledger.settings import Settings
from iro_ledger.trust.keys import ensure_signing_key
from iro_ledger.trust.witness import Offer, StateFile, Witness
from iro_ledger.wiring import Services, build_services
from tests.stored.views import judged, views

HERE = Path(__file__).parent
STORE = HERE / "store.sqlite"
PUBLIC_KEY = HERE / "checkpoint.pub.pem"
VIEWS = HERE / "views.json"
JUDGED = HERE / "judged.json"
KEPT_TABLES = ("stored_events", "checkpoints", "checkpoint_cosignatures")
"""What is stored data; every other table is a read model, made again by replay."""

ADMIN = Principal(sub="stored:admin", role=Role.ADMIN)
IRO = Principal(sub="iro.quayle", role=Role.IRO, la_code="EMR")
INSPECTOR = Principal(sub="stored:inspector", role=Role.INSPECTOR)
ARBITRATOR = Principal(sub="stored:nairo", role=Role.ARBITRATOR, body="NAIRO")


def _apply(services: Services, principal: Principal, commands: list[dict[str, Any]]) -> None:
    summary = ingest(services.ledger, numbered(commands), principal, source="api")
    assert not summary.rejected, summary.rejected


def _own_acts() -> list[dict[str, Any]]:
    """An IRO's challenge recorded with their own principal (no on_behalf_of)."""
    base = {"la_code": "EMR", "challenge_id": "EMR-CH90"}
    return [
        {**base, "command": "raise_challenge", "occurred_on": "2026-09-01",
         "case_id": "EMR-C11", "officer_id": "iro.quayle", "about": "care_plan",
         "grounds": "No pathway plan at sixteen.", "command_id": "stored/own/1"},
        {**base, "command": "escalate_challenge", "occurred_on": "2026-09-08",
         "to_stage": "stage_1", "addressed_to": "tm.lindqvist", "command_id": "stored/own/2"},
    ]


def _admin_acts() -> list[dict[str, Any]]:
    """A correction, a report drafted and withheld, an instruction rescinded, and a late
    record that shows a flag never applied (the case was taken from another IRO than the
    one who challenged: an earlier reassignment, recorded late), which withdraws it."""
    return [
        {"command": "assign_iro", "la_code": "EMR", "occurred_on": "2026-09-15",
         "case_id": "EMR-C11", "officer_id": "iro.nakamura", "reason": "workload",
         "actor": "tm.costa"},
        {"command": "assign_iro", "la_code": "EMR", "occurred_on": "2026-08-20",
         "case_id": "EMR-C11", "officer_id": "iro.marsh", "reason": "workload",
         "actor": "tm.costa"},
        {"command": "correct_record", "la_code": "EMR", "occurred_on": "2026-09-10",
         "kind": "challenge", "record_id": "EMR-CH90", "corrects_event": 2,
         "reason": "Escalated to the other team manager.", "details": {"addressed_to":
                                                                       "tm.costa"}},
        {"command": "draft_annual_report", "la_code": "SMV", "occurred_on": "2026-09-20",
         "report_id": "SMV-AR-2026", "year": 2026, "author": "irom.sandhu",
         "content_sha256": "0" * 64, "actor": "irom.sandhu"},
        {"command": "withhold_annual_report", "la_code": "SMV", "occurred_on": "2026-09-25",
         "report_id": "SMV-AR-2026", "reason": "Held back for the new director.",
         "actor": "dir.whitlock"},
        {"command": "rescind_instruction", "la_code": "EMR", "occurred_on": "2026-09-28",
         "instruction_id": "EMR-INS02", "actor": "sm.adeyemi"},
    ]


def _outsiders_read(services: Services) -> None:
    with services.reads.by(INSPECTOR, "api") as reader:
        reader.flags("EMR", as_of=date(2026, 9, 30))
        reader.measures("SMV")
    with services.reads.by(INSPECTOR, "web", seen_as="overview") as reader:
        reader.register("EMR")
    with services.reads.by(ARBITRATOR, "cli") as reader:
        for dispute in reader.disputes():
            reader.record("challenge", dispute["la_code"], dispute["challenge_id"])


def _witness(services: Services, home: Path) -> None:
    latest = services.trust.checkpoint_now() or services.trust.latest()
    assert latest is not None
    witness = Witness("witness.stored.example/1", Ed25519PrivateKey.generate(),
                      services.trust.keys.get().public_key(), services.settings.log_origin,
                      StateFile(home / "witness.json"))
    signed = witness.cosign(Offer(latest.note, 0, []))
    assert services.trust.add_cosignature(signed.tree_size, witness.vkey, signed.line)


def make(home: Path) -> dict[str, Any]:
    key = home / "checkpoint.pem"
    ensure_signing_key(key)
    settings = Settings(database_url=f"sqlite:///{home / 'store.sqlite'}",
                        signing_key_path=key, checkpoint_every_seconds=3600)
    services = build_services(settings)
    try:
        seeder = Principal(sub=demo.SEEDER_SUB, role=Role.ADMIN)
        assert not ingest(services.ledger, numbered(demo.demo_commands()), seeder,
                          atomic=True).rejected
        _apply(services, IRO, _own_acts())
        _apply(services, ADMIN, _admin_acts())
        _apply(services, IRO, _own_acts()[:1])  # a replayed command stores nothing
        _outsiders_read(services)
        _witness(services, home)
        shown = views(services)
        PUBLIC_KEY.write_bytes(services.trust.public_key_pem())
    finally:
        services.close()
    return shown


def keep_stored_data_only(made: Path, kept: Path) -> None:
    """Copy the store without its read models, compacted, in one file (no WAL beside it)."""
    db = sqlite3.connect(made, isolation_level=None)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            if table not in KEPT_TABLES and not table.startswith("sqlite_"):
                db.execute(f'DROP TABLE "{table}"')
        db.execute("PRAGMA journal_mode=DELETE")
        db.execute("VACUUM")
    finally:
        db.close()
    shutil.copyfile(made, kept)


def judge() -> dict[str, Any]:
    """The flags and measures today's rules give the old store, under their model version."""
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        shutil.copyfile(STORE, home / "store.sqlite")
        settings = Settings(database_url=f"sqlite:///{home / 'store.sqlite'}",
                            signing_key_path=home / "no-key-here.pem",
                            checkpoint_every_events=1_000_000, checkpoint_every_seconds=3600)
        services = build_services(settings)
        try:
            return judged(services)
        finally:
            services.close()


def main() -> None:
    if sys.argv[1:] == ["--judge"]:
        made = judge()
        JUDGED.write_text(json.dumps(made, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{JUDGED}: rules of flags model v{made['flags_version']}")
        return
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        shown = make(home)
        keep_stored_data_only(home / "store.sqlite", STORE)
    VIEWS.write_text(json.dumps(shown, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{STORE}: {STORE.stat().st_size} bytes; {VIEWS}: {VIEWS.stat().st_size} bytes; "
          f"{shown['events']['count']} events")


if __name__ == "__main__":
    main()
