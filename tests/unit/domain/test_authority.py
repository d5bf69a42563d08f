"""Registering a local authority."""

from __future__ import annotations

import pytest

from iro_ledger.domain.authority import Authority
from iro_ledger.domain.errors import InvalidValue
from iro_ledger.domain.record import record_id
from tests.builders import LA, stamp


def test_an_authority_is_registered_under_its_own_code_with_its_name() -> None:
    authority = Authority.register(LA, "Fenwick Cross", stamp("2024-01-02"))

    assert (authority.id, authority.ref, authority.name) == (
        record_id("authority", LA, LA), LA, "Fenwick Cross")
    assert isinstance(authority.collect_events()[0], Authority.Registered)


def test_an_authority_needs_a_name() -> None:
    with pytest.raises(InvalidValue) as refused:
        Authority.register(LA, "   ", stamp())
    assert refused.value.field == "name"


def test_an_authority_code_must_be_a_well_formed_id() -> None:
    with pytest.raises(InvalidValue) as refused:
        Authority.register("FX/1", "Fenwick Cross", stamp())
    assert refused.value.field == "la_code"
