"""The rules catalogue (DESIGN.md): rules that turn the ledger's events into flags.

What lives here, and who reads what:

- `facts` the small documents the rules keep per record; `book` one authority's facts, its
  flags and the words explanations use; `observe` turns each event into facts.
- `rule` what every rule is; one module per rule (its docstring states its basis and exact
  semantics), each reading only the book's facts and saying what its flags now are;
  `catalogue` lists them, one line each. No rule imports another (an import-linter contract).
- `lifecycle` raises, clears and withdraws flags for every rule; `flag` is the Flag itself.
- `engine` runs it all, purely (no I/O), so the flags read model persists its state beside
  its rows; `config` (with `defaults.toml`) and `calendar` hold windows, thresholds and
  working days.

Rules judge valid time (`occurred_on`), and records are often made late, so the flags of a
history do not depend on the order its records were made in (as long as each record exists
before anything refers to it): a late record makes the rules it bears on judge again, and a
flag it shows never applied is withdrawn, not deleted (`lifecycle`).
`tests/unit/rules/test_recording_order.py` checks this property on random histories.
"""
