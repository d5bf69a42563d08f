"""The history as an OCEL 2.0 event log (JSON), for process-mining tools such as pm4py.

OCEL 2.0 (https://www.ocel-standard.org) is object-centric: each event is related to the
objects it touches, each with a qualifier. Objects are the ledger's records of five kinds:
`case`, `challenge`, `officer`, `instruction`, `report`, each with id `KIND:LA_CODE/ID` and
the attributes its first event gave it. Every event of the history is an event (reads, the
access log, are left out by the read service), with id `KIND:LA_CODE/ID#NUMBER`, of type
`Outer.Inner` (`Challenge.Raised`), at the day it happened (`occurred_on`, midnight UTC: the
ledger records days, not times), with its provenance (`recorded_at`, `recorded_by`, `actor`,
`source`, `on_behalf_of`), its store `position` (the order within a day) and its own fields as
attributes. It is related to its own record (qualifier: the kind), and to the records its
fields name: the case and raiser of a challenge (on every event of the challenge), an assigned
IRO, who chaired a review, the officers an instruction was issued to, who a challenge was
escalated to, the report's author, and the actor when they are a registered officer. An
event is related to an object once, with the first of these qualifiers that applies.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from iro_ledger.reads.results import HistoryEvent

OBJECT_TYPES = ("case", "challenge", "officer", "instruction", "report")
OBJECT_ATTRIBUTES = {
    "case": ("legal_status", "entered_care_on"),
    "challenge": ("about",),
    "officer": ("role", "employment"),
    "instruction": ("kind",),
    "report": ("year",),
}
"""The attributes each object takes from its record's first event."""
PROVENANCE = (("recorded_at", "time"), ("recorded_by", "string"), ("actor", "string"),
              ("source", "string"), ("on_behalf_of", "string"), ("position", "integer"),
              ("la_code", "string"))
OFFICER_FIELDS = {"officer_id": "officer", "previous_officer_id": "previous officer",
                  "chaired_by": "chaired by", "author": "author",
                  "addressed_to": "addressed to", "issued_to": "issued to"}
"""Fields that name officers, and the qualifier of the relation they make."""


def ocel_log(history: Iterable[HistoryEvent]) -> dict[str, Any]:
    """The OCEL 2.0 JSON document of a history (in store order)."""
    objects: dict[str, dict[str, Any]] = {}
    challenges: dict[str, list[tuple[str, str]]] = {}
    events: list[dict[str, Any]] = []
    event_types: dict[str, dict[str, str]] = {}
    for event in history:
        own = object_id(event.kind, event.la_code, event.ref)
        if event.kind in OBJECT_TYPES and own not in objects:
            objects[own] = _object(own, event)
        related = [(own, event.kind)] if event.kind in OBJECT_TYPES else []
        if event.type == "Challenge.Raised":
            challenges[own] = [
                (object_id("case", event.la_code, str(event.fields.get("case_id"))), "case"),
                (object_id("officer", event.la_code, str(event.fields.get("officer_id"))),
                 "raised by")]
            objects[own]["relationships"] = [{"objectId": o, "qualifier": q}
                                             for o, q in challenges[own]]
        related += challenges.get(own, [])
        related += _officers_named(event)
        attributes = [{"name": name, "value": _value(event, name)} for name, _ in PROVENANCE]
        attributes += [{"name": k, "value": _plain(v)} for k, v in sorted(event.fields.items())]
        event_types.setdefault(event.type, {})
        for name, kind in PROVENANCE:
            event_types[event.type][name] = kind
        for key, value in event.fields.items():
            event_types[event.type].setdefault(key, _type_of(value))
        events.append({"id": f"{own}#{event.number}", "type": event.type,
                       "time": f"{event.occurred_on}T00:00:00Z", "attributes": attributes,
                       "relationships": related})
    for made in events:  # only objects the history holds; one relation to each, the first named
        first: dict[str, str] = {}
        for o, q in made["relationships"]:
            first.setdefault(o, q)
        made["relationships"] = [{"objectId": o, "qualifier": q} for o, q in first.items()
                                 if o in objects]
    for found in objects.values():
        found["relationships"] = [r for r in found.get("relationships", [])
                                  if r["objectId"] in objects]
    return {
        "objectTypes": [{"name": kind, "attributes": [
            {"name": a, "type": "string"} for a in ("la_code", *OBJECT_ATTRIBUTES[kind])]}
            for kind in OBJECT_TYPES],
        "eventTypes": [{"name": name, "attributes": [{"name": a, "type": t}
                                                     for a, t in sorted(kinds.items())]}
                       for name, kinds in sorted(event_types.items())],
        "objects": list(objects.values()),
        "events": events,
    }


def object_id(kind: str, la_code: str, ref: str) -> str:
    return f"{kind}:{la_code}/{ref}"


def write(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _object(own: str, event: HistoryEvent) -> dict[str, Any]:
    time = f"{event.occurred_on}T00:00:00Z"
    values = {"la_code": event.la_code, **{a: event.fields.get(a)
                                           for a in OBJECT_ATTRIBUTES[event.kind]}}
    return {"id": own, "type": event.kind,
            "attributes": [{"name": k, "time": time, "value": "" if v is None else str(v)}
                           for k, v in values.items()],
            "relationships": []}


def _officers_named(event: HistoryEvent) -> list[tuple[str, str]]:
    named = []
    for field, qualifier in OFFICER_FIELDS.items():
        value = event.fields.get(field)
        for officer in value if isinstance(value, list) else [value]:
            if isinstance(officer, str) and officer:
                named.append((object_id("officer", event.la_code, officer), qualifier))
    named.append((object_id("officer", event.la_code, event.actor), "actor"))
    return named


def _value(event: HistoryEvent, name: str) -> Any:
    return event.la_code if name == "la_code" else getattr(event, name)


def _plain(value: Any) -> Any:
    """Attribute values OCEL readers take: scalars as they are, anything else as JSON text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    return "string"
