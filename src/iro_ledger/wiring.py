"""The one place dependencies meet: builds the Ledger and its companions for a process.

The API builds one `Services` in its lifespan, the CLI one per command; nothing is built at
import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from iro_ledger.application import Ledger
from iro_ledger.application.store import store_env
from iro_ledger.settings import Settings


@dataclass
class Services:
    settings: Settings
    ledger: Ledger

    def close(self) -> None:
        self.ledger.close()


def build_services(settings: Settings) -> Services:
    ledger = Ledger(env=store_env(settings.resolved_database_url()))
    return Services(settings=settings, ledger=ledger)
