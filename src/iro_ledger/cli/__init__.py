"""The `iro-ledger` command line: each module registers its commands on the one Typer app."""

import iro_ledger.cli.generate  # noqa: F401  (registers `generate`)
from iro_ledger.cli import (  # noqa: F401  (register commands)
    core,
    data_quality,
    db,
    erase,
    exports,
    flags,
    monitoring,
    proof,
    register,
    ssda903,
    timeline,
    witness,
)
from iro_ledger.cli.app import app

__all__ = ["app"]
