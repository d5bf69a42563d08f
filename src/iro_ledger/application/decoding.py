"""Stored events to domain events without the library's per-object hook: what a rebuild does
for every stored event, twice for the flags' records.

eventsourcing's `JSONTranscoder` decodes with an `object_hook`, a Python call for every JSON
object, and its `Mapper` resolves each event's topic and id type again. Our events' tagged
values (`{"_type_": ..., "_data_": ...}`: dates, datetimes) sit at the top level of the state,
under the same keys for every event of a class, so `LeanDecoder` parses with orjson alone
(the values `json` would give, for every document orjson accepts) and turns back just the
keys it has seen tagged in that topic, with the transcoder's own transcodings. Whenever
orjson refuses the bytes or might read a number otherwise (19 digits in a row), or they
hold more tags than it turned back (a tag nested deeper, under a new key, or a string
"_type_"), the event is decoded by the library's mapper, so the events are always those the
library makes (`tests/unit/test_lean_decoding.py` compares them over every topic of a
generated history and for each of those cases).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent, find_id_convertor
from eventsourcing.utils import resolve_topic

_TAG = b'"_type_"'
_DIGITS = bytes(0x39 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
"""Every digit to "9", every other byte to a space: a run of digits is then a run of "9"s
(`bytes.translate` and `in`, many times faster than a regular expression)."""
_LONG_NUMBER = b"9" * 19
"""19 digits in a row: perhaps an integer orjson would not read as `json` does (beyond 64
bits it gives a float); more often a long id in a string, which costs only the slower path."""


class _Topic:
    """What one topic's events need, worked out once: class, version, id type, tagged keys."""

    def __init__(self, cls: type, convert: Callable[[Any], Any]) -> None:
        self.cls = cls
        self.class_version: int = getattr(cls, "class_version", 1)
        self.convert = convert
        self.tagged: tuple[str, ...] = ()


class LeanDecoder:
    """Decodes stored events as a plain JSON `Mapper` does (no cipher, no compressor)."""

    def __init__(self, mapper: Mapper[UUID]) -> None:
        transcoder = mapper.transcoder
        if (mapper.cipher is not None or mapper.compressor is not None
                or not isinstance(transcoder, JSONTranscoder)):
            raise ValueError("LeanDecoder stands in only for a plain JSON mapper")
        self._mapper = mapper
        self._names = dict(transcoder.names)
        self._topics: dict[tuple[str, type], _Topic] = {}

    @classmethod
    def of(cls, mapper: Mapper[UUID]) -> LeanDecoder | None:
        """A lean decoder for `mapper`, or None when it cannot stand in for it."""
        try:
            return cls(mapper)
        except ValueError:
            return None

    def decode(self, stored: Iterable[StoredEvent]) -> list[DomainEventProtocol[UUID]]:
        return [self.decode_one(s) for s in stored]

    def decode_one(self, stored: StoredEvent) -> DomainEventProtocol[UUID]:
        slot = (stored.topic, type(stored.originator_id))
        topic = self._topics.get(slot)
        if topic is None:
            topic = self._topics[slot] = self._topic(stored)
        data = stored.state
        if _LONG_NUMBER in data.translate(_DIGITS):  # orjson reads an integer past 64 bits
            return Mapper.to_domain_event(self._mapper, stored)  # as a float: the library's
        try:
            state: dict[str, Any] = orjson.loads(data)
        except orjson.JSONDecodeError:  # what orjson refuses (NaN, lone surrogates, ...)
            return Mapper.to_domain_event(self._mapper, stored)  # the library's, exactly
        tags = data.count(_TAG)
        if tags:
            turned = len(self._untag(state, topic.tagged))
            if turned != tags:  # a topic's first events, or tags under other keys
                found = self._untag(state, [k for k in state if k not in topic.tagged])
                if turned + len(found) != tags:  # nested, or a string "_type_"
                    return Mapper.to_domain_event(self._mapper, stored)  # the library's
                topic.tagged = (*topic.tagged, *found)
        state["originator_id"] = topic.convert(stored.originator_id)
        state["originator_version"] = stored.originator_version
        from_version = state.pop("class_version", 1)
        while from_version < topic.class_version:
            getattr(topic.cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        event: DomainEventProtocol[UUID] = object.__new__(topic.cls)
        object.__setattr__(event, "__dict__", state)
        return event

    def _untag(self, state: dict[str, Any], keys: Iterable[str]) -> list[str]:
        """Turn back the tagged values under `keys`; the keys that held one."""
        turned = []
        for key in keys:
            value = state.get(key)
            if type(value) is dict and len(value) == 2 and "_data_" in value:
                transcoding = self._names.get(value.get("_type_"))  # type: ignore[arg-type]
                if transcoding is not None:
                    state[key] = transcoding.decode(value["_data_"])
                    turned.append(key)
        return turned

    def _topic(self, stored: StoredEvent) -> _Topic:
        cls = resolve_topic(stored.topic)
        id_type = cast(Hashable, type(stored.originator_id))  # as the library's mapper has it
        return _Topic(cls, find_id_convertor(cls, id_type))
