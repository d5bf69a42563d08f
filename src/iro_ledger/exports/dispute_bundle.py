"""The dispute bundle: one challenge and everything around it, in one file a tribunal checks.

The bundle (`iro-ledger-dispute-bundle/1`) is `{"format", "content", "seal"}`. The content
holds the dispute (the challenge register's account, the case timeline with when each thing
happened and when it was recorded, the raising officer's record, the instructions in force,
what management did to the officer, every flag touching them), an annex of every event any of
it cites, read from the proven bytes themselves, a receipt for each of those events into one
signed checkpoint, and the consistency proof from that checkpoint to the latest one. The seal
is the log's signature over the digest of the content (`trust.verifier.seal_text`), so
`iro-ledger verify-receipt BUNDLE --public-key KEY` checks every receipt and that nothing in
the content was changed, with the public key alone (`trust.verifier.verify_dispute_bundle`).
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime
from typing import Any

from iro_ledger.domain.record import england_date
from iro_ledger.reads import Reader
from iro_ledger.reads.results import DisputeRead
from iro_ledger.trust.canonical import describe
from iro_ledger.trust.verifier import DISPUTE_BUNDLE_FORMAT, content_digest

PROVENANCE = ("occurred_on", "recorded_at", "recorded_by", "actor", "source", "on_behalf_of",
              "command_id")
_NOT_FIELDS = frozenset({*PROVENANCE, "originator_id", "originator_version",
                         "originator_topic", "timestamp", "la_code", "ref"})


def dispute_bundle(reader: Reader, la_code: str, challenge_id: str,
                   now: datetime | None = None) -> dict[str, Any]:
    """The sealed bundle of a challenge the reader's principal may see (see module doc)."""
    read = reader.dispute(la_code, challenge_id)
    content = _plain(contents(read, reader, now or datetime.now(UTC)))
    seal = reader.seal(read.consistency["to_size"], content_digest(content))
    return {"format": DISPUTE_BUNDLE_FORMAT, "content": content, "seal": seal}


def file_stem(la_code: str, challenge_id: str) -> str:
    """A file name for the bundle that any file system accepts."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", f"{la_code}-{challenge_id}") + ".bundle"


def contents(read: DisputeRead, reader: Reader, now: datetime) -> dict[str, Any]:
    annex = [annexed(r) for r in read.receipts]
    by_position = {e["position"]: e for e in annex}
    challenge, case = read.challenge, read.timeline
    return {
        "dispute": {"la_code": read.la_code, "authority": read.authority_name,
                    "challenge_id": read.challenge_id, "case_id": challenge["case_id"],
                    "officer_id": challenge["officer_id"],
                    "arbitration": challenge["arbitration"]},
        "made": {"at": now.isoformat(), "as_of": read.as_of.isoformat(),
                 "for": reader.principal.sub, "role": reader.principal.role.value,
                 "store_position": read.position},
        "proves": proves(read, len(annex)),
        "challenge": challenge,
        "case": {k: case[k] for k in ("case_id", "opened_on", "closed_on", "iros",
                                      "arbitration_bodies")},
        "timeline": [{**entry, **lateness(entry["occurred_on"], entry["recorded_at"])}
                     for entry in case["entries"]],
        "officer": read.officer,
        "instructions": read.instructions,
        "management_acts": [_with_actor(act, by_position) for act in read.acts],
        "flags": read.flags.public(),
        "events": annex,
        "receipts": read.receipts,
        "consistency": read.consistency,
    }


def proves(read: DisputeRead, events: int) -> list[str]:
    """What the bundle proves, and what it does not, in words for its cover page."""
    size = read.receipts[0]["tree_size"]
    latest = read.consistency
    return [
        f"Each of the {events} events in the annex is in the ledger's append-only log: its "
        f"receipt proves its exact bytes into the signed checkpoint of tree size {size}, and "
        f"the consistency proof shows the latest checkpoint (tree size {latest['to_size']}, "
        f"signed {latest['checkpoint_issued_at']}) still contains that checkpoint unchanged.",
        f"Everything else here (the challenge, the case timeline, the officer's record, the "
        f"instructions, management's acts, the flags) is the ledger's reading of those events "
        f"as of {read.as_of.isoformat()}, sealed with the ledger's key: a change to anything in "
        f"the bundle's JSON makes its check fail.",
        "It does not prove that what an event says is true, only that it was recorded, by "
        "whom, and when: 'happened' is the recorder's account, 'recorded' the ledger's clock.",
        "Check it offline with the ledger's public key alone: "
        "iro-ledger verify-receipt BUNDLE.json --public-key KEY.pem",
    ]


def lateness(occurred_on: str, recorded_at: str) -> dict[str, Any]:
    """The day (in England) an event was recorded, and how many days after it happened."""
    recorded_on = england_date(datetime.fromisoformat(recorded_at))
    late = (recorded_on - date.fromisoformat(occurred_on)).days
    return {"recorded_on": recorded_on.isoformat(), "days_late": late}


def annexed(receipt: dict[str, Any]) -> dict[str, Any]:
    """One event of the annex, read from the bytes its receipt proves (not the readable copy):
    its place in the log, its record, and what it says."""
    proven = describe(base64.b64decode(receipt["leaf"]["canonical"]))
    copy = receipt["event"]
    state: dict[str, Any] = proven.get("state") or {}
    entry = {"leaf_index": receipt["leaf"]["index"], "position": copy["position"],
             "record": copy["record"], "number": proven["number"], "type": proven["type"],
             **{k: state.get(k) for k in PROVENANCE if k != "command_id"},
             "fields": {k: v for k, v in sorted(state.items()) if k not in _NOT_FIELDS}}
    if entry["occurred_on"] and entry["recorded_at"]:
        entry.update(lateness(entry["occurred_on"], entry["recorded_at"]))
    return entry


def _with_actor(act: dict[str, Any], by_position: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """A management act, naming who did it from its event where the read model does not."""
    event = by_position.get(act["ref"]["position"])
    if act["by"] is None and event is not None:
        return {**act, "by": event["actor"], "detail": event["fields"].get("reason")}
    return act


def _plain(value: Any) -> Any:
    """JSON with no floats, so that every JSON library writes the digested bytes alike."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
