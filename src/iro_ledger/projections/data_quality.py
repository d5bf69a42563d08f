"""Data-quality findings as the measures read model keeps them: counts and rows, never flags.

An import records the rows of its source it could not record as they stand
(`Authority.DataQualityRecorded`: counts by kind and each row as `KIND FILE:LINE`). The
measures model keeps, per authority and dataset, the counts by kind with the events behind
them (`data_quality_findings`, a measure of its own, apart from the flags) and every row, one
table row each, so a reader pages through tens of thousands of them by a range query. No
rule reads any of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from iro_ledger.projections.base import Envelope, Measure
from iro_ledger.projections.db import Tx
from iro_ledger.projections.docs import Doc, Docs, Table

COUNTS = Table("measures_data_quality_v1", key=("la_code", "dataset"))
"""Per authority and dataset: `counts` by kind, `rows` so far, `evidence` (the events)."""
ROWS = Table("measures_data_quality_rows_v1", key=("la_code", "dataset", "n"),
             columns=("kind",), integers=frozenset({"n"}))
"""Every finding: its number within the dataset (from 1, in recording order), its kind, its
row (`KIND FILE:LINE`), the day recorded and the event it came in."""
EVENT = "Authority.DataQualityRecorded"


def keys(batch: Iterable[Envelope]) -> list[tuple[str, str]]:
    return [(e.la_code, e.event.dataset) for e in batch if e.type == EVENT]


def apply_event(docs: Docs, env: Envelope) -> None:
    """One import's findings added to its authority's and dataset's counts and rows."""
    event = env.event
    found = docs.get(COUNTS, env.la_code, event.dataset) or {
        "la_code": env.la_code, "dataset": event.dataset, "counts": {}, "rows": 0,
        "evidence": []}
    for kind, count in event.counts.items():
        found["counts"][kind] = found["counts"].get(kind, 0) + count
    ref = env.ref_doc()
    for row in event.rows:
        found["rows"] += 1
        docs.put(ROWS, {"la_code": env.la_code, "dataset": event.dataset, "n": found["rows"],
                        "kind": row.split(" ", 1)[0], "row": row,
                        "recorded_on": env.occurred_on.isoformat(), "ref": ref})
    found["evidence"].append(ref)
    docs.put(COUNTS, found)


def measure(counted: Sequence[Doc]) -> Measure:
    """Findings recorded about the authority's data, by dataset and kind: whatever the period
    (they are about the source, not about what happened in it), and never flags."""
    value = {d["dataset"]: dict(sorted(d["counts"].items()))
             for d in sorted(counted, key=lambda d: str(d["dataset"]))}
    evidence = sorted((r for d in counted for r in d["evidence"]),
                      key=lambda r: int(r["position"]))
    return Measure("data_quality_findings", value or None, "findings", evidence,
                   "rows of imported sources that could not be recorded as they stand, by "
                   "dataset and kind, whenever recorded: data quality, not flags (they judge "
                   "nobody); none: no finding recorded")


@dataclass(frozen=True)
class RowPage:
    total: int
    """Rows matching the filter."""
    rows: list[dict[str, Any]]


ORDERS = {"number": ("dataset", "n"), "dataset": ("dataset", "n"),
          "kind": ("kind", "dataset", "n")}
"""The orders rows are read in, by what a reader sorts them by (recording order: `number`)."""


def read_rows(tx: Tx, la_code: str, dataset: str | None, kind: str | None, offset: int,
              limit: int, sort: str = "number", descending: bool = False) -> RowPage:
    """One page of an authority's findings, by dataset and kind, in recording order or by
    kind (`ORDERS`), either way round."""
    where, params = ["la_code = ?"], [la_code]
    if dataset is not None:
        where.append("dataset = ?")
        params.append(dataset)
    if kind is not None:
        where.append("kind = ?")
        params.append(kind)
    clause = " AND ".join(where)
    way = " DESC" if descending else ""
    order = ", ".join(column + way for column in ORDERS[sort])
    found = ROWS.select(tx, clause, params, order=order, limit=limit, offset=offset)
    return RowPage(ROWS.count(tx, clause, params),
                   [{"dataset": d["dataset"], "number": d["n"], "kind": d["kind"],
                     "row": d["row"], "recorded_on": d["recorded_on"],
                     "event": d["ref"]} for d in found])
