"""The domain language of iro-ledger: aggregates, their events and value types.

Pure: imports only the standard library and the eventsourcing domain model, does no I/O.
The module paths of event classes are part of the stored data format (see STYLE.md).
"""
