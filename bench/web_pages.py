"""The dashboard's flags page with many flags, and a case page with a long timeline: time
and bytes per page, beside a raw SELECT.

    python bench/web_pages.py [--flags 10000] [--case-events 2000] [--runs 20]
                              [--database-url URL]

The demo history (two fictional authorities) is loaded through the ledger; its stored flags
are then copied, each under new ids, until the flags read model holds `--flags` of them (the
rules would need years of generated history to raise so many). An inspector signed in to the
dashboard asks for the first page, a later page, a page sorted by rule, and the CSV of every
flag (in process, through the ASGI app as a browser's request would go); then one case given
`--case-events` more decisions, its page (50 events of the timeline) and its timeline's CSV.
The raw baseline is `SELECT doc FROM flags_v18` and `json.loads` of each row: the same rows,
nothing else (and, for what a stored page could cost, the 50 newest by `LIMIT`). Prints a
line per figure and one JSON line. Nothing here is a test (issue 11: under 300 ms, 200 KB).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from iro_ledger.api.app import create_app
from iro_ledger.application import Principal, Role
from iro_ledger.application.ingest import ingest, numbered
from iro_ledger.generator import demo
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from iro_ledger.projections import flags_on
from iro_ledger.settings import Settings
from iro_ledger.wiring import Services

SECRET = "bench-web-pages-secret-long-enough-for-hs256-0123456789"
URL = "https://testserver"


def _p(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(runs: int, step: Callable[[], int]) -> dict[str, float]:
    """p50 and p95 milliseconds of `step`, and the bytes it answered."""
    step()  # warm
    samples, size = [], 0
    for _ in range(runs):
        began = time.perf_counter()
        size = step()
        samples.append((time.perf_counter() - began) * 1000)
    return {"p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(_p(samples, 0.95), 1), "bytes": size}


def many_flags(services: Services, wanted: int) -> int:
    """Copy the stored flags under new ids until `wanted` are stored; how many there are."""
    db = services.projections.db
    with db.transaction() as tx:
        rows = tx.query("SELECT id, la_code, rule, raised_on, doc FROM flags_v18")
        if not rows:
            raise SystemExit("the demo raised no flags to copy")
        made = []
        for n in range(wanted - len(rows)):
            row = rows[n % len(rows)]
            doc = json.loads(row["doc"])
            doc["id"] = f"{row['id']}-copy{n}"
            made.append((doc["id"], row["la_code"], row["rule"], row["raised_on"],
                         json.dumps(doc)))
        tx.executemany("INSERT INTO flags_v18 (id, la_code, rule, raised_on, doc)"
                       " VALUES (?, ?, ?, ?, ?)", made)
        total = tx.one("SELECT COUNT(*) AS n FROM flags_v18")
        # The copies are a change to the authorities' flags: their stored days are judged again.
        last = tx.one("SELECT MAX(position) AS p FROM flags_changed_v18")
        flags_on.changed(tx, sorted({r["la_code"] for r in rows}),
                         int(last["p"] or 0) + 1 if last else 1)
    return int(total["n"]) if total else 0


def long_case(services: Services, seeder: Principal, more: int) -> None:
    """The demo's case EMR-C01 given `more` decisions (a long-lived case's timeline)."""
    decisions = [{"command": "record_decision", "la_code": "EMR", "case_id": "EMR-C01",
                  "decision_id": f"bench-{n}", "kind": "contact", "summary": f"Decision {n}",
                  "occurred_on": "2025-06-01", "actor": "sm.adeyemi"} for n in range(more)]
    summary = ingest(services.ledger, numbered(decisions), seeder)
    assert not summary.rejected, summary.as_dict()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flags", type=int, default=10_000)
    parser.add_argument("--case-events", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default=None,
                        help="a store to fill (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as where:
        url = args.database_url or f"sqlite:///{Path(where) / 'ledger.sqlite'}"
        app = create_app(Settings(database_url=url, jwt_secret=SECRET))
        with TestClient(app, base_url=URL) as client:
            services: Services = app.state.services
            seeder = Principal(sub="bench:seed", role=Role.ADMIN)
            ingest(services.ledger, numbered(demo.demo_commands()), seeder, atomic=True)
            services.projections.refresh(None)
            stored = many_flags(services, args.flags)
            token = mint_token(TokenPolicy(SECRET), "insp-bench", "inspector")
            form = client.get("/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert csrf, "the sign-in form carries a CSRF token"
            client.post("/login", data={"token": token, "next": "/", "csrf": csrf.group(1)},
                        follow_redirects=False)

            def page(path: str) -> Callable[[], int]:
                def get() -> int:
                    answer = client.get(path)
                    assert answer.status_code == 200, answer.text[:300]
                    return len(answer.content)
                return get

            def raw() -> int:
                with services.projections.db.reading() as tx:
                    docs = [json.loads(r["doc"]) for r in
                            tx.query("SELECT doc FROM flags_v18")]
                return sum(len(json.dumps(d)) for d in docs[:50])

            def raw_page() -> int:
                with services.projections.db.reading() as tx:
                    docs = [json.loads(r["doc"]) for r in tx.query(
                        "SELECT doc FROM flags_v18 ORDER BY raised_on DESC, id LIMIT 50")]
                return sum(len(json.dumps(d)) for d in docs)

            figures: dict[str, Any] = {"flags_stored": stored}
            figures["raw_select"] = timed(args.runs, raw)
            figures["raw_select_page"] = timed(args.runs, raw_page)
            figures["flags_page_1"] = timed(args.runs, page("/ui/flags?status="))
            figures["flags_page_100"] = timed(args.runs, page("/ui/flags?status=&page=100"))
            figures["flags_by_rule"] = timed(args.runs,
                                             page("/ui/flags?status=&sort=rule&order=desc"))
            figures["flags_csv_all"] = timed(max(3, args.runs // 5),
                                             page("/ui/flags?status=&format=csv"))
            figures["overview"] = timed(max(3, args.runs // 5), page("/"))
            long_case(services, seeder, args.case_events)
            case = "/ui/authorities/EMR/cases/EMR-C01"
            figures["case_page_1"] = timed(args.runs, page(case))
            figures["case_csv_all"] = timed(max(3, args.runs // 5),
                                            page(case + "?timeline.format=csv"))
    base = figures["raw_select"]["p50_ms"]
    for name, got in figures.items():
        if isinstance(got, dict):
            ratio = got["p50_ms"] / base if base else float("nan")
            print(f"{name:16} p50 {got['p50_ms']:8.1f} ms  p95 {got['p95_ms']:8.1f} ms  "
                  f"{got['bytes']:>9} bytes  {ratio:6.1f}x raw")
    print("targets (issue 11): flags page p95 < 300 ms and < 200 KB; every table pages")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
