"""Tamper evidence: an RFC 9162 Merkle log over the events, signed checkpoints, receipts.

`verifier` stands alone (standard library and `cryptography` only) so that receipts can
be checked offline without trusting the rest of iro-ledger; `merkle` builds proofs over
any NodeStore; `checkpoint` holds signing keys and signs checkpoints.
"""
