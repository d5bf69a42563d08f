"""The read service counts days to England's today, whatever surface asks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from iro_ledger.application import Principal, Role
from iro_ledger.reads import Reads
from iro_ledger.settings import Settings
from iro_ledger.wiring import build_services

SUMMER_NIGHT = datetime(2024, 6, 30, 23, 30, tzinfo=UTC)
"""00:30 on 1 July in England."""


def test_flags_read_just_after_midnight_in_summer_are_as_of_englands_new_day(
        tmp_path: Path) -> None:
    services = build_services(Settings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite'}"))
    try:
        reads = Reads(services.ledger, services.projections, clock=lambda: SUMMER_NIGHT)
        with reads.by(Principal(sub="admin-1", role=Role.ADMIN), "api") as reader:
            assert reader.flags().as_of == date(2024, 7, 1)
            assert reader.period().end == date(2024, 7, 1)
    finally:
        services.close()
