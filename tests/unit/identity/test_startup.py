"""Refusing to run unsafe: the development secret or a short one only on this machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from iro_ledger.identity.startup import UnsafeStart, check_start, is_loopback, store_host
from iro_ledger.settings import DEV_SECRET, Settings

GOOD = "a-production-secret-of-more-than-32-bytes-0123456789"


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"])
def test_loopback_addresses_are_this_machine(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "db", "ledger.example.org"])
def test_other_addresses_are_not(host: str) -> None:
    assert not is_loopback(host)


def test_the_development_secret_beyond_loopback_is_refused_saying_how_to_fix_it() -> None:
    with pytest.raises(UnsafeStart) as refused:
        check_start(Settings(jwt_secret=DEV_SECRET), "0.0.0.0", "--host 0.0.0.0")

    message = str(refused.value)
    assert "\n" not in message
    assert "development secret" in message
    assert "IRO_LEDGER_JWT_SECRET=$(openssl rand -base64 48)" in message


def test_a_short_secret_beyond_loopback_is_refused() -> None:
    with pytest.raises(UnsafeStart, match="is 1 bytes, too short"):
        check_start(Settings(jwt_secret="x"), "10.0.0.5", "--host 10.0.0.5")


def test_a_31_byte_secret_is_too_short_and_32_bytes_will_do() -> None:
    with pytest.raises(UnsafeStart):
        check_start(Settings(jwt_secret="s" * 31), "0.0.0.0", "--host 0.0.0.0")
    assert check_start(Settings(jwt_secret="s" * 32), "0.0.0.0", "--host 0.0.0.0") is None


def test_the_development_secret_on_loopback_starts_with_a_warning() -> None:
    warning = check_start(Settings(jwt_secret=DEV_SECRET), "127.0.0.1", "--host 127.0.0.1")

    assert warning is not None and "never beyond it" in warning


def test_a_proper_secret_anywhere_starts_without_a_word() -> None:
    assert check_start(Settings(jwt_secret=GOOD), "0.0.0.0", "--host 0.0.0.0") is None


def test_the_store_host_of_a_file_is_this_machine_and_of_a_server_its_name() -> None:
    assert store_host(Settings(database_url="sqlite:///tmp/x.sqlite")) is None
    assert store_host(Settings(database_url="postgresql://app@db:5432/ledger")) == "db"


def test_the_container_serves_beyond_loopback_so_compose_demands_a_secret() -> None:
    root = Path(__file__).resolve().parents[3]
    dockerfile = (root / "Dockerfile").read_text()
    compose = (root / "docker-compose.yml").read_text()

    assert '"serve", "--host", "0.0.0.0"' in dockerfile  # so the start check applies
    assert "IRO_LEDGER_JWT_SECRET: ${IRO_LEDGER_JWT_SECRET:?" in compose
