"""Erasure over HTTP: an admin's `erase_case` command; afterwards every API read and every
dashboard page of the case renders, showing `[erased]` where the child's text was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from iro_ledger.application.sealing import ERASED
from tests.e2e import (
    ADMIN,
    INSPECTOR,
    IRO_ADA,
    LA,
    MANAGER,
    STORES,
    Api,
    module_store,
    running_api,
    seed,
    sign_in,
)

GROUNDS = "QUENTIN-GROUNDS the child is scared of the new placement"


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with module_store(request, tmp_path_factory.mktemp("store")) as url, running_api(url) as api:
        seed(api)
        api.ok("raise_challenge", IRO_ADA, challenge_id="ch-q", case_id="case-1",
               officer_id="iro-ada", about="care_plan", grounds=GROUNDS)
        yield api


def test_only_an_admin_may_erase_a_case(api: Api) -> None:
    problem = api.refused(403, "erase_case", MANAGER, case_id="case-1", reason="SAR-7")

    assert "erase_case" in problem["detail"]


def test_after_an_admins_erasure_every_read_shows_erased(api: Api) -> None:
    assert GROUNDS in api.read(f"/authorities/{LA}/cases/case-1/timeline", MANAGER).text

    answer = api.ok("erase_case", ADMIN, case_id="case-1", reason="request SAR-7")

    assert answer["command"] == "erase_case"
    for path in (f"/authorities/{LA}/challenges/ch-q", f"/authorities/{LA}/cases/case-1",
                 f"/authorities/{LA}/cases/case-1/timeline", f"/authorities/{LA}/challenges",
                 f"/flags?la_code={LA}", f"/proof/receipts?la_code={LA}&kind=challenge&id=ch-q"):
        response = api.read(path, INSPECTOR)
        assert response.status_code in (200, 503), (path, response.text)
        assert GROUNDS not in response.text and "child-nw-0001" not in response.text, path
    challenge = api.read(f"/authorities/{LA}/challenges/ch-q", MANAGER).json()
    assert challenge["events"][0]["grounds"] == ERASED
    sign_in(api.client, INSPECTOR)
    for page in ("/ui/authorities/NWD/cases/case-1", "/ui/authorities/NWD",
                 "/ui/authorities/NWD/records/challenge/ch-q"):
        shown = api.client.get(page)
        assert shown.status_code == 200, page
        assert GROUNDS not in shown.text and ERASED in shown.text, page
    api.client.cookies.clear()
