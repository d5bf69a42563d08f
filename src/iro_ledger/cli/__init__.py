"""The `iro-ledger` command line: each module registers its commands on the one Typer app."""

import iro_ledger.cli.generate
import iro_ledger.cli.witness  # noqa: F401  (registers `witness` and `cosignature`)
from iro_ledger.cli import core, flags, monitoring, proof, ssda903  # noqa: F401  (register commands)
from iro_ledger.cli.app import app

__all__ = ["app"]
