"""Exports: what leaves the ledger as a file someone keeps.

`dispute_bundle` is one dispute's account with the receipts of every event it cites, sealed by
the log's key, checked offline with `iro-ledger verify-receipt`; `dispute_pdf` is the same
bundle for a person to read and print; `ocel` is the history as an OCEL 2.0 event log for
process-mining tools. Every export reads through the read service (`reads/`).
"""
