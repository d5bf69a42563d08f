"""Trust for one process: the Merkle log kept current, checkpoints issued, receipts and audits.

`wiring.build_services` builds one `Trust` beside the projections: it installs the guard
triggers, runs `MerkleLogModel` among the read models, and hooks `after_commit` so that a
checkpoint is signed when one is due (every N events, or T seconds after the log last grew:
a timer covers a stream that falls quiet in a long-running process). Receipts catch the log up
and sign a checkpoint on demand, so a receipt exists as soon as its event is written. Witnesses
send their cosignatures back (`add_cosignature`); checkpoints, receipts and consistency files
are served with every cosignature kept so far.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from iro_ledger.application import Ledger, Principal
from iro_ledger.domain.errors import InvalidValue, NotRecorded
from iro_ledger.domain.record import record_id
from iro_ledger.projections import Projections, ReadModel
from iro_ledger.projections.db import Tx
from iro_ledger.trust import audit as auditing
from iro_ledger.trust import checkpoint_store, guard, receipts, signing
from iro_ledger.trust.canonical import canonical
from iro_ledger.trust.checkpoint_store import StoredCheckpoint, StoredCosignature, witnessed_note
from iro_ledger.trust.keys import KeyFile, NoSigningKey
from iro_ledger.trust.log import (
    LEAVES,
    NODES,
    Leaf,
    MerkleLogModel,
    SqlNodeStore,
    leaves_of_record,
    merkle_log,
)
from iro_ledger.trust.signing import public_key_pem
from iro_ledger.trust.verifier import (
    SIGNATURE_PREFIX,
    VerificationError,
    leaf_hash,
    load_public_key_pem,
    parse_checkpoint,
    parse_witness_vkey,
    verify_cosignature,
)

_log = logging.getLogger(__name__)
EventKey = tuple[str, str, str, int]
"""(kind, la_code, ref, number): one event of one record."""


class LogDamaged(Exception):
    """The store or the Merkle log no longer agree: run `iro-ledger audit`."""


@contextmanager
def _log_behind() -> Iterator[None]:
    """A proof into a tree larger than the stored log: the log is being rebuilt."""
    try:
        yield
    except ValueError as behind:
        raise LogDamaged(f"the Merkle log is behind its checkpoints ({behind}); it is being "
                         "rebuilt or was damaged: try again, or run `iro-ledger audit`") from None


def _witnessed(tx: Tx, checkpoint: StoredCheckpoint) -> StoredCheckpoint:
    """The checkpoint as served: its note with the witnesses' cosignature lines appended."""
    return replace(checkpoint, note=witnessed_note(tx, checkpoint))


class Trust:
    def __init__(self, ledger: Ledger, projections: Projections, key_path: Path, origin: str,
                 every_events: int, every_seconds: float) -> None:
        self.ledger = ledger
        self.projections = projections
        self.db = projections.db
        self.keys = KeyFile(key_path)
        self.origin = origin
        self.every_events = max(every_events, 1)
        self.every_seconds = every_seconds
        self._timer: threading.Timer | None = None
        self._timer_lock = threading.Lock()
        self._closed = False
        self._warned = False

    @property
    def guarded_tables(self) -> list[str]:
        recorder: Any = self.ledger.recorder
        table = str(recorder.events_table_name)
        if self.db.dialect == "postgres":
            table = f"{recorder.datastore.schema}.{table}"
        return [table, *checkpoint_store.TABLES, LEAVES, NODES]

    def install_guard(self) -> None:
        guard.install(self.db, self.guarded_tables, create=checkpoint_store.create_table)

    # Keeping the log and its checkpoints current

    def after_commit(self, model: ReadModel, position: int) -> None:
        """The projections' hook: sign a checkpoint when the log's batch made one due."""
        if model.name == MerkleLogModel.name:
            self.tick()

    def tick(self) -> None:
        """Issue a checkpoint if due, else arm the timer for when it will be; never raises."""
        if self._closed:
            return
        try:
            key = self.keys.get()
            last = checkpoint_store.issue(self.db, key, self.origin, every_events=self.every_events,
                                     every_seconds=self.every_seconds)
            with self.db.reading() as tx:
                size = SqlNodeStore(tx).size()
            if last is not None and size > last.tree_size:
                age = (datetime.now(UTC) - last.issued_at).total_seconds()
                self._arm(max(self.every_seconds - age, 0.05))
        except NoSigningKey as missing:
            if not self._warned:
                self._warned = True
                _log.warning("checkpoints not issued: %s", missing)
        except Exception:
            _log.exception("issuing a checkpoint failed; the next batch will try again")

    def _arm(self, delay: float) -> None:
        with self._timer_lock:
            if self._closed or (self._timer is not None and self._timer.is_alive()):
                return
            self._timer = threading.Timer(delay, self.tick)
            self._timer.daemon = True
            self._timer.start()

    def catch_up(self) -> None:
        self.projections.catch_up([MerkleLogModel.name])

    def checkpoint_now(self) -> StoredCheckpoint | None:
        """Catch the log up and sign it at its current size unless that is signed already."""
        self.catch_up()
        return checkpoint_store.issue(self.db, self.keys.get(), self.origin)

    def close(self) -> None:
        with self._timer_lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()

    # Reading checkpoints and keys

    def public_key_pem(self) -> bytes:
        return public_key_pem(self.keys.get())

    def latest(self) -> StoredCheckpoint | None:
        """The latest checkpoint, its note carrying every cosignature kept so far."""
        with self.db.reading() as tx:
            found = checkpoint_store.latest(tx)
            return None if found is None else _witnessed(tx, found)

    def checkpoints(self, limit: int | None = None, offset: int = 0
                    ) -> tuple[int, list[StoredCheckpoint]]:
        with self.db.reading() as tx:
            return checkpoint_store.count(tx), [
                _witnessed(tx, c) for c in checkpoint_store.listing(tx, limit, offset)]

    def add_cosignature(self, tree_size: int, witness: str, line: str) -> bool:
        """Keep a witness's cosignature of the checkpoint at `tree_size` once it verifies
        with the witness key it names (a vkey); False when that witness's is kept already.

        Anyone may send one: a verifier counts only the witnesses it trusts, so a stranger's
        cosignature proves nothing to anyone, and a false one is refused here.
        """
        try:
            key = parse_witness_vkey(witness)
        except VerificationError as bad:
            raise InvalidValue("witness", bad.reason) from None
        body = line.removesuffix("\n")
        if not body.startswith(SIGNATURE_PREFIX) or "\n" in body:
            raise InvalidValue("cosignature", "not one signature line")
        with self.db.reading() as tx:
            checkpoint = checkpoint_store.at_size(tx, tree_size)
        if checkpoint is None:
            raise NotRecorded(f"no checkpoint was issued at tree size {tree_size}")
        try:
            cosigned = verify_cosignature(parse_checkpoint(checkpoint.note + body + "\n"), key)
        except VerificationError as bad:
            raise InvalidValue("cosignature", bad.reason) from None
        if cosigned is None:
            raise InvalidValue("cosignature", f"the line is not signed by {key.name}'s key")
        kept = StoredCosignature(tree_size, witness.strip(), body + "\n", cosigned.timestamp)
        with self.db.transaction() as tx:
            return checkpoint_store.add_cosignature(tx, kept, datetime.now(UTC))

    # Receipts and consistency

    def receipts(self, kind: str, la_code: str, ref: str, principal: Principal
                 ) -> dict[str, Any]:
        """A bundle of receipts for every event of a record the principal may read."""
        view = self.ledger.read(kind, la_code, ref, principal)
        self.catch_up()
        with self.db.reading() as tx:
            leaves = leaves_of_record(tx, kind, la_code, ref)
        if len(leaves) < view.version:
            raise LogDamaged(f"the Merkle log holds {len(leaves)} of the {view.version} events "
                             f"of {kind} {la_code}/{ref}; run `iro-ledger audit`")
        checkpoint = self._covering(leaves[-1].leaf_index)
        stored = {e.originator_version: e for e in
                  self.ledger.recorder.select_events(record_id(kind, la_code, ref))}
        fields = {e["number"]: e for e in view.events}
        made = []
        with self.db.reading() as tx, _log_behind():
            proofs = merkle_log(tx).inclusion_proofs([leaf.leaf_index for leaf in leaves],
                                                     checkpoint.tree_size)
            for leaf, proof in zip(leaves, proofs, strict=True):
                event = stored.get(leaf.number)
                data = canonical(event) if event is not None else b""
                if event is None or leaf_hash(data) != leaf.leaf_hash:
                    raise LogDamaged(f"{leaf.record} (position {leaf.position}) no longer "
                                     "matches its leaf in the Merkle log; run `iro-ledger audit`")
                summary = receipts.event_summary(leaf, event.topic, fields.get(leaf.number, {}))
                made.append(receipts.receipt(leaf, data, proof, checkpoint, self.origin,
                                             summary))
        return receipts.bundle(kind, la_code, ref, checkpoint, made)

    def _covering(self, top: int) -> StoredCheckpoint:
        """The earliest checkpoint holding leaf `top` (signed now if none does), witnessed."""
        with self.db.reading() as tx:
            checkpoint = checkpoint_store.covering(tx, top)
        if checkpoint is None:
            checkpoint_store.issue(self.db, self.keys.get(), self.origin)
            with self.db.reading() as tx:
                checkpoint = checkpoint_store.covering(tx, top)
        if checkpoint is None:
            raise LogDamaged(f"no checkpoint covers leaf {top}")
        with self.db.reading() as tx:
            return _witnessed(tx, checkpoint)

    def event_proofs(self, events: Iterable[EventKey]
                     ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Receipts for the given events, into one checkpoint, and the consistency file from
        it to the latest checkpoint (signed now if the log has grown since).

        No access check: the read service decides who may see them (a dispute bundle).
        """
        wanted: dict[tuple[str, str, str], set[int]] = {}
        for kind, la_code, ref, number in events:
            wanted.setdefault((kind, la_code, ref), set()).add(number)
        if not wanted:
            raise InvalidValue("events", "there are no events to prove")
        self.catch_up()
        leaves: list[tuple[Leaf, bytes, str]] = []
        with self.db.reading() as tx:
            for (kind, la_code, ref), numbers in sorted(wanted.items()):
                found = {leaf.number: leaf for leaf in leaves_of_record(tx, kind, la_code, ref)}
                stored = {e.originator_version: e for e in self.ledger.recorder.select_events(
                    record_id(kind, la_code, ref))}
                for number in sorted(numbers):
                    leaf, event = found.get(number), stored.get(number)
                    data = canonical(event) if event is not None else b""
                    if leaf is None or event is None or leaf_hash(data) != leaf.leaf_hash:
                        raise LogDamaged(f"{kind} {la_code}/{ref} event {number} has no "
                                         "matching leaf in the Merkle log; run "
                                         "`iro-ledger audit`")
                    leaves.append((leaf, data, event.topic))
        leaves.sort(key=lambda found: found[0].leaf_index)
        checkpoint = self._covering(leaves[-1][0].leaf_index)
        made = []
        with self.db.reading() as tx, _log_behind():
            proofs = merkle_log(tx).inclusion_proofs(
                [leaf.leaf_index for leaf, _, _ in leaves], checkpoint.tree_size)
            for (leaf, data, topic), proof in zip(leaves, proofs, strict=True):
                made.append(receipts.receipt(leaf, data, proof, checkpoint, self.origin,
                                             receipts.event_summary(leaf, topic, {})))
        self.checkpoint_now()
        return made, self.consistency(checkpoint.tree_size)

    def seal(self, tree_size: int, digest: bytes) -> str:
        """The log's signature over a dispute bundle's content digest at `tree_size`."""
        return signing.seal(self.origin, tree_size, digest, self.keys.get())

    def consistency(self, from_size: int, to_size: int | None = None) -> dict[str, Any]:
        """The proof that the checkpoint at `to_size` (default: the latest) extends `from_size`."""
        with self.db.reading() as tx:
            later = (checkpoint_store.latest(tx) if to_size is None
                     else checkpoint_store.at_size(tx, to_size))
            if later is None:
                raise NotRecorded("no checkpoint has been issued yet" if to_size is None
                                  else f"no checkpoint was issued at tree size {to_size}")
            if not 0 < from_size <= later.tree_size:
                raise InvalidValue("from_size", f"{from_size} is not between 1 and the later "
                                   f"checkpoint's tree size {later.tree_size}")
            with _log_behind():
                proof = merkle_log(tx).consistency_proof(from_size, later.tree_size)
            later = _witnessed(tx, later)
        return receipts.consistency_file(from_size, later, proof, self.origin)

    # Audit

    def audit(self, public_key_pem: bytes | None = None) -> auditing.AuditReport:
        key = load_public_key_pem(public_key_pem or self.public_key_pem())
        self.projections.setup()
        def name(stored_id: str) -> str:
            rows = self.db.query("SELECT kind, la_code, ref FROM projection_records"
                                 " WHERE record_id = ?", (str(UUID(stored_id)),))
            return (f"{rows[0]['kind']} {rows[0]['la_code']}/{rows[0]['ref']}" if rows
                    else f"unknown record {stored_id}")

        return auditing.audit(self.db, self.guarded_tables[0], key, self.origin, name,
                              self.projections.models[MerkleLogModel.name].key,
                              self.guarded_tables)
