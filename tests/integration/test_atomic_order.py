"""An atomic batch is stored in the order of its commands, not grouped by record.

Store order is the Merkle log's order and the order the rules see facts in, so a batch must
land as if its lines had been applied one by one.
"""

from typing import Any

from iro_ledger.application import Ledger, Principal, Role
from iro_ledger.application.commands import parse_command
from iro_ledger.application.store import store_env

ADMIN = Principal("admin", Role.ADMIN)
BATCH: list[dict[str, Any]] = [
    {"command": "register_authority", "name": "Fenwick Cross", "occurred_on": "2025-01-01"},
    {"command": "register_officer", "officer_id": "iro-kit", "role": "iro",
     "employment": "employed", "occurred_on": "2025-01-02"},
    {"command": "open_case", "case_id": "c1", "child_ref": "CH-1", "legal_status": "C2",
     "entered_care_on": "2025-01-05", "occurred_on": "2025-01-05"},
    {"command": "raise_challenge", "challenge_id": "ch1", "case_id": "c1",
     "officer_id": "iro-kit", "about": "care_plan", "grounds": "no review",
     "occurred_on": "2025-02-01"},
    {"command": "close_case", "case_id": "c1", "reason": "moved", "occurred_on": "2025-02-02"},
]


def test_atomic_batch_lands_in_the_order_of_its_commands(database_url: str) -> None:
    ledger = Ledger(env=store_env(database_url))
    unit = ledger.unit_of_work()
    outcomes = [unit.apply(parse_command({"la_code": "FX1", **line}), ADMIN, "import")
                for line in BATCH]
    unit.commit(outcomes)
    stored = [n.topic.rsplit(":", 1)[1]
              for n in ledger.recorder.select_notifications(start=1, limit=10)]
    assert stored == ["Authority.Registered", "Officer.Registered", "Case.Opened",
                      "Challenge.Raised", "Case.Closed"]
    ledger.close()
