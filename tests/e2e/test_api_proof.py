"""Proofs over HTTP on both stores: receipts under the authority rules, the public key and
checkpoints for anyone, consistency proofs that carry a receipt forward."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from iro_ledger.api.app import create_app
from iro_ledger.settings import Settings
from iro_ledger.trust.keys import ensure_signing_key
from iro_ledger.trust.signing import cosign, generate_signing_key
from iro_ledger.trust.verifier import (
    Witness,
    parse_checkpoint,
    verify_receipt,
    witness_vkey,
)
from tests.e2e import (
    ARBITRATOR,
    INSPECTOR,
    IRO_ADA,
    LA,
    OTHER_MANAGER,
    PANEL,
    PROBLEM,
    SECRET,
    STORES,
    Api,
    module_store,
    raise_challenge,
    seed,
)


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    home = tmp_path_factory.mktemp("proof")
    key = home / "keys" / "checkpoint.pem"
    ensure_signing_key(key)
    with module_store(request, home) as url:
        app = create_app(Settings(database_url=url, jwt_secret=SECRET, signing_key_path=key))
        with TestClient(app) as client:
            made = Api(app, client)
            seed(made)
            yield made


def receipts(api: Api, challenge_id: str, who: dict[str, str] = IRO_ADA) -> Any:
    response = api.read(f"/proof/receipts?la_code={LA}&kind=challenge&id={challenge_id}", who)
    assert response.status_code == 200, response.text
    return response.json()


def public_key(api: Api) -> bytes:
    response = api.client.get("/proof/public-key")
    assert response.status_code == 200, response.text
    return response.content


def test_the_public_key_is_served_to_anyone_as_pem(api: Api) -> None:
    response = api.client.get("/proof/public-key")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-pem-file")
    assert response.text.startswith("-----BEGIN PUBLIC KEY-----")


def test_an_iro_gets_receipts_for_a_challenge_within_a_second_of_raising_it(api: Api) -> None:
    started = time.perf_counter()
    challenge_id = raise_challenge(api)
    bundle = receipts(api, challenge_id)
    elapsed = time.perf_counter() - started

    assert elapsed < 1.0
    assert bundle["record"] == {"kind": "challenge", "la_code": LA, "id": challenge_id}
    (receipt,) = bundle["receipts"]
    verified = verify_receipt(receipt, public_key(api))
    assert verified.tree_size == bundle["tree_size"]
    assert receipt["event"]["type"] == "Challenge.Raised"


def test_checkpoints_are_public_and_the_latest_covers_a_fresh_receipt(api: Api) -> None:
    bundle = receipts(api, raise_challenge(api))

    latest = api.client.get("/proof/checkpoints/latest").json()
    listing = api.client.get("/proof/checkpoints", params={"limit": 1000}).json()

    assert latest["tree_size"] >= bundle["tree_size"]
    assert bundle["tree_size"] in [c["tree_size"] for c in listing["items"]]
    assert listing["total"] == len(listing["items"])
    assert latest == listing["items"][-1]


def test_a_consistency_proof_carries_a_receipt_to_a_later_checkpoint(api: Api) -> None:
    (receipt,) = receipts(api, raise_challenge(api))["receipts"]
    later = receipts(api, raise_challenge(api))
    assert later["tree_size"] > receipt["tree_size"]

    response = api.client.get("/proof/consistency",
                              params={"from_size": receipt["tree_size"],
                                      "to_size": later["tree_size"]})

    assert response.status_code == 200, response.text
    against = response.json()
    verified = verify_receipt(receipt, public_key(api), against)
    assert verified.later_tree_size == later["tree_size"]


@pytest.mark.parametrize(("params", "status"), [
    ({"from_size": 0}, 422),
    ({"from_size": 10**9}, 422),
    ({"from_size": 1, "to_size": 10**9}, 404),
])
def test_a_consistency_proof_that_cannot_exist_is_refused(api: Api, params: dict[str, int],
                                                          status: int) -> None:
    receipts(api, raise_challenge(api))

    response = api.client.get("/proof/consistency", params=params)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM


def test_another_authoritys_manager_gets_no_receipts(api: Api) -> None:
    challenge_id = raise_challenge(api)

    response = api.read(f"/proof/receipts?la_code={LA}&kind=challenge&id={challenge_id}",
                        OTHER_MANAGER)

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM


def test_an_arbitrator_gets_receipts_only_for_challenges_referred_to_their_body(
        api: Api) -> None:
    kept, referred = raise_challenge(api), raise_challenge(api)
    api.ok("request_arbitration", IRO_ADA, challenge_id=referred, body=PANEL)

    refused = api.read(f"/proof/receipts?la_code={LA}&kind=challenge&id={kept}", ARBITRATOR)
    bundle = receipts(api, referred, ARBITRATOR)

    assert refused.status_code == 403
    assert [r["event"]["type"] for r in bundle["receipts"]] == [
        "Challenge.Raised", "Challenge.ArbitrationRequested"]


def test_an_inspectors_receipt_request_is_recorded_as_a_read(api: Api) -> None:
    challenge_id = raise_challenge(api)
    before = api.events()

    receipts(api, challenge_id, INSPECTOR)

    assert api.events() == before + 1


def test_receipts_need_a_token(api: Api) -> None:
    response = api.client.get(f"/proof/receipts?la_code={LA}&kind=challenge&id=x")

    assert response.status_code == 401


@pytest.mark.parametrize(("query", "status"), [
    ("kind=challenge&id=ch-never-raised", 404),
    ("kind=dossier&id=x", 422),
    ("kind=challenge", 422),
])
def test_receipts_for_no_such_record_are_refused(api: Api, query: str, status: int) -> None:
    response = api.read(f"/proof/receipts?la_code={LA}&{query}", IRO_ADA)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM


def test_without_a_signing_key_the_api_says_how_to_make_one(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite'}",
                        jwt_secret=SECRET, signing_key_path=tmp_path / "missing.pem")
    with TestClient(create_app(settings)) as client:
        api = Api(client.app, client)  # type: ignore[arg-type]
        seed(api)
        challenge_id = raise_challenge(api)

        for response in (api.client.get("/proof/public-key"),
                         api.read(f"/proof/receipts?la_code={LA}&kind=challenge&id="
                                  f"{challenge_id}", IRO_ADA)):
            assert response.status_code == 503
            assert "iro-ledger keys generate" in response.json()["detail"]
        assert api.client.get("/proof/checkpoints/latest").status_code == 404


WITNESS = "witness.nairo.example/api"


def post_cosignature(api: Api, tree_size: int, vkey: str, line: str) -> Any:
    return api.client.post("/proof/cosignatures", json={
        "tree_size": tree_size, "witness": vkey, "cosignature": line})


def test_a_witness_posts_a_cosignature_that_is_kept_once_and_served(api: Api) -> None:
    key = generate_signing_key()
    vkey = witness_vkey(WITNESS, key.public_key())
    challenge_id = raise_challenge(api)
    unwitnessed = receipts(api, challenge_id)
    latest = api.client.get("/proof/checkpoints/latest").json()
    assert latest["tree_size"] == unwitnessed["tree_size"]
    line = cosign(parse_checkpoint(latest["note"]), WITNESS, key, int(time.time()))

    kept = post_cosignature(api, latest["tree_size"], vkey, line)
    again = post_cosignature(api, latest["tree_size"], vkey, line)

    assert (kept.status_code, kept.json()["new"]) == (201, True), kept.text
    assert (again.status_code, again.json()["new"]) == (200, False), again.text
    served = api.client.get("/proof/checkpoints/latest").json()
    assert served["note"] == latest["note"] + line
    bundle = receipts(api, challenge_id)
    verified = verify_receipt(bundle["receipts"][0], public_key(api),
                              witnesses=[Witness(WITNESS, key.public_key())], min_witnesses=1)
    assert [w.witness for w in verified.witnesses] == [WITNESS]


@pytest.mark.parametrize("damage, status", [
    ("another key", 422), ("no such checkpoint", 404), ("not a vkey", 422), ("two lines", 422)])
def test_a_cosignature_that_does_not_verify_is_refused(api: Api, damage: str,
                                                       status: int) -> None:
    key = generate_signing_key()
    vkey = witness_vkey(WITNESS, key.public_key())
    latest = api.client.get("/proof/checkpoints/latest").json()
    size = latest["tree_size"]
    line = cosign(parse_checkpoint(latest["note"]), WITNESS, key, int(time.time()))
    if damage == "another key":
        vkey = witness_vkey(WITNESS, generate_signing_key().public_key())
    elif damage == "no such checkpoint":
        size += 10_000
    elif damage == "not a vkey":
        vkey = "witness.nairo.example/api"
    else:
        line += line

    response = post_cosignature(api, size, vkey, line)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert api.client.get("/proof/checkpoints/latest").json()["note"].count(WITNESS) == \
        latest["note"].count(WITNESS)
