"""The rules catalogue (DESIGN.md): ten rules that turn the ledger's events into flags.

Each rule is a module whose docstring states its basis and its exact semantics (what raises a
flag, what clears it, its severity); windows and thresholds come from `defaults.toml`,
overridable by a TOML file (`Settings.rules_path`). `engine.RulesEngine` runs them; it is pure
(no I/O), so the flags read model can persist its state beside its rows.

Rules judge valid time (`occurred_on`), and records are often made late, so the flags of a
history do not depend on the order its records were made in (as long as each record exists
before anything refers to it): a late record makes the rules it bears on judge again, and a
flag it shows never applied is withdrawn, not deleted (`flag.py`).
`tests/unit/rules/test_recording_order.py` checks this property on random histories.
"""
