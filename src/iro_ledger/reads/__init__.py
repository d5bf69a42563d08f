"""The one door for reads: every surface (API, dashboard, CLI) reads the read models through it.

`Reads` is built once per process in `wiring.build_services`. A surface opens a `Reader` for
one principal and one request (`reads.by(principal, surface)`); the reader decides who may see
what, brings the read models it needs up to the store first (one freshness policy, the same on
SQLite and PostgreSQL), counts days to England's today, and records inspectors' and
arbitrators' reads when the request is done. `words` holds the words a read may be filtered by.
"""

from iro_ledger.projections.rules.flag import Flag
from iro_ledger.reads.reader import Reader
from iro_ledger.reads.results import (
    FlagRead,
    FlagsRead,
    Found,
    MeasuresRead,
    NotServed,
    RegisterRead,
)
from iro_ledger.reads.service import Reads

__all__ = ["Flag", "FlagRead", "FlagsRead", "Found", "MeasuresRead", "NotServed", "Reader",
           "Reads", "RegisterRead"]
