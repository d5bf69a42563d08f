"""The base every ledger record shares: provenance on every event, identity, corrections.

Every event carries who recorded it, when it happened by the recorder's account (`occurred_on`,
valid time) and when the ledger stored it (`recorded_at`, transaction time), so the record is
bitemporal. An act that belongs to one person names its actor from the authenticated caller,
and says `on_behalf_of` when someone else recorded it for them. Nothing is ever changed in
place: a mistaken record is answered by a `Corrected` event that names the original by its
version and gives the reason; both stay visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any, ClassVar, Self
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate

from iro_ledger.domain.errors import BadTiming, InvalidValue, InvariantViolation

ENGLAND = ZoneInfo("Europe/London")
_NAMESPACE = uuid5(NAMESPACE_URL, "https://iro-ledger.invalid/records")


def england_date(moment: datetime) -> date:
    """The date in England at `moment` (an aware datetime): the day every surface counts to."""
    return moment.astimezone(ENGLAND).date()


def days_late(occurred_on: date, recorded_at: datetime) -> int:
    """How late a record was made: days from the day it claims to the day (in England) the
    ledger stored it; 0 when recorded the same day."""
    return (england_date(recorded_at) - occurred_on).days


@lru_cache(maxsize=65_536)
def record_id(kind: str, la_code: str, ref: str) -> UUID:
    """The stored id of a record: client ids are unique only within an authority and kind."""
    return uuid5(_NAMESPACE, f"{kind}/{la_code}/{ref}")


@dataclass(frozen=True)
class Stamp:
    """Provenance of one command: the fields every stored event carries."""

    occurred_on: date
    """When it happened, as the recorder says; may be past, never future."""
    recorded_at: datetime
    """When the ledger stored it (server clock, UTC)."""
    recorded_by: str
    """The authenticated principal who recorded it."""
    actor: str
    """The person the record attributes the act to; may differ from the recorder."""
    source: str
    """api, cli or import."""
    command_id: str | None = None
    """The client's idempotency key, where given."""
    on_behalf_of: str | None = None
    """The person whose own act this is, when someone else recorded it for them."""

    def as_actor(self, actor: str | None) -> Stamp:
        """The same stamp attributing the act to `actor` (the recorder when not named)."""
        return replace(self, actor=actor or self.actor)

    def own_act_of(self, person: str, on_behalf_of: str | None) -> Stamp:
        """The stamp of an act that belongs to `person`: they are its actor, whoever asked,
        and `on_behalf_of` names them when someone else recorded it."""
        return replace(self, actor=person, on_behalf_of=on_behalf_of)

    def fields(self) -> dict[str, Any]:
        return {
            "occurred_on": self.occurred_on,
            "recorded_at": self.recorded_at,
            "recorded_by": self.recorded_by,
            "actor": self.actor,
            "source": self.source,
            "command_id": self.command_id,
            "on_behalf_of": self.on_behalf_of,
        }

    def check_not_future(self) -> None:
        """Dates are England's: just after midnight in summer time is already 'today'."""
        today = england_date(self.recorded_at)
        if self.occurred_on > today:
            raise BadTiming(
                "occurred_on",
                f"{self.occurred_on.isoformat()} is in the future "
                f"(recorded on {today.isoformat()})",
            )


class LedgerRecord(Aggregate):
    """A record kept by one authority, named by a client-chosen id unique in its kind."""

    KIND: ClassVar[str] = "record"

    def __init__(self, la_code: str, ref: str, occurred_on: date) -> None:
        self.la_code = la_code
        self.ref = ref
        self.began_on = occurred_on
        self.corrections: list[int] = []

    class Event(Aggregate.Event):
        ERASABLE: ClassVar[tuple[str, ...]] = ()
        """Fields holding personal free text: stored sealed with the record's key, so that
        destroying the key erases them (crypto-shredding). Rules never decide on them."""

        occurred_on: date
        recorded_at: datetime
        recorded_by: str
        actor: str
        source: str
        command_id: str | None
        on_behalf_of: str | None = field(default=None, kw_only=True)
        """Set when the act is one person's own (withdrawing a challenge, say) and someone
        else, allowed to, recorded it for them: the event says so plainly. Events stored
        before this field existed read as None (the class default)."""

        @property
        def recorded_by_actor(self) -> bool:
            """Whether the person the act is attributed to recorded it with their own
            principal: not on their behalf, and not by someone merely naming them as actor."""
            return self.on_behalf_of is None and self.recorded_by == self.actor

        @property
        def days_late(self) -> int:
            """Days from `occurred_on` to the day it was recorded (see `days_late`)."""
            return days_late(self.occurred_on, self.recorded_at)

    class Created(Event, Aggregate.Created):
        la_code: str
        ref: str

    class Corrected(Event):

        ERASABLE = ("reason", "details")
        """A later event that corrects an earlier one; the original stays visible."""

        corrects_version: int
        reason: str
        details: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            aggregate.corrections.append(self.corrects_version)

    @classmethod
    def _begin(
        cls, event_class: type[LedgerRecord.Created], la_code: str, ref: str, stamp: Stamp,
        **fields: Any,
    ) -> Self:
        stamp.check_not_future()
        check_ref("la_code", la_code)
        check_ref(f"{cls.KIND}_id", ref)
        return cls._create(
            event_class,
            id=record_id(cls.KIND, la_code, ref),
            la_code=la_code,
            ref=ref,
            **stamp.fields(),
            **fields,
        )

    def _record(self, event_class: type[LedgerRecord.Event], stamp: Stamp, **fields: Any) -> None:
        """Append an event after checking its timing against this record's own start."""
        stamp.check_not_future()
        self.check_not_before_start(stamp.occurred_on)
        self.trigger_event(event_class, **stamp.fields(), **fields)

    def check_not_before_start(self, occurred_on: date) -> None:
        if occurred_on < self.began_on:
            raise BadTiming(
                "occurred_on",
                f"{occurred_on.isoformat()} is before {self.KIND} {self.ref} was recorded as "
                f"beginning on {self.began_on.isoformat()}",
            )

    def correct(self, corrects_version: int, reason: str, details: dict[str, Any],
                stamp: Stamp) -> None:
        """Record that event number `corrects_version` of this record was mistaken."""
        if not 1 <= corrects_version <= self.version:
            raise InvariantViolation(
                f"{self.KIND} {self.ref} has no event number {corrects_version} to correct"
            )
        if not reason.strip():
            raise InvalidValue("reason", "a correction must give its reason")
        self._record(self.Corrected, stamp, corrects_version=corrects_version,
                     reason=reason, details=details)


def check_ref(field: str, value: str) -> None:
    """Client ids are short printable strings without the separator used in stored ids."""
    if not value or len(value) > 128 or "/" in value or not value.isprintable():
        raise InvalidValue(field, "must be 1-128 printable characters without '/'")


def check_choice(field: str, value: str, choices: type[Any]) -> str:
    """Refuse values outside a closed vocabulary, naming the allowed ones."""
    allowed = [str(c) for c in choices]
    if value not in allowed:
        raise InvalidValue(field, f"{value!r} is not one of {', '.join(allowed)}")
    return value
