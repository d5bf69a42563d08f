"""The statutory review timetable: one reckoning for the review_overdue rule and the review
timeliness measure, so that a review the rule calls late the measure never counts on time.

Care Planning, Placement and Case Review (England) Regulations 2010, reg 33: the first review
within 20 working days of entering care, the second within 3 months of the first, then at most
6 months apart; reg 48: a child in a series of short breaks first within 3 months, then at
most 6 months apart. A record that begins after the child entered care (an import whose
period began while the child was in care) owes no first review: the first it can show is due
6 months after it begins. Only a meeting chaired by an IRO (or IRO manager) engaged that day
is the statutory review.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from iro_ledger.projections.rules.calendar import WorkingCalendar, add_months
from iro_ledger.projections.rules.config import ReviewOverdueConfig

NOT_AN_IRO = "not_an_iro"
ENGAGEMENT_ENDED = "engagement_ended"


def due_dates(config: ReviewOverdueConfig, calendar: WorkingCalendar, entered_care_on: date,
              record_begins_on: date, held: Sequence[date],
              short_breaks_on: Callable[[date], bool]) -> list[date]:
    """The day each review fell due by, in turn: the first, then one after each counted
    review in `held` (in date order), so one more day than reviews."""
    joined = record_begins_on > entered_care_on
    if joined:
        due = add_months(record_begins_on, config.then_within_months)
    elif short_breaks_on(entered_care_on):
        due = add_months(entered_care_on, config.short_breaks_first_within_months)
    else:
        due = calendar.add_working_days(entered_care_on, config.first_within_working_days)
    dues = [due]
    for number, day in enumerate(held, start=2):
        if short_breaks_on(day):
            months = config.short_breaks_then_within_months
        else:
            months = (config.second_within_months if number == 2 and not joined
                      else config.then_within_months)
        dues.append(add_months(day, months))
    return dues


def not_counted(config: ReviewOverdueConfig, role: str | None, engaged: bool) -> str | None:
    """Why a meeting is not the statutory review (`NOT_AN_IRO`, `ENGAGEMENT_ENDED`), or None
    when it counts. A chair the record does not know (an import's placeholder) counts."""
    if role is None:
        return None
    if role not in config.chair_roles:
        return NOT_AN_IRO
    return None if engaged else ENGAGEMENT_ENDED
