"""A synthetic authority generator with ground truth, for the demo, the tests and benchmarks.

`generate(spec)` lives through the history of `spec.authorities` fictional authorities with
patterns of compromised independence planted at `spec.pattern_rate`, plus `spec.healthy`
authorities with none, and returns the history as JSON Lines in the domain language (the
batch form `iro-ledger ingest` reads) and the ground truth: the flags that must follow.
The same spec gives the same bytes: the timeline is anchored at `spec.end`, not today.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from iro_ledger.generator import history, patterns
from iro_ledger.generator.people import authority_names
from iro_ledger.generator.truth import MATCH_ON, finish
from iro_ledger.generator.world import World

DEFAULT_END = date(2025, 3, 31)
"""The last day of the history by default: the end of an English financial year, in the
past, so that a generated file never depends on the day it is made."""


@dataclass(frozen=True)
class GeneratorSpec:
    authorities: int = 1
    """Authorities with planted patterns."""
    children: int = 200
    """Children entering care in each authority over the history."""
    years: int = 3
    seed: int = 0
    pattern_rate: float = 1.0
    """Each planted variant, on average, this many times per patterned authority."""
    healthy: int = 0
    """Further authorities with no pattern at all: they must raise no flag."""
    end: date = DEFAULT_END


@dataclass(frozen=True)
class Generated:
    lines: list[str]
    """One JSON command a line, in the order to ingest them."""
    truth: dict[str, Any]


def generate(spec: GeneratorSpec) -> Generated:
    """The history and its ground truth (pure: no I/O)."""
    check(spec)
    rng = random.Random(f"iro-ledger/{spec.seed}")
    names = authority_names(rng, spec.authorities + spec.healthy)
    start = spec.end - timedelta(days=round(spec.years * 365.25))
    worlds = []
    for index, (la_code, name) in enumerate(names):
        world = World(index, la_code, name, random.Random(f"iro-ledger/{spec.seed}/{index}"),
                      start, spec.end)
        history.set_up(world, spec.children)
        if index < spec.authorities:
            patterns.plant(world, spec.pattern_rate)
        world.run()
        worlds.append(world)
    ordered = sorted((day, phase, world.index, order, body)
                     for world in worlds for day, phase, order, body in world.commands)
    lines = []
    for number, (_, _, _, _, body) in enumerate(ordered, start=1):
        body["command_id"] = f"gen{spec.seed}-{body['la_code']}-{number:07d}"
        lines.append(json.dumps(body, ensure_ascii=False, separators=(",", ":")))
    expected = [entry for world in worlds for entry in finish(world)]
    truth = {
        "generator": {**asdict(spec), "end": spec.end.isoformat()},
        "as_of": spec.end.isoformat(),
        "lines": len(lines),
        "authorities": [{"la_code": w.la_code, "name": w.name,
                         "healthy": w.index >= spec.authorities,
                         "planted": sorted(w.planted)} for w in worlds],
        "match_on": {rule: list(keys) for rule, keys in MATCH_ON.items()},
        "flags": expected,
    }
    return Generated(lines, truth)


def check(spec: GeneratorSpec) -> None:
    """Refuse a spec that cannot make a sensible history, naming the option."""
    if spec.authorities < 0 or spec.healthy < 0 or spec.authorities + spec.healthy < 1:
        raise ValueError("--authorities and --healthy: at least one authority in all")
    if spec.children < 1:
        raise ValueError("--children: at least 1")
    if not 1 <= spec.years <= 30:
        raise ValueError("--years: between 1 and 30")
    if spec.pattern_rate < 0:
        raise ValueError("--pattern-rate: not negative")
    if spec.end >= date.today():
        raise ValueError("--end: the history must end before today")


def truth_path(out: Path) -> Path:
    """FILE.jsonl's ground truth: FILE.truth.json beside it."""
    stem = out.name[: -len(".jsonl")] if out.name.endswith(".jsonl") else out.name
    return out.with_name(f"{stem}.truth.json")


def write(generated: Generated, out: Path) -> Path:
    """Write the history to `out` and the truth beside it; the truth's path."""
    out.write_text("".join(f"{line}\n" for line in generated.lines), encoding="utf-8")
    truth = truth_path(out)
    truth.write_text(json.dumps(generated.truth, indent=1, ensure_ascii=False) + "\n",
                     encoding="utf-8")
    return truth


__all__ = ["DEFAULT_END", "Generated", "GeneratorSpec", "generate", "truth_path", "write"]
