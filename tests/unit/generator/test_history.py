"""The generated history: deterministic, in the domain language, fictional, and to scale."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from functools import cache

import pytest

from iro_ledger.application.commands import parse_command_json
from iro_ledger.generator import DEFAULT_END, Generated, GeneratorSpec, generate
from iro_ledger.generator.patterns import LATER_VARIANTS, PLANTERS

SMALL = GeneratorSpec(authorities=2, children=15, years=4, seed=11, healthy=1)

# Real English councils (a sample across every kind): no generated name may contain one.
REAL_COUNCILS = (
    "Kent", "Essex", "Surrey", "Hampshire", "Devon", "Cornwall", "Norfolk", "Suffolk",
    "Lancashire", "Cumbria", "Durham", "Northumberland", "Leeds", "Manchester", "Birmingham",
    "Liverpool", "Sheffield", "Bristol", "Bradford", "Leicester", "Nottingham", "Coventry",
    "Derby", "Plymouth", "Southampton", "Portsmouth", "Reading", "Slough", "Luton", "Swindon",
    "Wigan", "Bolton", "Bury", "Oldham", "Rochdale", "Salford", "Stockport", "Tameside",
    "Trafford", "Wirral", "Sefton", "Knowsley", "Halton", "Warrington", "Cheshire",
    "Hertfordshire", "Buckinghamshire", "Oxfordshire", "Gloucestershire", "Wiltshire",
    "Dorset", "Somerset", "Camden", "Hackney", "Islington", "Lambeth", "Southwark",
    "Westminster", "Croydon", "Barnet", "Brent", "Ealing", "Enfield", "Haringey", "Harrow",
    "Havering", "Hillingdon", "Hounslow", "Lewisham", "Merton", "Newham", "Redbridge",
    "Sutton", "Wandsworth", "Bromley", "Bexley", "Rutland", "Medway", "Thurrock",
    "Peterborough", "Milton Keynes", "Blackpool", "Blackburn", "Stoke-on-Trent", "Telford",
    "Walsall", "Wolverhampton", "Sandwell", "Dudley", "Solihull", "Sunderland", "Gateshead",
    "Newcastle", "Middlesbrough", "Hartlepool", "Darlington", "Stockton", "York", "Hull",
    "Doncaster", "Rotherham", "Barnsley", "Wakefield", "Kirklees", "Calderdale", "Herefordshire",
    "Shropshire", "Worcestershire", "Warwickshire", "Staffordshire", "Lincolnshire",
)


@cache
def generated(spec: GeneratorSpec = SMALL) -> Generated:
    return generate(spec)


def commands(spec: GeneratorSpec = SMALL) -> list[dict[str, object]]:
    return [json.loads(line) for line in generated(spec).lines]


def test_the_same_seed_gives_the_same_bytes() -> None:
    again = generate(SMALL)
    assert again.lines == generated().lines
    assert json.dumps(again.truth) == json.dumps(generated().truth)


def test_another_seed_gives_another_history() -> None:
    other = generate(GeneratorSpec(authorities=2, children=15, years=4, seed=12, healthy=1))
    assert other.lines != generated().lines


def test_every_line_is_a_command_of_the_domain_language() -> None:
    for number, line in enumerate(generated().lines, start=1):
        command = parse_command_json(line)
        assert command.command_name() == json.loads(line)["command"], number


def test_every_line_has_its_own_command_id() -> None:
    ids = [c["command_id"] for c in commands()]
    assert all(ids) and len(set(ids)) == len(ids)


def test_the_history_lies_in_the_past_in_date_order() -> None:
    days = [date.fromisoformat(str(c["occurred_on"])) for c in commands()]
    assert days == sorted(days)
    assert days[-1] <= DEFAULT_END < date.today()
    assert generated().truth["as_of"] == DEFAULT_END.isoformat()


def test_no_record_is_referred_to_before_it_is_recorded() -> None:
    opening = {"register_authority": ("authority", "la_code"),
               "register_officer": ("officer", "officer_id"),
               "open_case": ("case", "case_id"), "raise_challenge": ("challenge", "challenge_id")}
    referring = {"officer_id": "officer", "chaired_by": "officer", "case_id": "case",
                 "challenge_id": "challenge", "la_code": "authority"}
    known: set[tuple[str, object, object]] = set()
    for c in commands():
        opens = opening.get(str(c["command"]))
        for field, kind in referring.items():
            if field in c and (opens is None or opens[1] != field):
                assert (kind, c["la_code"], c[field]) in known, c
        if opens is not None:
            known.add((opens[0], c["la_code"], c[opens[1]]))


def test_instructions_name_who_gave_them_and_withdrawals_are_by_the_raiser() -> None:
    raisers = {}
    for c in commands():
        if c["command"] == "raise_challenge":
            raisers[c["la_code"], c["challenge_id"]] = c["officer_id"]
        if c["command"] == "withdraw_challenge":
            assert c["actor"] == raisers[c["la_code"], c["challenge_id"]]
        if c["command"] == "record_instruction":
            assert c.get("actor")


def test_the_history_grows_with_children_and_years() -> None:
    def size(children: int, years: int) -> int:
        return len(generate(GeneratorSpec(children=children, years=years, seed=3,
                                          pattern_rate=0)).lines)

    assert size(120, 3) > 1.6 * size(60, 3)
    assert size(60, 6) > 1.6 * size(60, 3)


def test_children_are_pseudonyms_and_authorities_are_not_real_councils() -> None:
    names = [str(c["name"]) for c in commands() if c["command"] == "register_authority"]
    assert len(names) == 3
    for name in names:
        for real in REAL_COUNCILS:
            assert not re.search(rf"\b{re.escape(real)}\b", name, re.IGNORECASE), name
    codes = {str(c["la_code"]) for c in commands()}
    assert all(re.fullmatch(r"[A-Z]{3}\d+", code) for code in codes)
    refs = [c["child_ref"] for c in commands() if c["command"] == "open_case"]
    assert refs and all(re.fullmatch(r"CH-[0-9A-F]{6}", str(r)) for r in refs)


def test_a_generated_name_containing_a_real_council_would_be_caught() -> None:
    assert re.search(r"\bKent\b", "Kent County Council", re.IGNORECASE)


def test_every_pattern_is_planted_and_healthy_authorities_plant_none() -> None:
    truth = generated().truth
    troubled = [a for a in truth["authorities"] if not a["healthy"]]
    healthy = [a for a in truth["authorities"] if a["healthy"]]
    assert len(troubled) == 2 and len(healthy) == 1
    for authority in troubled:
        assert sorted(authority["planted"]) == sorted([*PLANTERS, *LATER_VARIANTS])
    assert healthy[0]["planted"] == []
    assert not [f for f in truth["flags"] if f["la_code"] == healthy[0]["la_code"]]
    assert {f["rule"] for f in truth["flags"]} == set(truth["match_on"])


def test_expected_flags_are_dated_within_the_history() -> None:
    truth = generated().truth
    for flag in truth["flags"]:
        assert flag["as_of"] <= truth["as_of"], flag
    critical = [f for f in truth["flags"] if f.get("severity") == "critical"]
    assert sorted(f["pattern"] for f in critical) == (
        ["disciplinary_after_challenge_twice"] * 2 + ["suppressed_withdrawn_after_threat"] * 2)


def test_a_pattern_rate_of_zero_plants_nothing() -> None:
    truth = generate(GeneratorSpec(children=30, years=2, seed=5, pattern_rate=0)).truth
    assert truth["flags"] == []


def test_the_mix_of_commands_is_a_plausible_life() -> None:
    mix = Counter(str(c["command"]) for c in commands())
    assert mix["hold_review"] > mix["open_case"] > mix["raise_challenge"] > 0
    assert mix["resolve_challenge"] > mix["withdraw_challenge"] > 0
    assert mix["close_case"] > 0 and mix["assign_iro"] > mix["open_case"]


@pytest.mark.parametrize(("field", "value"), [
    ("years", 0), ("children", 0), ("pattern_rate", -1.0), ("end", date(2999, 1, 1)),
])
def test_a_spec_that_cannot_make_a_history_is_refused(field: str, value: object) -> None:
    with pytest.raises(ValueError, match="--"):
        generate(GeneratorSpec(**{field: value}))  # type: ignore[arg-type]
