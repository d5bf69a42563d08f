"""Revoking a bearer token: an admin's command, after which the API refuses it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iro_ledger.cli import app as cli_app
from iro_ledger.identity.tokens import mint_token, verify_token
from tests.e2e import POLICY, SECRET, Api, running_api


@pytest.fixture
def store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.sqlite'}"


@pytest.fixture
def api(store: str) -> Iterator[Api]:
    with running_api(store) as running:
        yield running


def revoke(store: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli_app, ["revoke", *args],
                                env={"IRO_LEDGER_DATABASE_URL": store,
                                     "IRO_LEDGER_JWT_SECRET": SECRET})
    return result.exit_code, result.stdout, result.stderr


def flags(api: Api, token: str) -> int:
    return api.read("/flags", {"Authorization": f"Bearer {token}"}).status_code


def test_a_revoked_token_is_refused_by_the_api(api: Api, store: str) -> None:
    token = mint_token(POLICY, "insp-eve", "inspector")
    assert flags(api, token) == 200

    code, out, _ = revoke(store, token, "--reason", "left the inspectorate")

    assert code == 0, out
    assert verify_token(POLICY, token).jti in out
    refused = api.read("/flags", {"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


def test_a_token_can_be_revoked_by_its_jti_alone(api: Api, store: str) -> None:
    token = mint_token(POLICY, "insp-eve", "inspector")
    jti = verify_token(POLICY, token).jti
    assert jti

    assert revoke(store, jti, "--reason", "reported lost")[0] == 0

    assert flags(api, token) == 401
    assert flags(api, mint_token(POLICY, "insp-eve", "inspector")) == 200


def test_only_an_admin_may_revoke(store: str) -> None:
    token = mint_token(POLICY, "insp-eve", "inspector")

    code, _, err = revoke(store, token, "--reason", "x", "--token", token)

    assert code == 2
    assert "only an admin may revoke tokens" in err


def test_revoking_needs_a_reason(store: str) -> None:
    code, _, err = revoke(store, "some-jti", "--reason", "  ")

    assert code == 2
    assert "say why" in err


def test_something_that_is_no_token_is_refused(store: str) -> None:
    code, _, err = revoke(store, "a.b.c", "--reason", "typo")

    assert code == 2
    assert "not a token" in err



def test_the_cli_refuses_a_revoked_token_too(store: str) -> None:
    token = mint_token(POLICY, "admin-2", "admin")
    env = {"IRO_LEDGER_DATABASE_URL": store, "IRO_LEDGER_JWT_SECRET": SECRET}
    assert CliRunner().invoke(cli_app, ["stats"], env=env).exit_code == 0
    before = CliRunner().invoke(cli_app, ["flags", "--json", "--token", token], env=env)
    assert before.exit_code == 0, before.output

    assert revoke(store, token, "--reason", "handed in")[0] == 0

    after = CliRunner().invoke(cli_app, ["flags", "--json", "--token", token], env=env)
    assert after.exit_code == 2
    assert "--token: the token was revoked" in after.stderr
