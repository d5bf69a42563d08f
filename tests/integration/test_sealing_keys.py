"""Record keys are fetched and made a batch at a time: a save of many sealed events, or a page
of them read back, asks the key store once; erasure still destroys a case's keys and those
of records raised about it, on every store."""

from __future__ import annotations

from uuid import UUID, uuid4

from iro_ledger.application import Ledger, Principal, Role
from iro_ledger.application.commands import parse_command
from iro_ledger.application.sealing import SEALED, KeyStore, MemoryKeys, keys_for
from iro_ledger.application.store import store_env
from iro_ledger.domain.record import record_id

LA = "EMR"
ADMIN = Principal(sub="admin-1", role=Role.ADMIN)


class CountingKeys(MemoryKeys):
    """Memory keys that count the key store's queries."""

    def __init__(self) -> None:
        super().__init__()
        self.queries = 0

    def get_many(self, records: object) -> dict[UUID, bytes]:
        self.queries += 1
        return super().get_many(records)  # type: ignore[arg-type]

    def get_or_create_many(self, subjects: object) -> dict[UUID, bytes]:
        self.queries += 1
        return super().get_or_create_many(subjects)  # type: ignore[arg-type]


def opened_cases(count: int) -> list[dict[str, str]]:
    return [{"command": "open_case", "la_code": LA, "occurred_on": "2024-05-02",
             "case_id": f"case-{n}", "child_ref": f"CHILD-REF-{n}", "legal_status": "C2",
             "entered_care_on": "2024-05-01"} for n in range(count)]


def test_a_batch_of_cases_is_sealed_and_opened_with_one_key_query_each_way() -> None:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    keys = CountingKeys()
    ledger.keys = ledger.mapper.keys = keys  # type: ignore[attr-defined]
    ledger.execute(parse_command({"command": "register_authority", "la_code": LA,
                                  "occurred_on": "2024-05-01", "name": "Eastmere"}), ADMIN,
                   "cli")
    unit = ledger.unit_of_work()
    outcomes = [unit.apply(parse_command(c), ADMIN, "cli") for c in opened_cases(30)]
    keys.queries = 0
    unit.commit(outcomes)
    assert keys.queries == 1

    notes = ledger.recorder.select_notifications(start=2, limit=100)
    assert len(notes) == 30 and all(SEALED.encode() in n.state for n in notes)
    keys.queries = 0
    events = ledger.mapper.to_domain_events(notes)  # type: ignore[attr-defined]
    assert keys.queries == 1
    assert sorted(e.child_ref for e in events) == sorted(f"CHILD-REF-{n}" for n in range(30))


def test_keys_made_in_a_batch_are_kept_and_destroyed_by_subject(database_url: str) -> None:
    keys: KeyStore = keys_for(store_env(database_url))
    try:
        case = record_id("case", LA, "case-1")
        challenge, other = uuid4(), uuid4()
        first = keys.get_or_create_many({case: case, challenge: case})
        again = keys.get_or_create_many({case: case, challenge: case, other: other})
        assert again[case] == first[case] and again[challenge] == first[challenge]
        assert set(keys.get_many([case, challenge, other])) == {case, challenge, other}

        assert keys.destroy(case) == 2
        assert keys.get_many([case, challenge, other]) == {other: again[other]}
        renewed = keys.get_or_create_many({case: case})
        assert renewed[case] != first[case]  # text written after an erasure has a new key
    finally:
        keys.close()
