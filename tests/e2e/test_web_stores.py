"""On either store, with no worker running, a page shows what was recorded a moment ago: the
dashboard catches the read models up before drawing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from iro_ledger.api.app import create_app
from iro_ledger.application import Principal, Role
from iro_ledger.application.commands import parse_command
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from iro_ledger.settings import Settings
from tests.e2e import BROWSER_URL, sign_in

SECRET = "web-stores-secret-long-enough-for-hs256-0123456789"
POLICY = TokenPolicy(SECRET)
ADMIN = Principal(sub="admin-1", role=Role.ADMIN)


def test_a_case_recorded_a_moment_ago_is_on_its_timeline(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, jwt_secret=SECRET))
    with TestClient(app, base_url=BROWSER_URL) as client:
        ledger = app.state.services.ledger
        for command in (
            {"command": "register_authority", "name": "Northwold (fictional)",
             "occurred_on": "2024-01-02"},
            {"command": "open_case", "case_id": "case-7", "child_ref": "child-nw-0007",
             "legal_status": "C2", "entered_care_on": "2024-02-01",
             "occurred_on": "2024-02-01"},
            {"command": "record_decision", "case_id": "case-7", "decision_id": "d-1",
             "kind": "placement", "summary": "Kinship placement with an aunt.",
             "occurred_on": "2024-02-05"},
        ):
            ledger.execute(parse_command({"la_code": "NWD", **command}), ADMIN, "test")
        sign_in(client, mint_token(POLICY, "mgr-orla", "la_manager", la_code="NWD"))

        page = client.get("/ui/authorities/NWD/cases/case-7")

    assert page.status_code == 200
    assert "Kinship placement with an aunt." in page.text
    assert page.text.count("data-occurred-on=") == 2
