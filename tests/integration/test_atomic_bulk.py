"""An atomic batch of many megabytes commits while others write: it never hangs (issue 12).

psycopg's pipeline mode deadlocked once one insert passed a few megabytes: the server waited
for the rest of the message while the client waited in the pipeline's sync. The test sends
such a batch through `iro-ledger ingest --atomic` a few times, each while another writer
records commands one at a time, and fails if a try does not finish within its timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from iro_ledger.application import Ledger, Principal, Role
from iro_ledger.application.commands import parse_command
from iro_ledger.application.store import store_env
from iro_ledger.domain.limits import TEXT_MAX_CHARS

TRIES = 3
HANG = 120
"""Seconds after which a try counts as hung: far beyond what the batch needs."""
REVISIONS = 600
ADMIN = Principal("writer", Role.ADMIN)


def batch(tag: str) -> list[dict[str, Any]]:
    """One case and many plan revisions with long summaries: about 12 MB of events."""
    day = "2025-03-01"
    summary = ("The plan was revised at the review. " * 600)[: TEXT_MAX_CHARS - 1000]
    lines: list[dict[str, Any]] = [
        {"command": "open_case", "la_code": "BIG", "occurred_on": day, "case_id": f"C-{tag}",
         "child_ref": f"CH-{tag}", "legal_status": "C2", "entered_care_on": day,
         "command_id": f"{tag}-open"}]
    lines += [{"command": "revise_care_plan", "la_code": "BIG", "occurred_on": day,
               "case_id": f"C-{tag}", "change": "education", "summary": summary,
               "via_review": True, "iro_consulted": True, "command_id": f"{tag}-{n}"}
              for n in range(REVISIONS)]
    return lines


def record(ledger: Ledger, line: dict[str, Any]) -> None:
    ledger.execute(parse_command(line), ADMIN, "test")


def writing_beside(url: str, stop: threading.Event, tag: str) -> threading.Thread:
    """Another writer, one command per transaction, until told to stop."""

    def write() -> None:
        ledger = Ledger(env=store_env(url))
        try:
            day = "2025-03-02"
            record(ledger, {"command": "open_case", "la_code": "BIG", "occurred_on": day,
                            "case_id": f"W-{tag}", "child_ref": f"CW-{tag}",
                            "legal_status": "C2", "entered_care_on": day})
            while not stop.is_set():
                record(ledger, {"command": "revise_care_plan", "la_code": "BIG",
                                "occurred_on": day, "case_id": f"W-{tag}", "change": "health",
                                "via_review": False, "iro_consulted": True})
        finally:
            ledger.close()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_an_atomic_batch_of_megabytes_commits_beside_another_writer_every_time(
        postgres_url: str, tmp_path: Path) -> None:
    ledger = Ledger(env=store_env(postgres_url))
    record(ledger, {"command": "register_authority", "la_code": "BIG",
                    "occurred_on": "2025-01-01", "name": "Big Batch Borough"})
    env = {**os.environ, "IRO_LEDGER_DATABASE_URL": postgres_url}
    cli = Path(sys.executable).with_name("iro-ledger")
    for attempt in range(TRIES):
        path = tmp_path / f"batch-{attempt}.jsonl"
        path.write_text("\n".join(json.dumps(line) for line in batch(f"t{attempt}")) + "\n")
        stop = threading.Event()
        writer = writing_beside(postgres_url, stop, f"t{attempt}")
        try:
            done = subprocess.run([str(cli), "ingest", "--atomic", str(path)], env=env,
                                  capture_output=True, text=True, timeout=HANG)
        except subprocess.TimeoutExpired:
            pytest.fail(f"try {attempt + 1}: ingest --atomic did not finish in {HANG} s (hung)")
        finally:
            stop.set()
            writer.join(timeout=60)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout.splitlines()[-1]) == {
            "accepted": REVISIONS + 1, "rejected": 0}
        case = ledger.read("case", "BIG", f"C-t{attempt}", ADMIN)
        assert case.version == REVISIONS + 1
    ledger.close()
