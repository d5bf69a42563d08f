"""The rules catalogue (DESIGN.md): ten rules that turn the ledger's events into flags.

Each rule is a module whose docstring states its basis and its exact semantics (what raises a
flag, what clears it, its severity); windows and thresholds come from `defaults.toml`,
overridable by a TOML file (`Settings.rules_path`). `engine.RulesEngine` runs them; it is pure
(no I/O), so the flags read model can persist its state beside its rows.
"""
