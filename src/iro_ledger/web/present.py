"""How the dashboard says things: dates, event names, vocabulary and measure values as text.

Pure functions, registered as Jinja filters by `web.pages`; nothing here reads a store.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

EMPTY = "—"

MEASURE_LABELS: dict[str, str] = {
    "children_in_care": "Children in care during the period",
    "children_in_care_at_end": "Children in care at the period's end",
    "iros": "IROs engaged",
    "caseloads_at_end": "Open cases per IRO at the period's end",
    "challenges_raised": "Challenges raised",
    "challenges_per_100_children": "Challenges per 100 children in care",
    "share_resolved_informally": "Challenges resolved informally",
    "resolved_by_stage": "Stage reached by resolved challenges",
    "median_days_to_resolution": "Median days from challenge to resolution",
    "share_upheld": "Outcome of resolved challenges",
    "challenges_withdrawn": "Challenges withdrawn",
    "cafcass_referrals": "Referrals to Cafcass",
    "instructions_in_force_by_kind": "Management instructions in force",
    "flags_by_rule": "Flags raised, by rule",
    "flags_withdrawn_by_late_records": "Flags withdrawn by late records",
    "review_timeliness": "Review timeliness",
    "dispute_working_days": "Working days from challenge to its end (20 expected in total)",
    "open_challenge_ages": "Open challenges, working days since raised",
    "recommendations": "Review recommendations: followed, lapsed, repeated",
    "child_participation": "Children's part in their reviews",
    "placement_instability": "Children with 3 or more placements",
    "data_quality_findings": "Data-quality findings about imported data (not flags)",
}

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_VOCABULARY = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)+")
"""A term of the domain language (`first_allocation`), shown as words."""
_WORDS = {"iro": "IRO", "iros": "IROs", "cafcass": "Cafcass", "la": "LA", "id": "id"}


def label(text: object) -> str:
    """`permission_before_challenge` as `Permission before challenge` (IRO, Cafcass kept)."""
    if text is None:
        return EMPTY
    words = [_WORDS.get(w, w) for w in str(text).replace("-", "_").split("_") if w]
    if not words:
        return EMPTY
    first = words[0]
    return " ".join([first[:1].upper() + first[1:], *words[1:]])


FLAG_TITLES: dict[tuple[str, str], str] = {
    ("suppressed_challenge", "stalled"):
        "Challenge not resolved within {limit_working_days} working days",
}
"""Titles for a rule's pattern where the rule's name says more than the pattern shows: a
challenge left to drift shows delay, not suppression (issue 10)."""


def flag_title(flag: object) -> str:
    """A flag's title: its rule as words, or its pattern's own title where the rule's name
    would overstate what the flag shows."""
    rule = _field(flag, "rule")
    details = _field(flag, "details")
    pattern = details.get("pattern") if isinstance(details, Mapping) else None
    title = FLAG_TITLES.get((str(rule), str(pattern)))
    if title is None or not isinstance(details, Mapping):
        return label(rule)
    try:
        return title.format_map(details)
    except (KeyError, ValueError):
        return label(rule)


def _field(item: object, name: str) -> object:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def event_name(event_type: str) -> str:
    """`Challenge.ArbitrationRequested` as `Arbitration requested`."""
    inner = event_type.rpartition(".")[2]
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", inner).lower()
    return label(spaced.replace(" ", "_"))


def day(value: object) -> str:
    """A date as `27 Feb 2025`; an empty value as a dash."""
    if value is None or value == "":
        return EMPTY
    when = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{when.day} {when:%b %Y}"


def moment(value: object) -> str:
    """A stored timestamp as `23 Nov 2026, 19:49:59 UTC` (the store keeps UTC)."""
    if value is None or value == "":
        return EMPTY
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    zone = when.tzname() or ""
    return f"{when.day} {when:%b %Y, %H:%M:%S} {zone}".rstrip()


def shown(value: Any) -> str:
    """Any field value of an event, as text."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{label(k)}: {shown(v)}" for k, v in value.items())
    text = str(value)
    if _ISO_DAY.fullmatch(text):
        return day(text)
    if _VOCABULARY.fullmatch(text):
        return label(text)
    return text


def _number(value: Any, share: bool) -> str:
    if value is None:
        return EMPTY
    if share and isinstance(value, int | float):
        return f"{value * 100:.0f}%"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def measure_parts(measure: Mapping[str, Any]) -> list[str]:
    """A measure's value as lines of text: one for a number, one per key for a mapping.

    Shares (a unit or key starting `share`) are shown as percentages.
    """
    value, share = measure["value"], str(measure.get("unit", "")).startswith("share")
    if not isinstance(value, Mapping):
        return [_number(value, share)]
    if not value:
        return ["none"]
    parts = []
    for key, item in value.items():
        if isinstance(item, Mapping):
            parts.append(f"{label(key)}:")
            parts += [f"{k}: {_number(v, False)}" for k, v in item.items()]
        else:
            parts.append(f"{label(key)}: {_number(item, share or key.startswith('share'))}")
    return parts


def measure_label(name: str) -> str:
    return MEASURE_LABELS.get(name, label(name))


def headline_values(measures: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The few figures the overview compares across authorities, as numbers (None: none)."""
    by_name = {m["name"]: m for m in measures}

    def value(name: str) -> Any:
        return by_name.get(name, {}).get("value")

    caseloads = value("caseloads_at_end") or {}
    reviews = value("review_timeliness") or {}
    instructions = value("instructions_in_force_by_kind") or {}
    return {
        "children": value("children_in_care_at_end"),
        "iros": value("iros"),
        "mean_caseload": caseloads.get("mean"),
        "max_caseload": caseloads.get("max"),
        "challenges_per_100": value("challenges_per_100_children"),
        "resolved_informally": value("share_resolved_informally"),
        "median_days": value("median_days_to_resolution"),
        "instructions": sum(instructions.values()) if instructions else 0,
        "reviews_on_time": reviews.get("share_on_time"),
        "reviews_overdue": reviews.get("overdue_at_end"),
    }


SHARES = ("resolved_informally", "reviews_on_time")
"""The headline figures that are shares, shown as percentages."""


def headline(measures: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The few figures the overview compares across authorities, as text."""
    return {k: _number(v, k in SHARES) for k, v in headline_values(measures).items()}
