"""What a store shows, as plain JSON: every record and its events, the read models and flags as
of one fixed day, and the signed log. Kept beside an old store, it proves the store still
reads the same after code moves (`tests/integration/test_stored_data.py`).

The views are asked through the read service, as the surfaces ask them, by an admin (whose
reads are not recorded, so reading changes nothing). Flags are reduced to what they say
(rule, severity, subjects, status, dates, history, evidence positions), not the prose a
rewording may change.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from iro_ledger.application import Principal, Role
from iro_ledger.projections.flags import Flags
from iro_ledger.projections.rules.flag import Flag
from iro_ledger.wiring import Services

AS_OF = date(2026, 10, 31)
"""The day the views are taken as of: a month after the last day of the stored history."""
PERIOD = (date(2025, 10, 1), date(2026, 9, 30))
"""The measures' period: the history's last year."""
ADMIN = Principal(sub="stored-views", role=Role.ADMIN)
STATUSES = ("open", "cleared", "withdrawn")


def views(services: Services) -> dict[str, Any]:
    """Everything the store shows, in a stable order."""
    shown: dict[str, Any] = {"events": stored_events(services), "authorities": {}}
    with services.reads.by(ADMIN, "cli") as reader:
        for la in reader.authorities():
            flags = {status: sorted((_flag(f) for f in reader.flags(la, status=status,
                                                                    as_of=AS_OF).flags),
                                    key=lambda f: str(f["id"]))
                     for status in STATUSES}
            register = reader.register(la, as_of=AS_OF, limit=100_000)
            cases = reader.cases(la)
            officers = reader.officers(la)
            shown["authorities"][la] = {
                "name": reader.authority_name(la),
                "flags": flags,
                "register": register.items,
                "cases": cases,
                "timelines": {c["case_id"]: reader.timeline(la, c["case_id"]).doc
                              for c in cases},
                "officers": officers,
                "officer_records": {
                    o["officer_id"]: reader.officer(la, o["officer_id"], AS_OF).doc
                    for o in officers},
                "measures": reader.measures(la, *PERIOD).measures,
            }
    shown["log"] = signed_log(services)
    return shown


def judged(services: Services) -> dict[str, Any]:
    """What the rules conclude of the store: its flags and measures, under the flags model's
    version (a new version says the rules changed on purpose)."""
    shown = views(services)
    return {"flags_version": Flags.version,
            "authorities": {la: {"flags": v["flags"], "measures": v["measures"]}
                            for la, v in shown["authorities"].items()}}


def _flag(flag: Flag) -> dict[str, Any]:
    return {
        "id": flag.id, "rule": flag.rule, "severity": str(flag.severity),
        "la_code": flag.la_code, "subjects": dict(sorted(flag.subjects.items())),
        "raised_on": flag.raised_on.isoformat(), "status": str(flag.status),
        "history": [[str(h.action), h.on.isoformat(),
                     None if h.event is None else h.event.position] for h in flag.history],
        "evidence": [r.position for r in flag.evidence],
        "details": flag.model_dump(mode="json")["details"],
    }


def stored_events(services: Services) -> dict[str, Any]:
    """Every stored event decoded by its topic: how many of each class, and each record's state.

    Decoding goes through the application's own mapper, so a stored topic that no longer
    resolves fails here.
    """
    ledger = services.ledger
    kinds: Counter[str] = Counter()
    start = 1
    while True:
        batch = ledger.recorder.select_notifications(start, 500)
        if not batch:
            break
        for notification in batch:
            event = ledger.mapper.to_domain_event(notification)
            kinds[type(event).__qualname__] += 1
        start = batch[-1].id + 1
    return {"count": sum(kinds.values()), "by_class": dict(sorted(kinds.items()))}


def signed_log(services: Services) -> dict[str, Any]:
    """The Merkle log rebuilt from the events, against the checkpoints signed when stored."""
    trust = services.trust
    trust.catch_up()
    total, checkpoints = trust.checkpoints()
    return {
        "checkpoints": total,
        "signed": [[c.tree_size, c.root.hex(), c.note.count("\n\u2014 ")]
                   for c in checkpoints],
    }
