"""Offline verification of iro-ledger receipts, readable in one sitting.

This module stands alone: it uses only the Python standard library and the
`cryptography` package, so an independent expert can check a receipt without
trusting the rest of iro-ledger. It implements, in order:

1. RFC 9162 Merkle tree hashing and proof verification (sections 2.1.1 to 2.1.4).
2. C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, and the
   C2SP tlog-checkpoint body they carry (origin, tree size, root hash).
3. C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), cosignature/v1:
   a witness's timestamped Ed25519 signature saying it saw this checkpoint and
   checked that it extends every earlier one it saw of the same log.
4. Receipts: one event's canonical bytes, its inclusion proof up to a signed
   checkpoint, optionally a consistency proof to a later signed checkpoint, and
   optionally a quorum of named witnesses who cosigned either checkpoint.
5. Dispute bundles: a dispute's whole account (timeline, flags, officer record, ...)
   sealed by the log's key over a digest of its content, with a receipt for every
   event it cites and one consistency proof to the latest checkpoint.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # RFC 9162 2.1.1: the hash of an empty tree.
RECEIPT_FORMAT = "iro-ledger-receipt/1"
CONSISTENCY_FORMAT = "iro-ledger-consistency/1"  # The "against" file: a later checkpoint.
SIGNATURE_PREFIX = "\u2014 "  # An EM DASH and a space open each signed-note signature line.
ED25519_ALGORITHM = b"\x01"  # The signed-note algorithm identifier for Ed25519.
COSIGNATURE_ALGORITHM = b"\x04"  # tlog-cosignature: an Ed25519 cosignature/v1.
ISSUED_AT = "issued_at "  # iro-ledger's checkpoint extension line: when the log signed it.
DISPUTE_BUNDLE_FORMAT = "iro-ledger-dispute-bundle/1"
# A record's stored id is UUIDv5(RECORDS, "KIND/LA_CODE/ID"): how a proven event names its record.
RECORDS = uuid.uuid5(uuid.NAMESPACE_URL, "https://iro-ledger.invalid/records")


class VerificationError(Exception):
    """Something failed to verify; `reason` says what, in words for a human reader."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- 1. RFC 9162 Merkle tree hashing and proofs -----------------------------------------


def leaf_hash(data: bytes) -> bytes:
    """The hash of one log entry; the 0x00 prefix keeps leaves apart from inner nodes."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node over its two children, with the 0x01 prefix."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, proof: list[bytes], root: bytes
) -> None:
    """Check that `leaf` (a leaf hash) is entry `leaf_index` of the tree with `root`.

    Follows RFC 9162 section 2.1.3.2 step by step.
    """
    if not 0 <= leaf_index < tree_size:
        raise VerificationError(f"leaf index {leaf_index} is not inside a tree of {tree_size}")
    _check_hash_sizes([leaf, *proof])
    fn, sn, r = leaf_index, tree_size - 1, leaf
    for p in proof:
        if sn == 0:
            raise VerificationError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerificationError("inclusion proof is too short for the tree size")
    if r != root:
        raise VerificationError("inclusion proof does not lead to the given root")


def verify_consistency(
    size1: int, size2: int, proof: list[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree of `size2` with `root2` extends the tree of `size1` with `root1`.

    Follows RFC 9162 section 2.1.4.2. The RFC defines proofs only for 0 < size1, so a
    proof from the empty tree is refused; equal sizes need an empty proof and equal roots.
    """
    if size1 > size2:
        raise VerificationError(f"the later tree ({size2}) is smaller than the earlier ({size1})")
    if size1 <= 0:  # Also keeps the bit arithmetic below away from negative numbers.
        raise VerificationError("a consistency proof from the empty tree proves nothing")
    if size1 == size2:
        if proof:
            raise VerificationError("trees of equal size need an empty consistency proof")
        if root1 != root2:
            raise VerificationError("trees of equal size have different roots")
        return
    if not proof:
        raise VerificationError("consistency proof is empty")
    _check_hash_sizes(proof)
    path = [root1, *proof] if size1 & (size1 - 1) == 0 else list(proof)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerificationError("consistency proof is too short for the tree sizes")
    if fr != root1:
        raise VerificationError("consistency proof does not lead to the earlier root")
    if sr != root2:
        raise VerificationError("consistency proof does not lead to the later root")


def _check_hash_sizes(hashes: list[bytes]) -> None:
    if any(len(h) != HASH_SIZE for h in hashes):
        raise VerificationError(f"a leaf or proof hash is not {HASH_SIZE} bytes long")


# --- 2. Signed notes and checkpoints ----------------------------------------------------


@dataclass(frozen=True)
class NoteSignature:
    """One signature line of a signed note: who signed, which key, and the signature."""

    key_name: str
    key_hash: bytes
    signature: bytes


@dataclass(frozen=True)
class Checkpoint:
    """A parsed tlog checkpoint; `body` is the exact signed text."""

    origin: str
    tree_size: int
    root_hash: bytes
    body: str
    signatures: tuple[NoteSignature, ...]
    issued_at: str | None = None  # The log's own claim, from its `issued_at` extension line.


def key_hash(key_name: str, public_key: Ed25519PublicKey) -> bytes:
    """The 4-byte key id that tells a verifier which key made a signature line."""
    material = key_name.encode() + b"\n" + ED25519_ALGORITHM + _raw(public_key)
    return hashlib.sha256(material).digest()[:4]


def vkey(key_name: str, public_key: Ed25519PublicKey) -> str:
    """The printable verifier key `<name>+<hex key hash>+<base64(0x01 || key)>`."""
    encoded = base64.b64encode(ED25519_ALGORITHM + _raw(public_key)).decode()
    return f"{key_name}+{key_hash(key_name, public_key).hex()}+{encoded}"


def checkpoint_body(origin: str, tree_size: int, root_hash: bytes,
                    issued_at: str | None = None) -> str:
    """The checkpoint text that gets signed: origin, size and base64 root, one per line,
    then (iro-ledger's one extension line) when the log signed it, as UTC ISO 8601."""
    time = f"{ISSUED_AT}{issued_at}\n" if issued_at is not None else ""
    return f"{origin}\n{tree_size}\n{base64.b64encode(root_hash).decode()}\n{time}"


def load_public_key_pem(public_key_pem: bytes) -> Ed25519PublicKey:
    """Read an Ed25519 public key from PEM, refusing any other kind of key."""
    try:
        key = load_pem_public_key(public_key_pem)
    except ValueError as error:
        raise VerificationError("the public key is not a readable PEM public key") from error
    if not isinstance(key, Ed25519PublicKey):
        raise VerificationError("the public key is not an Ed25519 key")
    return key


def split_note(note: str) -> tuple[str, tuple[NoteSignature, ...]]:
    """Separate a signed note into its text and its signature lines, checking the syntax."""
    if re.search(r"[\x00-\x09\x0b-\x1f]", note):
        raise VerificationError("note contains control characters")
    text_end = note.rfind("\n\n")
    if text_end < 0 or not note.endswith("\n"):
        raise VerificationError("note has no blank line before its signatures")
    text, lines = note[: text_end + 1], note[text_end + 2 : -1].split("\n")
    return text, tuple(_parse_signature_line(line) for line in lines)


def _parse_signature_line(line: str) -> NoteSignature:
    name, _, encoded = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
    if not line.startswith(SIGNATURE_PREFIX) or not name or "+" in name:
        raise VerificationError(f"malformed signature line: {line!r}")
    blob = _b64decode(encoded, "signature")
    if len(blob) < 5:
        raise VerificationError(f"signature by {name} is too short")
    return NoteSignature(name, blob[:4], blob[4:])


def open_note(note: str, public_key: Ed25519PublicKey, key_name: str) -> str:
    """Return the note's text if `key_name` with `public_key` signed it; refuse otherwise."""
    text, signatures = split_note(note)
    wanted = key_hash(key_name, public_key)
    ours = [s for s in signatures if s.key_name == key_name and s.key_hash == wanted]
    if not ours:
        raise VerificationError(f"no signature line carries the key hash of {key_name}")
    for signature in ours:
        try:
            public_key.verify(signature.signature, text.encode())
        except InvalidSignature as error:
            raise VerificationError("the signature over the note text is invalid") from error
    return text


def parse_checkpoint(note: str) -> Checkpoint:
    """Parse a signed checkpoint note WITHOUT checking its signatures."""
    body, signatures = split_note(note)
    lines = body[:-1].split("\n")
    if len(lines) < 3 or not lines[0] or not all(lines[3:]):
        raise VerificationError("checkpoint body needs origin, size and root lines")
    if not re.fullmatch(r"0|[1-9][0-9]*", lines[1], flags=re.ASCII):
        raise VerificationError(f"checkpoint tree size is not a decimal number: {lines[1]!r}")
    root_hash = _b64decode(lines[2], "checkpoint root hash")
    if len(root_hash) != HASH_SIZE:
        raise VerificationError("checkpoint root hash is not 32 bytes")
    issued = [line.removeprefix(ISSUED_AT) for line in lines[3:] if line.startswith(ISSUED_AT)]
    return Checkpoint(lines[0], int(lines[1]), root_hash, body, signatures,
                      issued[0] if len(issued) == 1 else None)


def verify_checkpoint(note: str, public_key: Ed25519PublicKey, key_name: str) -> Checkpoint:
    """Parse a checkpoint of the log `key_name`, signed by that name with `public_key`.

    iro-ledger signs each checkpoint under its log's origin, so the two must agree.
    """
    checkpoint = parse_checkpoint(note)
    with _explained("checkpoint signature does not verify with the given public key"):
        open_note(note, public_key, key_name)
    if checkpoint.origin != key_name:
        raise VerificationError(f"checkpoint origin {checkpoint.origin!r} is not {key_name!r}")
    return checkpoint


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _b64decode(encoded: str, what: str) -> bytes:
    try:
        decoded = base64.b64decode(encoded, validate=True)
    except ValueError as error:
        raise VerificationError(f"{what} is not valid base64") from error
    if base64.b64encode(decoded).decode() != encoded:
        raise VerificationError(f"{what} is not in canonical base64")
    return decoded


# --- 3. Witness cosignatures -----------------------------------------------------------


@dataclass(frozen=True)
class Witness:
    """A witness a verifier trusts: its name and public key, as in its vkey."""

    name: str
    public_key: Ed25519PublicKey


@dataclass(frozen=True)
class Cosigned:
    """A valid cosignature: `witness` saw the checkpoint at `timestamp` (POSIX seconds)."""

    witness: str
    timestamp: int
    tree_size: int


def cosigner_key_hash(name: str, public_key: Ed25519PublicKey) -> bytes:
    """The 4-byte key id of a cosignature line: like `key_hash`, with the 0x04 type."""
    material = name.encode() + b"\n" + COSIGNATURE_ALGORITHM + _raw(public_key)
    return hashlib.sha256(material).digest()[:4]


def witness_vkey(name: str, public_key: Ed25519PublicKey) -> str:
    """The printable witness key `<name>+<hex key id>+<base64(0x04 || key)>`."""
    encoded = base64.b64encode(COSIGNATURE_ALGORITHM + _raw(public_key)).decode()
    return f"{name}+{cosigner_key_hash(name, public_key).hex()}+{encoded}"


def parse_witness_vkey(vkey: str) -> Witness:
    """Read a witness vkey, checking its key id against its name and key."""
    parts = vkey.strip().split("+", 2)  # The base64 key may itself hold "+".
    if len(parts) != 3 or not parts[0] or re.search(r"\s", parts[0]):
        raise VerificationError("a witness key must be one line <name>+<key id>+<base64 key>")
    name, key_id, encoded = parts
    material = _b64decode(encoded, "witness key")
    if len(material) != 33 or material[:1] != COSIGNATURE_ALGORITHM:
        raise VerificationError(f"witness key {name} is not an Ed25519 cosigner key (type 0x04)")
    public_key = Ed25519PublicKey.from_public_bytes(material[1:])
    if cosigner_key_hash(name, public_key).hex() != key_id:
        raise VerificationError(f"witness key {name}: the key id does not match name and key")
    return Witness(name, public_key)


def cosigned_message(body: str, timestamp: int) -> bytes:
    """What a witness signs: a header line, a time line, then the whole checkpoint body."""
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def verify_cosignature(checkpoint: Checkpoint, witness: Witness) -> Cosigned | None:
    """The witness's cosignature on the checkpoint; None when it has none (lines by other
    keys are ignored, as signed notes require); refuses a line of its key that fails."""
    wanted = cosigner_key_hash(witness.name, witness.public_key)
    found: Cosigned | None = None
    for line in checkpoint.signatures:
        if line.key_name != witness.name or line.key_hash != wanted:
            continue
        if len(line.signature) != 8 + 64:
            raise VerificationError(f"the cosignature by {witness.name} is not 8 + 64 bytes")
        timestamp = int.from_bytes(line.signature[:8], "big")
        if timestamp >= 2**63:
            raise VerificationError(f"the cosignature by {witness.name} has no usable time")
        try:
            witness.public_key.verify(line.signature[8:],
                                      cosigned_message(checkpoint.body, timestamp))
        except InvalidSignature as error:
            raise VerificationError(
                f"the cosignature by {witness.name} does not verify over the checkpoint of "
                f"tree size {checkpoint.tree_size}") from error
        found = Cosigned(witness.name, timestamp, checkpoint.tree_size)
    return found


def witnessed_by(checkpoints: Sequence[Checkpoint], witnesses: Sequence[Witness],
                 minimum: int) -> tuple[Cosigned, ...]:
    """The trusted witnesses that cosigned any of `checkpoints` (the caller has proven each
    one contains the tree in question); refuses fewer than `minimum` of them."""
    seen: dict[str, Cosigned] = {}
    for witness in witnesses:
        for checkpoint in checkpoints:
            cosigned = verify_cosignature(checkpoint, witness)
            if cosigned is not None and witness.name not in seen:
                seen[witness.name] = cosigned
    if len(seen) < minimum:
        missing = ", ".join(w.name for w in witnesses if w.name not in seen) or "none given"
        raise VerificationError(f"{len(seen)} of the {minimum} required witnesses cosigned the "
                                f"checkpoint (not cosigned by: {missing})")
    return tuple(seen.values())


# --- 4. Receipts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    """What a receipt proved: these exact bytes are leaf `leaf_index` of a signed tree."""

    canonical: bytes
    leaf_index: int
    tree_size: int
    root_hash: bytes
    origin: str
    later_tree_size: int | None = None  # Set when a later checkpoint was shown to extend it.
    later_root_hash: bytes | None = None
    issued_at: str | None = None  # When the log says it signed the receipt's checkpoint.
    witnesses: tuple[Cosigned, ...] = ()  # Trusted witnesses that cosigned either checkpoint.


def verify_receipt(
    receipt: dict[str, Any],
    public_key_pem: bytes,
    against: dict[str, Any] | None = None,
    witnesses: Sequence[Witness] = (),
    min_witnesses: int = 0,
) -> Verified:
    """Check a receipt, optionally that a later checkpoint extends its checkpoint, and
    optionally that `min_witnesses` of `witnesses` cosigned either checkpoint.

    The receipt's "event" object is a human-readable copy and is not trusted: only
    the canonical bytes are hashed, so only they are proven.
    """
    if receipt.get("format") != RECEIPT_FORMAT:
        raise VerificationError(f"receipt format is not {RECEIPT_FORMAT}")
    key = load_public_key_pem(public_key_pem)
    key_name = _field(receipt, "key_name", str)
    checkpoint = verify_checkpoint(_field(receipt, "checkpoint", str), key, key_name)
    tree_size = _field(receipt, "tree_size", int)
    if checkpoint.tree_size != tree_size:
        raise VerificationError(f"checkpoint tree size {checkpoint.tree_size} is not {tree_size}")
    leaf = _field(receipt, "leaf", dict)
    index = _field(leaf, "index", int)
    canonical = _b64decode(_field(leaf, "canonical", str), "leaf canonical bytes")
    proof = _hashes(_field(receipt, "inclusion_proof", list), "inclusion proof")
    with _explained("inclusion proof does not lead to the checkpoint root"):
        verify_inclusion(index, tree_size, leaf_hash(canonical), proof, checkpoint.root_hash)
    verified = Verified(canonical, index, tree_size, checkpoint.root_hash, checkpoint.origin,
                        issued_at=checkpoint.issued_at)
    seen = [checkpoint]
    if against is not None:
        later = verify_checkpoint(_field(against, "checkpoint", str), key, key_name)
        verified = _check_later(verified, against, later)
        seen.append(later)
    return replace(verified, witnesses=witnessed_by(seen, witnesses, min_witnesses))


def _check_later(verified: Verified, against: dict[str, Any], later: Checkpoint) -> Verified:
    if later.tree_size < verified.tree_size:
        raise VerificationError(
            f"later checkpoint ({later.tree_size}) is smaller than the receipt's "
            f"({verified.tree_size})"
        )
    proof = _hashes(_field(against, "consistency_proof", list), "consistency proof")
    with _explained("later checkpoint does not extend the receipt's checkpoint"):
        verify_consistency(
            verified.tree_size, later.tree_size, proof, verified.root_hash, later.root_hash
        )
    return replace(verified, later_tree_size=later.tree_size, later_root_hash=later.root_hash)


@contextmanager
def _explained(failure: str) -> Iterator[None]:
    """Say which check failed, keeping the detailed reason in brackets."""
    try:
        yield
    except VerificationError as error:
        raise VerificationError(f"{failure} ({error.reason})") from error


def _field(container: dict[str, Any], name: str, kind: type[Any]) -> Any:
    value = container.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise VerificationError(f"field {name!r} is missing or not a {kind.__name__}")
    return value


def _hashes(encoded: list[Any], what: str) -> list[bytes]:
    if not all(isinstance(item, str) for item in encoded):
        raise VerificationError(f"{what} must be a list of base64 strings")
    return [_b64decode(item, what) for item in encoded]


# --- 5. Dispute bundles -----------------------------------------------------------------


def content_digest(content: dict[str, Any]) -> bytes:
    """SHA-256 of the bundle's content as JSON with sorted keys, no whitespace, UTF-8.

    The content holds only strings, integers, booleans, nulls, lists and objects (no
    floats), so every JSON library writes these bytes the same way.
    """
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).digest()


def seal_text(origin: str, tree_size: int, digest: bytes) -> str:
    """The note the log signs over a bundle: what it is, whose log, at what size, the digest.

    Its second line is never a decimal tree size, so no seal can pass for a checkpoint.
    """
    return (f"{DISPUTE_BUNDLE_FORMAT}\n{origin}\n{tree_size}\n"
            f"{base64.b64encode(digest).decode()}\n")


def record_uuid(kind: str, la_code: str, ref: str) -> str:
    """The stored id of the record `kind` `ref` of authority `la_code`."""
    return str(uuid.uuid5(RECORDS, f"{kind}/{la_code}/{ref}"))


@dataclass(frozen=True)
class BundleVerified:
    """What a dispute bundle proved: its content is the log's, each event is in the log."""

    origin: str
    tree_size: int  # The latest checkpoint's, which the seal names.
    events: tuple[Verified, ...]


def verify_dispute_bundle(
    bundle: dict[str, Any],
    public_key_pem: bytes,
    witnesses: Sequence[Witness] = (),
    min_witnesses: int = 0,
) -> BundleVerified:
    """Check a dispute bundle offline, in four steps:

    1. the seal is signed by the log's key and names the digest of the content as it is
       (so a change to anything the content says fails);
    2. every receipt proves its event into one signed checkpoint, and the consistency
       proof carries that checkpoint to the latest one, the size the seal names;
    3. every event of the annex (`content.events`) has the receipt at its leaf index, and
       the proven bytes are that event: its record, its number, its type;
    4. optionally, `min_witnesses` of `witnesses` cosigned either checkpoint.
    """
    if bundle.get("format") != DISPUTE_BUNDLE_FORMAT:
        raise VerificationError(f"bundle format is not {DISPUTE_BUNDLE_FORMAT}")
    key = load_public_key_pem(public_key_pem)
    content = _field(bundle, "content", dict)
    consistency = _field(content, "consistency", dict)
    origin = _field(consistency, "key_name", str)
    latest = _field(consistency, "to_size", int)
    with _explained("the bundle's seal does not verify"):
        text = open_note(_field(bundle, "seal", str), key, origin)
    if text != seal_text(origin, latest, content_digest(content)):
        raise VerificationError("the bundle's content is not what the log sealed: something "
                                "in it was changed after it was made")
    receipts = _field(content, "receipts", list)
    if not receipts or not all(isinstance(r, dict) for r in receipts):
        raise VerificationError("the bundle holds no receipts")
    proven: dict[int, Verified] = {}
    for number, receipt in enumerate(receipts, start=1):
        if _field(receipt, "key_name", str) != origin:
            raise VerificationError(f"receipt {number} is of another log than the seal's")
        if _field(consistency, "from_size", int) != _field(receipt, "tree_size", int):
            raise VerificationError(f"receipt {number} is not into the checkpoint the "
                                    "consistency proof starts from")
        with _explained(f"receipt {number} of {len(receipts)} is not proven"):
            verified = verify_receipt(receipt, public_key_pem, consistency, witnesses,
                                      min_witnesses)
        proven[verified.leaf_index] = verified
    annex = _field(content, "events", list)
    cited = {_annexed(entry, proven) for entry in annex}
    if cited != set(proven):
        raise VerificationError("the receipts and the annex of events do not match one to one")
    ordered = tuple(proven[i] for i in sorted(proven))
    return BundleVerified(origin, latest, ordered)


def _annexed(entry: Any, proven: dict[int, Verified]) -> int:
    """The leaf index of an annex entry, once the proven bytes there are shown to be it."""
    if not isinstance(entry, dict):
        raise VerificationError("an annex entry is not an object")
    index: int = _field(entry, "leaf_index", int)
    if index not in proven:
        raise VerificationError(f"the annex cites leaf {index}, for which there is no receipt")
    record = _field(entry, "record", dict)
    kind, la_code, ref = (_field(record, k, str) for k in ("kind", "la_code", "id"))
    try:
        leaf = json.loads(proven[index].canonical)
    except ValueError as error:
        raise VerificationError(f"leaf {index} is not JSON") from error
    if not isinstance(leaf, dict):
        raise VerificationError(f"leaf {index} is not a JSON object")
    topic = str(leaf.get("topic", ""))
    if (leaf.get("originator_id") != record_uuid(kind, la_code, ref)
            or leaf.get("originator_version") != _field(entry, "number", int)
            or topic.partition(":")[2] != _field(entry, "type", str)):
        raise VerificationError(f"the annex says leaf {index} is {kind} {la_code}/{ref} event "
                                f"{entry.get('number')} {entry.get('type')}, but the proven "
                                "bytes hold another event")
    return index
