"""One measured step in a process of its own, so its peak RSS is its own: prints one JSON line.

    python bench/child.py load FILE [--mode ingest|atomic]  # `iro-ledger ingest` [--atomic]
    python bench/child.py rebuild                          # every read model from zero

The store is the one IRO_LEDGER_DATABASE_URL names, as for the CLI.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from iro_ledger.application import Principal, Role
from iro_ledger.application.ingest import ingest, read_entries
from iro_ledger.settings import get_settings
from iro_ledger.wiring import build_services
from memory import peak_rss_mb

LOADER = Principal("bench-loader", Role.ADMIN)


def main() -> None:
    parser = argparse.ArgumentParser()
    steps = parser.add_subparsers(dest="step", required=True)
    load = steps.add_parser("load")
    load.add_argument("file", type=Path)
    load.add_argument("--mode", choices=("ingest", "atomic"), default="ingest")
    steps.add_parser("rebuild")
    args = parser.parse_args()
    services = build_services(get_settings())
    try:
        began, cpu = time.perf_counter(), time.process_time()
        if args.step == "load":
            entries = read_entries(args.file)
            summary = ingest(services.ledger, entries, LOADER, atomic=args.mode == "atomic")
            result = {"lines": len(entries), **summary.as_dict()}
        else:
            result = {"read": services.projections.rebuild(None)}
        seconds = time.perf_counter() - began
        cpu_seconds = time.process_time() - cpu  # on a shared machine, steadier than seconds
    finally:
        services.close()
    rss_mb = peak_rss_mb()
    print(json.dumps({"seconds": round(seconds, 3), "cpu_seconds": round(cpu_seconds, 3),
                      "rss_mb": round(rss_mb, 1), **result}))


if __name__ == "__main__":
    main()
