"""Tamper evidence: an RFC 9162 Merkle log over the events, signed checkpoints, receipts.

`verifier` stands alone (standard library and `cryptography` only) so that receipts can
be checked offline without trusting the rest of iro-ledger; `merkle` builds proofs over
any NodeStore; `signing` signs checkpoints and cosignatures, `keys` keeps private keys on disk,
`checkpoint_store` keeps signed checkpoints and their cosignatures, `witness` cosigns.
"""
