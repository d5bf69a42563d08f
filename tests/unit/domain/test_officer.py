"""Officers: registration, the end of an engagement, disciplinary action."""

from __future__ import annotations

import pytest

from iro_ledger.domain.errors import BadTiming, InvalidValue, InvariantViolation
from iro_ledger.domain.officer import Officer
from iro_ledger.domain.values import Employment, EngagementEnd, OfficerRole
from tests.builders import LA, officer, stamp


@pytest.mark.parametrize("role", list(OfficerRole))
@pytest.mark.parametrize("employment", list(Employment))
def test_an_officer_of_any_role_and_employment_can_be_registered(
        role: OfficerRole, employment: Employment) -> None:
    registered = Officer.register(LA, "o-1", role, employment, stamp())

    assert (registered.role, registered.employment, registered.is_engaged) == (
        role, employment, True)


@pytest.mark.parametrize(("field", "role", "employment"), [
    ("role", "chief_executive", "employed"),
    ("employment", "iro", "volunteer"),
])
def test_a_role_or_employment_outside_the_language_is_refused_naming_the_field(
        field: str, role: str, employment: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        Officer.register(LA, "o-1", role, employment, stamp())
    assert refused.value.field == field


@pytest.mark.parametrize("how", list(EngagementEnd))
def test_an_engagement_ends_in_a_recorded_way_with_its_reason(how: EngagementEnd) -> None:
    freelancer = officer(employment="freelance")

    freelancer.end_engagement(how, "after the challenge on case-7", stamp(actor="dir-lee"))

    ended = freelancer.collect_events()[-1]
    assert isinstance(ended, Officer.EngagementEnded)
    assert (ended.how, ended.reason, ended.actor) == (how, "after the challenge on case-7",
                                                      "dir-lee")
    assert not freelancer.is_engaged


def test_an_engagement_ends_only_once() -> None:
    iro = officer()
    iro.end_engagement("post_deleted", "restructure", stamp())

    with pytest.raises(InvariantViolation, match="already ended"):
        iro.end_engagement("dismissed", "", stamp())


def test_an_unknown_way_of_ending_an_engagement_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        officer().end_engagement("vanished", "", stamp())
    assert refused.value.field == "how"


def test_an_engagement_cannot_end_before_the_officer_was_registered() -> None:
    with pytest.raises(BadTiming):
        officer(on="2024-01-15").end_engagement("resigned", "", stamp("2024-01-14"))


def test_disciplinary_action_is_recorded_with_its_stage_and_stated_reason() -> None:
    iro = officer()

    iro.record_disciplinary_action("threatened", "tone of emails", stamp(actor="hos-sam"))
    iro.record_disciplinary_action("started", "tone of emails", stamp(actor="hos-sam"))

    assert iro.disciplinary == ["threatened", "started"]
    started = iro.collect_events()[-1]
    assert isinstance(started, Officer.DisciplinaryActionRecorded)
    assert (started.stated_reason, started.actor) == ("tone of emails", "hos-sam")


def test_an_unknown_disciplinary_stage_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        officer().record_disciplinary_action("hinted", "", stamp())
    assert refused.value.field == "stage"
