"""A dispute's bundle over the demo history, on both stores: what it holds, that it checks
offline with the public key alone and fails on any change, who may have it (an arbitrator
only for a dispute referred to their body), and its PDF. The demo's people are fictional:
EMR-CH05 (case EMR-C08, raised by iro.devlin, whose contract was then ended) is referred to
NAIRO; EMR-CH04 and EMR-CH02 are not referred to anyone."""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from iro_ledger.api.app import create_app
from iro_ledger.application import Principal, Role
from iro_ledger.application.commands import parse_command
from iro_ledger.application.ingest import ingest, numbered
from iro_ledger.cli import app as cli
from iro_ledger.exports import dispute_pdf as dispute_pdf_module
from iro_ledger.generator import demo
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from iro_ledger.settings import Settings
from iro_ledger.trust.keys import ensure_signing_key, load_private_key
from iro_ledger.trust.signing import seal
from iro_ledger.trust.verifier import (
    VerificationError,
    content_digest,
    verify_dispute_bundle,
)
from iro_ledger.wiring import Services
from tests.e2e import BROWSER_URL, STORES, module_store, sign_in

SECRET = "dispute-bundle-secret-long-enough-for-hs256-0123"
POLICY = TokenPolicy(SECRET)
REFERRED, NOT_REFERRED = "EMR-CH05", "EMR-CH04"
BUNDLE = f"/proof/disputes/EMR/{REFERRED}/bundle"


def bearer(sub: str, role: str, la: str | None = None, body: str | None = None
           ) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(POLICY, sub, role, la_code=la, body=body)}"}


NAIRO = bearer("arb-ives", "arbitrator", body="NAIRO")
OTHER_PANEL = bearer("arb-gus", "arbitrator", body="Another Fictional Panel")
MANAGER = bearer("mgr-costa", "la_manager", la="EMR")
OTHER_MANAGER = bearer("mgr-hale", "la_manager", la="SMV")


class Demo:
    def __init__(self, client: TestClient, key: Path) -> None:
        self.client = client
        self.key = key

    @property
    def services(self) -> Services:
        services: Services = self.client.app.state.services  # type: ignore[attr-defined]
        return services

    def public_key(self) -> bytes:
        response = self.client.get("/proof/public-key")
        assert response.status_code == 200
        return response.content

    def bundle(self, who: dict[str, str] = NAIRO, path: str = BUNDLE) -> dict[str, Any]:
        response = self.client.get(path, headers=who)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def page(self, path: str, sub: str, role: str, body: str | None = None) -> Any:
        sign_in(self.client, mint_token(POLICY, sub, role, body=body))
        return self.client.get(path, follow_redirects=False)


@pytest.fixture(scope="module", params=STORES)
def board(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    home = tmp_path_factory.mktemp("bundle")
    key = home / "keys" / "checkpoint.pem"
    ensure_signing_key(key)
    with module_store(request, home) as url:
        app = create_app(Settings(database_url=url, jwt_secret=SECRET, signing_key_path=key))
        with TestClient(app, base_url=BROWSER_URL) as client:
            made = Demo(client, key)
            seeder = Principal(sub="test:seed", role=Role.ADMIN)
            summary = ingest(made.services.ledger, numbered(demo.demo_commands()), seeder,
                             atomic=True)
            assert not summary.rejected
            yield made


def check(bundle: dict[str, Any], public_key: bytes) -> None:
    verify_dispute_bundle(bundle, public_key)


# What it holds


def test_the_bundle_holds_the_challenge_its_case_officer_instructions_acts_and_flags(
        board: Demo) -> None:
    content = board.bundle()["content"]

    assert content["dispute"]["challenge_id"] == REFERRED
    assert content["dispute"]["arbitration"]["body"] == "NAIRO"
    assert content["challenge"]["officer_id"] == "iro.devlin"
    assert content["case"]["case_id"] == "EMR-C08"
    assert content["officer"]["officer_id"] == "iro.devlin"
    assert "EMR-INS01" in {i["instruction_id"] for i in content["instructions"]}
    assert [a["act"] for a in content["management_acts"]] == [
        "engagement ended: contract_terminated"]
    assert content["management_acts"][0]["by"] == "hos.pryce"
    rules = {f["rule"] for f in content["flags"]}
    assert {"engagement_ended_after_dispute", "permission_required"} <= rules
    assert all({"explanation", "basis", "evidence"} <= f.keys() for f in content["flags"])


def test_every_event_the_bundle_cites_has_a_receipt_in_its_annex(board: Demo) -> None:
    content = board.bundle()["content"]
    annexed = {(e["record"]["kind"], e["record"]["id"], e["number"]) for e in content["events"]}

    cited = {(e["ref"]["kind"], e["ref"]["id"], e["ref"]["number"]) for e in content["timeline"]}
    cited |= {(r["kind"], r["id"], r["event_number"]) for f in content["flags"]
              for r in f["evidence"]}
    cited |= {(a["ref"]["kind"], a["ref"]["id"], a["ref"]["number"])
              for a in content["management_acts"]}
    assert cited <= annexed
    assert len(content["receipts"]) == len(content["events"])
    assert {r["leaf"]["index"] for r in content["receipts"]} == {
        e["leaf_index"] for e in content["events"]}


def test_the_timeline_says_when_each_thing_happened_and_when_it_was_recorded(
        board: Demo) -> None:
    content = board.bundle()["content"]
    annex = {e["position"]: e for e in content["events"]}

    for entry in content["timeline"]:
        proven = annex[entry["ref"]["position"]]
        assert (proven["occurred_on"], proven["recorded_at"]) == (entry["occurred_on"],
                                                                  entry["recorded_at"])
        assert entry["days_late"] == proven["days_late"] >= 0
    # The demo was recorded long after it happened: every entry is late.
    assert all(e["days_late"] > 0 for e in content["timeline"])


# Checking it offline


def test_an_arbitrator_downloads_the_bundle_of_a_dispute_referred_to_them_and_it_verifies(
        board: Demo, tmp_path: Path) -> None:
    path, key = tmp_path / "bundle.json", tmp_path / "log.pem"
    path.write_text(json.dumps(board.bundle(NAIRO), indent=1))
    key.write_bytes(board.public_key())

    result = CliRunner().invoke(cli, ["verify-receipt", str(path), "--public-key", str(key)])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"PROVEN: dispute bundle EMR/{REFERRED}:")
    assert len(lines) == 1 + len(json.loads(path.read_text())["content"]["events"])
    assert all(line.startswith("PROVEN: event ") for line in lines[1:])


def test_changing_any_byte_of_the_bundle_makes_its_check_fail(board: Demo) -> None:
    bundle, key = board.bundle(), board.public_key()
    text = json.dumps(bundle, indent=1, ensure_ascii=False)
    check(json.loads(text.replace("\n", "\n  ")), key)  # whitespace is no content
    chosen = [i for i, c in enumerate(text) if not c.isspace()]
    for position in random.Random(11).sample(chosen, 300):
        original = text[position]
        changed = text[:position] + ("1" if original != "1" else "2") + text[position + 1:]
        try:
            document = json.loads(changed)
        except json.JSONDecodeError:
            continue  # no longer JSON: verify-receipt refuses the file (exit 2)
        with pytest.raises(VerificationError):
            check(document, key)


def test_a_bundle_whose_annex_misnames_a_proven_event_fails_even_when_resealed(
        board: Demo) -> None:
    bundle = board.bundle()
    content = bundle["content"]
    content["events"][0]["type"] = "Challenge.Withdrawn"
    size = content["consistency"]["to_size"]
    bundle["seal"] = seal(content["consistency"]["key_name"], size, content_digest(content),
                          load_private_key(board.key))

    with pytest.raises(VerificationError, match="the proven bytes hold another event"):
        check(bundle, board.public_key())


def test_a_later_bundle_carries_its_receipts_to_the_latest_checkpoint(board: Demo) -> None:
    first = board.bundle()["content"]
    late = parse_command({"command": "record_decision", "la_code": "EMR", "case_id": "EMR-C08",
                          "decision_id": f"dec-late-{random.randrange(10**9)}",
                          "kind": "contact", "occurred_on": "2025-12-20",
                          "actor": "sm.adeyemi"})
    board.services.ledger.execute(late, Principal(sub="test:late", role=Role.ADMIN), "test")
    board.services.trust.checkpoint_now()
    board.services.ledger.execute(parse_command({
        "command": "record_decision", "la_code": "EMR", "case_id": "EMR-C01",
        "decision_id": f"dec-other-{random.randrange(10**9)}", "kind": "contact",
        "occurred_on": "2025-12-21", "actor": "sm.adeyemi"}),
        Principal(sub="test:late", role=Role.ADMIN), "test")

    later = board.bundle()
    content = later["content"]

    assert len(content["events"]) == len(first["events"]) + 1
    assert content["receipts"][0]["tree_size"] < content["consistency"]["to_size"]
    check(later, board.public_key())


# Who may have it


def test_a_dispute_not_referred_to_the_arbitrator_is_refused(board: Demo) -> None:
    for path, who in ((f"/proof/disputes/EMR/{NOT_REFERRED}/bundle", NAIRO),
                      (BUNDLE, OTHER_PANEL), (f"{BUNDLE}.pdf", OTHER_PANEL)):
        response = board.client.get(path, headers=who)
        assert response.status_code == 403, (path, response.text)


def test_another_authoritys_manager_is_refused_and_the_authoritys_own_gets_it(
        board: Demo) -> None:
    assert board.client.get(BUNDLE, headers=OTHER_MANAGER).status_code == 403
    assert board.bundle(MANAGER)["content"]["dispute"]["challenge_id"] == REFERRED
    missing = board.client.get("/proof/disputes/EMR/EMR-CH99/bundle", headers=MANAGER)
    assert missing.status_code == 404


def test_the_arbitrators_download_is_recorded_as_a_read(board: Demo) -> None:
    ledger = board.services.ledger
    board.bundle(NAIRO)

    last = ledger.recorder.select_notifications(start=ledger.position(), limit=1)[0]
    read = ledger.mapper.to_domain_event(last)
    assert getattr(read, "what", None) == f"dispute:{REFERRED}"
    assert getattr(read, "recorded_by", None) == "arb-ives"


def test_an_arbitrator_opens_the_pages_the_bundle_links_to_and_nothing_else(
        board: Demo) -> None:
    def status(path: str) -> int:
        return int(board.page(path, "arb-ives", "arbitrator", body="NAIRO").status_code)

    content = board.bundle()["content"]
    flag_id = next(f["id"] for f in content["flags"]
                   if f["rule"] == "engagement_ended_after_dispute")
    instructions = {e["ref"]["id"] for e in content["timeline"]
                    if e["ref"]["kind"] == "instruction"}
    instructions |= {i["instruction_id"] for i in content["instructions"]}
    assert instructions
    for instruction in sorted(instructions):
        assert status(f"/ui/authorities/EMR/records/instruction/{instruction}") == 200
    case = board.page("/ui/authorities/EMR/cases/EMR-C08", "arb-ives", "arbitrator",
                      body="NAIRO")
    assert case.status_code == 200
    assert "Flags on this case" in case.text
    assert f"/ui/authorities/EMR/challenges/{REFERRED}/bundle.zip" in case.text
    assert status("/ui/authorities/EMR/officers/iro.devlin") == 200
    assert status("/ui/authorities/EMR/records/instruction/EMR-INS01") == 200
    assert status(f"/ui/flags/{flag_id}") == 200
    for elsewhere in ("/ui/authorities/EMR/cases/EMR-C03", "/ui/authorities/EMR/cases/EMR-C07",
                      "/ui/authorities/EMR/officers/iro.marsh",
                      "/ui/authorities/EMR/records/instruction/EMR-INS02",
                      "/ui/authorities/EMR/records/challenge/EMR-CH04",
                      f"/ui/authorities/EMR/challenges/{NOT_REFERRED}/bundle.zip"):
        assert status(elsewhere) == 403, elsewhere


# The dashboard's button, the PDF and the CLI


def test_the_dashboards_button_gives_the_pdf_and_a_json_that_verifies(board: Demo) -> None:
    response = board.page(f"/ui/authorities/EMR/challenges/{REFERRED}/bundle.zip", "arb-ives",
                          "arbitrator", body="NAIRO")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = sorted(archive.namelist())
        assert names == [f"EMR-{REFERRED}.bundle.json", f"EMR-{REFERRED}.bundle.pdf"]
        check(json.loads(archive.read(names[0])), board.public_key())
        assert archive.read(names[1]).startswith(b"%PDF-")


def test_page_one_of_the_pdf_is_a_readable_cover_not_a_blank_page(board: Demo) -> None:
    response = board.client.get(f"{BUNDLE}.pdf", headers=NAIRO)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"

    document = pypdfium2.PdfDocument(response.content)
    text = document[0].get_textpage().get_text_range()

    assert len(document) >= 4
    assert ink(response.content) > 0.01  # ink on more than 1% of page 1
    assert "What this bundle proves" in text and REFERRED in text


def ink(pdf: bytes) -> float:
    """The share of page 1 that is dark."""
    bitmap = pypdfium2.PdfDocument(pdf)[0].render(scale=1)
    pixels = bytes(bitmap.buffer)
    channels = len(pixels) // (bitmap.width * bitmap.height)
    dark = sum(1 for i in range(0, len(pixels), channels) if pixels[i] < 128)
    return dark / (bitmap.width * bitmap.height)


def test_without_dejavu_the_pdf_falls_back_to_a_core_font_and_still_reads(
        board: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = board.bundle()
    bundle["content"]["dispute"]["authority"] = "Borough of Eastmere \u2013 \u0141\u00f3d\u017a"
    monkeypatch.delenv("IRO_LEDGER_PDF_FONT_DIR", raising=False)
    monkeypatch.setattr(dispute_pdf_module, "FONT_DIRS", ())

    made = dispute_pdf_module.dispute_pdf(bundle)

    assert ink(made) > 0.01
    text = pypdfium2.PdfDocument(made)[0].get_textpage().get_text_range()
    assert "Borough of Eastmere ? ?\u00f3d?" in text


def test_the_cli_writes_the_json_and_the_pdf_and_never_overwrites_them(
        board: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = board.services.settings
    monkeypatch.setenv("IRO_LEDGER_DATABASE_URL", settings.resolved_database_url())
    monkeypatch.setenv("IRO_LEDGER_SIGNING_KEY_PATH", str(board.key))
    out = tmp_path / "bundles"
    args = ["bundle", "--la", "EMR", "--challenge", REFERRED, "--out", str(out)]

    made = CliRunner().invoke(cli, args)
    again = CliRunner().invoke(cli, args)
    unknown = CliRunner().invoke(cli, ["bundle", "--la", "EMR", "--challenge", "EMR-CH99",
                                       "--out", str(out)])

    assert made.exit_code == 0, made.output
    files = sorted(p.name for p in out.iterdir())
    assert files == [f"EMR-{REFERRED}.bundle.json", f"EMR-{REFERRED}.bundle.pdf"]
    check(json.loads((out / files[0]).read_text()), board.public_key())
    assert again.exit_code == 2 and "never overwritten" in again.output
    assert unknown.exit_code == 2 and "EMR-CH99" in unknown.output
