"""The store fixtures in tests/conftest.py keep their contract."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from tests.conftest import (
    DEFAULT_SERVER_DSN,
    TEST_DSN_ENV,
    NoPostgreSQLError,
    postgres_server,
    with_dbname,
)

NOBODY_LISTENS = "postgresql://postgres@127.0.0.1:1/none"


def databases_on(server_dsn: str) -> set[str]:
    with psycopg.connect(server_dsn) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def test_postgres_url_is_a_new_empty_database(postgres_url: str) -> None:
    dbname = conninfo_to_dict(postgres_url)["dbname"]
    assert postgres_url.startswith("postgresql://")
    assert str(dbname).startswith("iro_test_")
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (dbname,)
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
    assert tables == (0,)


def test_postgres_url_keeps_the_servers_user_host_and_port(
    postgres_url: str, postgres_server_dsn: str
) -> None:
    ours, server = conninfo_to_dict(postgres_url), conninfo_to_dict(postgres_server_dsn)
    for key in ("user", "password", "host", "port"):
        assert ours.get(key) == server.get(key)


def test_each_test_gets_its_own_database_which_is_dropped_after_it(
    postgres_server_dsn: str, tmp_path: Path
) -> None:
    # Two real tests in a child pytest run, using this very conftest, record their databases.
    shutil.copy(Path(__file__).parents[1] / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    names = tmp_path / "names.txt"
    (tmp_path / "test_child.py").write_text(
        "import psycopg\n"
        "def record(url):\n"
        "    with psycopg.connect(url) as conn:\n"
        "        conn.execute('CREATE TABLE t (x int)')\n"
        "        (name,) = conn.execute('SELECT current_database()').fetchone()\n"
        f"    with open({str(names)!r}, 'a') as out:\n"
        "        out.write(name + '\\n')\n"
        "def test_one(postgres_url): record(postgres_url)\n"
        "def test_two(postgres_url): record(postgres_url)\n"
    )
    child = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env={**os.environ, TEST_DSN_ENV: postgres_server_dsn},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stdout + child.stderr
    recorded = names.read_text().split()
    assert len(recorded) == 2
    assert recorded[0] != recorded[1]
    assert not set(recorded) & databases_on(postgres_server_dsn)


def test_sqlite_url_names_a_file_in_the_tests_temporary_directory(
    sqlite_url: str, tmp_path: Path
) -> None:
    assert sqlite_url == f"sqlite:///{tmp_path}/ledger.sqlite"
    assert sqlite_url.startswith("sqlite:////")


def test_database_url_gives_each_store_and_marks_postgres(
    database_url: str, request: pytest.FixtureRequest
) -> None:
    kind = request.node.callspec.id
    marked = request.node.get_closest_marker("postgres") is not None
    if kind == "sqlite":
        assert database_url.startswith("sqlite:///")
        assert not marked
    else:
        assert kind == "postgres"
        assert marked
        with psycopg.connect(database_url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)


def test_postgres_password_is_always_set() -> None:
    assert os.environ.get("POSTGRES_PASSWORD")


def test_a_throwaway_cluster_is_started_when_no_server_answers() -> None:
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is None:
        why = "pg_ctl is not on PATH: the throwaway-cluster fallback cannot run here"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    with postgres_server(None, NOBODY_LISTENS, pg_ctl) as dsn:
        assert dsn != NOBODY_LISTENS
        with psycopg.connect(dsn) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(dsn, connect_timeout=3)


def test_without_any_server_the_failure_says_how_to_provide_one() -> None:
    with pytest.raises(NoPostgreSQLError) as missing, postgres_server(None, NOBODY_LISTENS, None):
        pass
    assert TEST_DSN_ENV in str(missing.value)
    assert "127.0.0.1:5432" in str(missing.value)


def test_an_explicit_dsn_that_does_not_answer_fails_rather_than_falling_back() -> None:
    with (
        pytest.raises(NoPostgreSQLError, match=TEST_DSN_ENV),
        postgres_server(NOBODY_LISTENS, DEFAULT_SERVER_DSN, shutil.which("pg_ctl")),
    ):
        pass


def test_with_dbname_keeps_credentials_and_options() -> None:
    url = with_dbname("host=db.example port=6543 user=u password='p w' sslmode=require", "x")
    assert url == "postgresql://u:p%20w@db.example:6543/x?sslmode=require"
    assert conninfo_to_dict(url)["password"] == "p w"
