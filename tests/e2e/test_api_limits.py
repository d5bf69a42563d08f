"""Limits everywhere: paging and positions bounded, days strictly YYYY-MM-DD, JSON nesting
capped, and a per-principal rate limit on writes and on reads that are recorded. Each refusal
is a 4xx with a message (never 500), and records nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from iro_ledger.api.body_limit import MAX_JSON_DEPTH, too_deep
from iro_ledger.settings import Settings
from tests.e2e import (
    ADMIN,
    INSPECTOR,
    LA,
    MANAGER,
    SECRET,
    STORES,
    Api,
    fresh_id,
    module_store,
    running_api,
    seed,
    sign_in,
)


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with module_store(request, tmp_path_factory.mktemp("store")) as url, running_api(url) as api:
        seed(api)
        yield api


HUGE = "99999999999999999999999"


@pytest.mark.parametrize("path", [
    f"/flags?offset={HUGE}", f"/flags?offset={2**63}",
    f"/authorities/{LA}/challenges?offset={HUGE}",
    f"/proof/checkpoints?offset={HUGE}", f"/flags?min_position={HUGE}",
    f"/authorities/{LA}/measures?min_position=-1", f"/proof/consistency?from_size={HUGE}",
    f"/proof/consistency?from_size=1&to_size={HUGE}",
])
def test_a_paging_or_position_parameter_out_of_bounds_is_refused_naming_it(api: Api,
                                                                          path: str) -> None:
    before = api.events()

    problem = api.check_problem(api.read(path, ADMIN), 422, before)

    name = path.split("?")[1].split("&")[-1].split("=")[0]
    assert problem["errors"][0]["field"] == name
    assert "less than or equal" in problem["detail"] or "greater than" in problem["detail"]


def test_the_furthest_offset_allowed_answers_an_empty_page(api: Api) -> None:
    response = api.read("/flags?offset=1000000", ADMIN)

    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


@pytest.mark.parametrize("bad", [0, 20240101, "20240101", "2024-06-03T00:00:00", "2024-02-30"])
def test_a_command_whose_day_is_not_yyyy_mm_dd_is_refused(api: Api, bad: object) -> None:
    problem = api.refused(422, "hold_review", MANAGER, case_id="case-1", chaired_by="iro-ada",
                          child_participation="attended", child_seen_before=True,
                          occurred_on=bad)

    assert problem["errors"][0]["field"] == "occurred_on"
    assert "YYYY-MM-DD" in problem["detail"] or "calendar" in problem["detail"]


@pytest.mark.parametrize("path", ["/flags?as_of=0", "/flags?as_of=20240101",
                                  f"/authorities/{LA}/measures?from=20240101",
                                  f"/authorities/{LA}/challenges?as_of=1700000000"])
def test_a_read_whose_day_is_not_yyyy_mm_dd_is_refused(api: Api, path: str) -> None:
    problem = api.check_problem(api.read(path, ADMIN), 422, api.events())

    assert "YYYY-MM-DD" in problem["detail"]


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1000, 100_000])
def test_json_nested_too_deep_is_a_bad_request_before_it_is_parsed(api: Api, depth: int) -> None:
    before = api.events()
    body = ('{"la_code":"NWD","occurred_on":"2024-06-03","kind":"case","record_id":"case-1",'
            '"corrects_event":1,"reason":"x","details":{"a":' + "[" * depth + "]" * depth + "}}")

    response = api.client.post("/commands/correct_record", content=body,
                               headers={**ADMIN, "Content-Type": "application/json"})

    problem = api.check_problem(response, 400, before)
    assert problem["detail"] == f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels"


def test_only_a_body_with_brackets_enough_to_nest_too_deep_is_scanned() -> None:
    deepest = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH

    assert not too_deep(deepest)
    assert too_deep(b"[" + deepest + b"]")
    assert not too_deep(b'["' + b"[" * 100 + b'", {"a": "{{{"}]')  # counted, then scanned


def test_brackets_inside_strings_are_not_nesting(api: Api) -> None:
    api.ok("correct_record", ADMIN, kind="case", record_id="case-1", corrects_event=1,
           reason="[" * 1000 + '{"' * 100, details={"note": "]]]" + "{" * 500})


# The rate limit: a small allowance so a test can exhaust it.


@pytest.fixture(params=STORES)
def limited(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Api]:
    with module_store(request, tmp_path_factory.mktemp("limited")) as url:
        settings = Settings(database_url=url, jwt_secret=SECRET, rate_limit_per_minute=0)
        with running_api(url, settings=settings) as api:
            seed(api)
            limiter = api.app.state.services.limiter
            limiter.__init__(per_minute=1, burst=3)  # seeded without a limit; now a small one
            yield api


def test_writes_beyond_a_principals_allowance_are_429_with_retry_after(limited: Api) -> None:
    for _ in range(3):
        limited.ok("register_officer", MANAGER, officer_id=fresh_id("o"), role="iro",
                   employment="employed")

    before = limited.events()
    response = limited.command("register_officer", MANAGER, officer_id=fresh_id("o"),
                               role="iro", employment="employed")

    problem = limited.check_problem(response, 429, before)
    assert int(response.headers["Retry-After"]) >= 1
    assert "mgr-cara" in problem["detail"]
    limited.ok("register_officer", ADMIN, officer_id=fresh_id("o"), role="iro",
               employment="employed")


def test_recorded_reads_beyond_the_allowance_are_429_and_record_nothing(limited: Api) -> None:
    for _ in range(3):
        assert limited.read(f"/authorities/{LA}/cases/case-1", INSPECTOR).status_code == 200

    before = limited.events()
    response = limited.read(f"/authorities/{LA}/cases/case-1", INSPECTOR)

    limited.check_problem(response, 429, before)
    assert int(response.headers["Retry-After"]) >= 1
    sign_in(limited.client, INSPECTOR)
    page = limited.client.get("/")
    limited.client.cookies.clear()
    assert page.status_code == 429
    assert "Retry-After" in page.headers
    assert limited.events() == before


def test_reads_that_are_not_recorded_are_not_limited(limited: Api) -> None:
    for _ in range(10):
        assert limited.read(f"/authorities/{LA}/cases/case-1", MANAGER).status_code == 200
