"""A command repeated with the same `command_id` is answered the same and stores nothing new."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e import IRO_ADA, IRO_BEN, STORES, Api, fresh_id, module_store, running_api, seed

REPLAYED = "Idempotent-Replayed"


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with module_store(request, tmp_path_factory.mktemp("store")) as url, running_api(url) as api:
        seed(api)
        yield api


def _recommendation(command_id: str, text: str = "Weekly contact") -> dict[str, object]:
    return {"command_id": command_id, "case_id": "case-1",
            "recommendation_id": f"rec-{command_id}", "text": text, "due_on": "2024-07-01"}


def test_a_repeated_command_id_is_answered_the_same_and_recorded_once(api: Api) -> None:
    command_id = fresh_id("cmd")
    before = api.events()

    first = api.command("make_recommendation", IRO_ADA, **_recommendation(command_id))
    recorded = api.events()
    again = api.command("make_recommendation", IRO_ADA, **_recommendation(command_id))

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert REPLAYED not in first.headers and again.headers[REPLAYED] == "true"
    assert recorded > before and api.events() == recorded


def test_a_command_id_reused_for_different_content_is_a_conflict(api: Api) -> None:
    command_id = fresh_id("cmd")
    api.ok("make_recommendation", IRO_ADA, **_recommendation(command_id))

    problem = api.refused(409, "make_recommendation", IRO_ADA,
                          **_recommendation(command_id, text="Something else"))

    assert command_id in problem["detail"]


def test_command_ids_belong_to_the_principal_who_sent_them(api: Api) -> None:
    command_id = fresh_id("cmd")
    api.ok("hold_review", IRO_ADA, command_id=command_id, case_id="case-1",
           chaired_by="iro-ada", child_participation="attended", child_seen_before=True)

    response = api.command("hold_review", IRO_BEN, command_id=command_id, case_id="case-1",
                           chaired_by="iro-ben", child_participation="attended",
                           child_seen_before=True)

    assert response.status_code == 201 and REPLAYED not in response.headers
