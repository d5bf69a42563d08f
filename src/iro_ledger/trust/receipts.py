"""Receipts and consistency files: what an IRO keeps, and what shows a later log extends it.

A receipt (`verifier.RECEIPT_FORMAT`) carries one event's canonical bytes, its leaf index, its
inclusion proof and the signed checkpoint it proves into; `trust.verifier.verify_receipt`
checks it with the log's public key alone. A record's receipts travel together in a bundle
(`RECEIPTS_FORMAT`) that shares one checkpoint, so that one consistency file (`CONSISTENCY_FORMAT`,
the verifier's "against" object) carries the whole bundle forward to a later checkpoint.
"""

from __future__ import annotations

import base64
from typing import Any

from iro_ledger.trust.checkpoint_store import StoredCheckpoint
from iro_ledger.trust.log import Leaf
from iro_ledger.trust.verifier import CONSISTENCY_FORMAT, RECEIPT_FORMAT

RECEIPTS_FORMAT = "iro-ledger-receipts/1"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def receipt(leaf: Leaf, canonical: bytes, proof: list[bytes], checkpoint: StoredCheckpoint,
            origin: str, event: dict[str, Any]) -> dict[str, Any]:
    """One event's receipt; `event` is a readable copy that the verifier does not trust."""
    return {
        "format": RECEIPT_FORMAT,
        "leaf": {"canonical": b64(canonical), "index": leaf.leaf_index},
        "event": event,
        "tree_size": checkpoint.tree_size,
        "inclusion_proof": [b64(h) for h in proof],
        "checkpoint": checkpoint.note,
        "key_name": origin,
    }


def bundle(kind: str, la_code: str, ref: str, checkpoint: StoredCheckpoint,
           receipts: list[dict[str, Any]]) -> dict[str, Any]:
    """Every event of one record, each with its receipt into the same checkpoint."""
    return {
        "format": RECEIPTS_FORMAT,
        "record": {"kind": kind, "la_code": la_code, "id": ref},
        "tree_size": checkpoint.tree_size,
        "checkpoint_issued_at": checkpoint.issued_at.isoformat(),
        "receipts": receipts,
    }


def event_summary(leaf: Leaf, topic: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The readable copy of an event that travels in its receipt."""
    return {
        "record": {"kind": leaf.kind, "la_code": leaf.la_code, "id": leaf.ref},
        "number": leaf.number,
        "type": topic.partition(":")[2] or topic,
        "position": leaf.position,
        "fields": {k: v for k, v in fields.items() if k not in ("number", "type")},
    }


def consistency_file(from_size: int, later: StoredCheckpoint, proof: list[bytes],
                     origin: str) -> dict[str, Any]:
    """Shows the log of `later` extends the log of `from_size` (the verifier's "against")."""
    return {
        "format": CONSISTENCY_FORMAT,
        "from_size": from_size,
        "to_size": later.tree_size,
        "key_name": origin,
        "checkpoint": later.note,
        "checkpoint_issued_at": later.issued_at.isoformat(),
        "consistency_proof": [b64(h) for h in proof],
    }


def receipts_in(document: Any) -> list[dict[str, Any]]:
    """The receipts a file holds: a bundle, a list of receipts, or one receipt.

    Raises ValueError when the document is none of these.
    """
    if isinstance(document, dict) and document.get("format") == RECEIPTS_FORMAT:
        found = document.get("receipts")
    elif isinstance(document, dict) and document.get("format") == RECEIPT_FORMAT:
        found = [document]
    else:
        found = document
    if not isinstance(found, list) or not found or not all(isinstance(r, dict) for r in found):
        raise ValueError(f"not a receipt, a list of receipts or a {RECEIPTS_FORMAT} bundle")
    return found
