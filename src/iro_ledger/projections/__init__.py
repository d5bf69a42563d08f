"""Read models: each a consumer of the ledger's event stream with its own tables and position.

`base` is the interface a read model implements, `db` the SQL adapter it writes through,
`runner` the machinery that feeds it (catch-up, the PostgreSQL worker, rebuild, status).
"""

from iro_ledger.projections.base import (
    Envelope,
    EventRef,
    Measure,
    MeasureSource,
    Period,
    ReadModel,
)
from iro_ledger.projections.db import Database, Tx
from iro_ledger.projections.runner import Projections, Status

__all__ = [
    "Database", "Envelope", "EventRef", "Measure", "MeasureSource", "Period", "Projections",
    "ReadModel", "Status", "Tx",
]
