"""The identity providers' file: what it may say, and each mistake refused with where and why."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from iro_ledger.application.access import Role
from iro_ledger.cli import app
from iro_ledger.identity.oidc import ProviderConfigError, load_providers

ENTRA = """
[[provider]]
name = "Eastmere Entra ID"
issuer = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"
audience = "api://iro-ledger"
jwks_url = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/discovery/v2.0/keys"
subject_claim = "preferred_username"
la = "EMR"
{extra}
[provider.roles]
"IRO" = "iro"
"IRO.Manager" = "iro_manager"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "providers.toml"
    path.write_text(text)
    return path


def test_an_entra_tenant_is_configured_with_its_roles_and_authority(tmp_path: Path) -> None:
    [provider] = load_providers(write(tmp_path, ENTRA.format(extra="")))

    assert provider.audience == ("api://iro-ledger",)
    assert provider.algorithms == ("RS256", "ES256", "EdDSA")
    assert provider.roles == {"IRO": Role.IRO, "IRO.Manager": Role.IRO_MANAGER}
    assert (provider.la, provider.subject_claim) == ("EMR", "preferred_username")
    assert provider.min_refetch_seconds == 60


def test_signing_in_by_redirect_takes_the_client_secret_from_the_environment(
        tmp_path: Path) -> None:
    redirect = "\n".join([
        'client_id = "11111111-2222-3333-4444-555555555555"',
        'authorization_endpoint = "https://login.microsoftonline.com/t/oauth2/v2.0/authorize"',
        'token_endpoint = "https://login.microsoftonline.com/t/oauth2/v2.0/token"',
        'redirect_uri = "https://ledger.example.org/login/callback"',
        'client_secret_env = "EASTMERE_ENTRA_SECRET"'])

    [provider] = load_providers(write(tmp_path, ENTRA.format(extra=redirect)),
                                environ={"EASTMERE_ENTRA_SECRET": "s3cret"})

    assert provider.signs_in_by_redirect
    assert provider.client_secret == "s3cret"
    assert "s3cret" not in repr(provider)


def test_without_a_file_no_provider_is_trusted() -> None:
    assert load_providers(None) == []


@pytest.mark.parametrize(("extra", "says"), [
    ('algorithms = ["HS256"]', "algorithms may be RS256, ES256, EdDSA, not HS256"),
    ('jwks_file = "keys.json"', "exactly one of jwks_url and jwks_file"),
    ('la_claim = "extension_la"', "name the authority one way, not la and la_claim"),
    ('colour = "blue"', "unknown setting(s) colour"),
    ('client_id = "abc"', "missing authorization_endpoint, token_endpoint, redirect_uri"),
    ('client_secret_env = "IRO_LEDGER_UNSET_SECRET_FOR_TEST"',
     "names IRO_LEDGER_UNSET_SECRET_FOR_TEST, which is not set"),
])
def test_a_mistake_is_refused_saying_where_and_why(tmp_path: Path, extra: str,
                                                    says: str) -> None:
    with pytest.raises(ProviderConfigError) as refused:
        load_providers(write(tmp_path, ENTRA.format(extra=extra)))

    assert "provider 1" in str(refused.value)
    assert says in str(refused.value)


def test_keys_are_fetched_over_https_except_on_loopback(tmp_path: Path) -> None:
    plain = ENTRA.format(extra="").replace("https://login.microsoftonline.com/0000"
                                           "0000-0000-0000-0000-000000000000/discovery",
                                           "http://login.example.invalid/discovery")
    with pytest.raises(ProviderConfigError, match="jwks_url must be https"):
        load_providers(write(tmp_path, plain))


def test_a_role_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProviderConfigError, match="'IRO' maps to 'officer', which is no role"):
        load_providers(write(tmp_path, ENTRA.format(extra="").replace('"IRO" = "iro"',
                                                                      '"IRO" = "officer"')))


def test_serve_with_an_unusable_providers_file_exits_2_saying_why(tmp_path: Path) -> None:
    path = write(tmp_path, "[[provider]]\nname = 'half-written'\n")

    result = CliRunner().invoke(app, ["serve"], env={"IRO_LEDGER_IDENTITY_PROVIDERS": str(path)})

    assert result.exit_code == 2
    assert result.stderr.startswith("iro-ledger: IRO_LEDGER_IDENTITY_PROVIDERS: ")
    assert "needs an issuer" in result.stderr
