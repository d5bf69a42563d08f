"""An instruction cannot be recorded as issued to an officer before that officer existed."""

import pytest

from iro_ledger.application import Ledger, Principal, Role
from iro_ledger.application.commands import parse_command
from iro_ledger.application.store import store_env
from iro_ledger.domain.errors import BadTiming

ADMIN = Principal("admin", Role.ADMIN)


def _record(ledger: Ledger, **command: object) -> None:
    ledger.execute(parse_command({"la_code": "FX1", **command}), ADMIN, "cli")


def test_instruction_dated_before_its_recipient_was_registered_is_refused(
    sqlite_url: str,
) -> None:
    ledger = Ledger(env=store_env(sqlite_url))
    _record(ledger, command="register_authority", name="Fenwick Cross", occurred_on="2024-01-01")
    _record(ledger, command="register_officer", officer_id="iro-kit", role="iro",
            employment="employed", occurred_on="2024-03-01")
    before = ledger.count_events()
    with pytest.raises(BadTiming, match="before officer iro-kit"):
        _record(ledger, command="record_instruction", instruction_id="ins-1",
                issued_to=["iro-kit"], kind="do_not_escalate", actor="mgr-ada",
                occurred_on="2024-02-01")
    assert ledger.count_events() == before
    ledger.close()
