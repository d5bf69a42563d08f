"""The SSDA903 code lists and date form the importer relies on, and what each code means here.

Only the codes a mapping decision rests on are listed: legal status (LS), reason for new
episode (RNE), reason episode ceased (REC) and review participation (REVIEW_CODE). Codes are
from the DfE's SSDA903 guidance; the return's own validator uses the same lists.
"""

from __future__ import annotations

import re
from datetime import date

from iro_ledger.domain.values import ChildParticipation

LEGAL_STATUSES = frozenset({
    "C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4",
})
"""LS: the legal basis on which the child is looked after (C2 a full care order, V2 a
single period of accommodation under s20, and so on). Stored as the code itself."""

SHORT_BREAKS = frozenset({"V3", "V4"})
"""LS V3 and V4: accommodated under an agreed series of short breaks (s20(4)), on the review
schedule of regulation 48, not the usual one: the case is opened with `short_breaks`."""

NEW_EPISODE_REASONS = frozenset({"S", "L", "P", "T", "U", "B"})
"""RNE: S started to be looked after; L change of legal status only; P change of placement
and carer(s); T change of legal status and placement; U change of legal status and
placement, carer(s) the same; B change of placement, carer(s) the same."""

PLACEMENT_CHANGES = frozenset({"P", "T", "U", "B"})
"""The RNE codes that say the child's placement changed: each becomes a placement move."""

CONTINUES_LOOKED_AFTER = "X1"
"""REC X1: the episode ceased and a new one began the same day; the child stays looked after.
Every other REC code (E2 ... E48) says the child ceased to be looked after."""

_CEASED = re.compile(r"^E\d{1,2}[AB]?$")

PARTICIPATION: dict[str, ChildParticipation] = {
    "PN0": ChildParticipation.DID_NOT_PARTICIPATE,  # under 4 at the time of the review
    "PN1": ChildParticipation.ATTENDED,  # attends and speaks for themself
    "PN2": ChildParticipation.ATTENDED,  # attends, an advocate speaks for them
    "PN3": ChildParticipation.ATTENDED,  # attends, conveys views non-verbally
    "PN4": ChildParticipation.ATTENDED,  # attends but conveys no views
    "PN5": ChildParticipation.VIEWS_CONVEYED,  # absent, briefs an advocate
    "PN6": ChildParticipation.VIEWS_CONVEYED,  # absent, views by a facilitative medium
    "PN7": ChildParticipation.DID_NOT_PARTICIPATE,  # absent, no views conveyed
}
"""REVIEW_CODE to the domain's child_participation."""

_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class BadValue(ValueError):
    """A field's value is not in the form or code list the return defines."""


def parse_date(field: str, text: str) -> date:
    """A 903 date, dd/mm/yyyy (the return's own form) or yyyy-mm-dd (ISO, as extracts and the
    XML form write it); anything else (two-digit years, month first) is refused, not guessed."""
    iso = _ISO_DATE.match(text)
    if iso is not None:
        year, month, day = (int(part) for part in iso.groups())
    else:
        found = _DATE.match(text)
        if found is None:
            raise BadValue(f"{field} {text!r} is not a date in the form dd/mm/yyyy or yyyy-mm-dd")
        day, month, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue(f"{field} {text!r} is not a real date") from None


def check_code(field: str, text: str, allowed: frozenset[str]) -> str:
    if text not in allowed:
        shown = f"{text!r}" if text else "empty"
        raise BadValue(f"{field} {shown} is not an SSDA903 {field} code")
    return text


def ceased_code(text: str) -> str:
    """An REC code: X1, or an E code saying the child ceased to be looked after."""
    if text != CONTINUES_LOOKED_AFTER and _CEASED.match(text) is None:
        shown = f"{text!r}" if text else "empty"
        raise BadValue(f"REC {shown} is not an SSDA903 reason the episode ceased")
    return text


def ceased_to_be_looked_after(rec: str) -> bool:
    return rec != CONTINUES_LOOKED_AFTER


def collection_year_start(year: int) -> date:
    """The first day of the collection year ending 31 March `year`."""
    return date(year - 1, 4, 1)


def collection_year_of(day: date) -> int:
    """The collection year (named for the 31 March it ends on) holding `day`."""
    return day.year + 1 if day.month >= 4 else day.year
