"""How the dashboard's pages read: through the read service, one reader per page.

Everything about reading is the read service's (`reads.Reader`): who may see what (as in the
API), catching the read models up with the store first, England's today, and recording each
page an inspector or arbitrator opens, once per authority shown, as a read of
`dashboard:<path>`, so the access log says exactly which page was seen. What is left here is
the dashboard's own concern: where on the dashboard a stored event can be seen.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request

from iro_ledger.application import Principal
from iro_ledger.reads import Reader
from iro_ledger.web.tables import PAGE_SIZE
from iro_ledger.wiring import Services

RECORD_PAGE = PAGE_SIZE
"""Events per page of a record's page (`routes.RECORD_EVENTS`), which its evidence links
count on."""


def reader(request: Request, principal: Principal) -> Reader:
    """The page's reader (use it as a `with` block around the reads and the rendering)."""
    services: Services = request.app.state.services
    return services.reads.by(principal, "web", f"dashboard:{request.url.path}")


class Links:
    """Where on the dashboard a stored event can be seen, for evidence links.

    A case's and a challenge's events are on the case timeline, an officer's on the officer
    record; instructions, reports and authorities on the record page, straight from the store.
    It asks the page's reader which case each challenge is on, once per authority.
    """

    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self._cases: dict[str, dict[str, str]] = {}

    def case_of(self, la_code: str, challenge_id: str) -> str | None:
        if la_code not in self._cases:
            self._cases[la_code] = self._reader.challenge_cases(la_code)
        return self._cases[la_code].get(challenge_id)

    def event(self, la_code: str, kind: str, ref: str, number: int, position: int) -> str:
        base = f"/ui/authorities/{quote(la_code, safe='')}"
        case_id = ref if kind == "case" else (
            self.case_of(la_code, ref) if kind == "challenge" else None)
        # `at` opens the page of the timeline (or disciplinary actions) that holds the event
        if case_id is not None:
            return f"{base}/cases/{quote(case_id, safe='')}?at={position}#e{position}"
        if kind == "officer":
            return f"{base}/officers/{quote(ref, safe='')}?at={position}#e{position}"
        # a record's events are paged in the order recorded: name the page past the first
        page = (number - 1) // RECORD_PAGE + 1
        asked = f"?events.page={page}" if page > 1 else ""
        return f"{base}/records/{quote(kind, safe='')}/{quote(ref, safe='')}{asked}#n{number}"

    def subject(self, la_code: str, key: str, value: str) -> str | None:
        """The page about a flag's subject (`case_id`, `officer_id`, ...), if there is one."""
        base, ref = f"/ui/authorities/{quote(la_code, safe='')}", quote(value, safe="")
        if key == "challenge_id":
            case_id = self.case_of(la_code, value)
            return None if case_id is None else f"{base}/cases/{quote(case_id, safe='')}"
        pages = {"case_id": f"{base}/cases/{ref}", "officer_id": f"{base}/officers/{ref}",
                 "instruction_id": f"{base}/records/instruction/{ref}",
                 "report_id": f"{base}/records/report/{ref}"}
        return pages.get(key)

    def ref(self, ref: dict[str, Any]) -> str:
        """A read model's evidence reference (kind, id, la_code, number, position)."""
        return self.event(ref["la_code"], ref["kind"], ref["id"], ref["number"], ref["position"])
