"""Stores for tests: a PostgreSQL server for the session, a fresh database or SQLite file per test.

Fixtures (the contract other tests rely on):

- ``postgres_server_dsn`` (session): a libpq URL of a server on which the tests may create and
  drop databases. From ``IRO_LEDGER_TEST_DSN`` if set; else ``DEFAULT_SERVER_DSN`` if it answers;
  else a throwaway cluster started with ``pg_ctl`` for the session; else every test that needs
  it fails (never skips) with a message saying how to provide one.
- ``postgres_url`` (function): ``postgresql://user[:password]@host:port/iro_test_<hex>``, a new
  empty database, dropped after the test.
- ``sqlite_url`` (function): ``sqlite:///`` followed by the absolute path of a file in the test's
  ``tmp_path`` (so ``sqlite:////tmp/.../ledger.sqlite``).
- ``database_url`` (function): each of the above in turn, ids ``sqlite`` and ``postgres``; the
  postgres variant carries the ``postgres`` marker, so ``-m "not postgres"`` runs SQLite only.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

TEST_DSN_ENV = "IRO_LEDGER_TEST_DSN"
DEFAULT_SERVER_DSN = "postgresql://postgres@127.0.0.1:5432/test"
TEST_DATABASE_PREFIX = "iro_test_"
HOW_TO_PROVIDE = (
    f"No PostgreSQL server for the tests. Either set {TEST_DSN_ENV} to a libpq URL of a server "
    "where the tests may create databases "
    "(e.g. postgresql://postgres:secret@127.0.0.1:5432/postgres), "
    "or run PostgreSQL on 127.0.0.1:5432 accepting user postgres without a password "
    "(database 'test'), or put PostgreSQL's pg_ctl and initdb on PATH."
)


class NoPostgreSQLError(Exception):
    """No PostgreSQL server could be found or started for the tests."""


def answers(dsn: str) -> bool:
    try:
        with psycopg.connect(dsn, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def with_dbname(dsn: str, dbname: str) -> str:
    """The server DSN as a postgresql:// URL naming another database, all else kept."""
    params = {k: v for k, v in conninfo_to_dict(dsn).items() if v is not None}
    params.pop("dbname", None)
    netloc = ""
    if "user" in params:
        netloc = quote(str(params.pop("user")), safe="")
        if "password" in params:
            netloc += ":" + quote(str(params.pop("password")), safe="")
        netloc += "@"
    host = str(params.get("host", ""))
    if host and not host.startswith("/") and "," not in host:
        netloc += str(params.pop("host"))
        if "port" in params:
            netloc += f":{params.pop('port')}"
    query = f"?{urlencode(params)}" if params else ""
    return f"postgresql://{netloc}/{dbname}{query}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _unprivileged_account() -> pwd.struct_passwd | None:
    """PostgreSQL refuses to run as root; when we are root, run it as postgres (or nobody)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise NoPostgreSQLError("running as root, with no postgres or nobody account to run PostgreSQL")


@contextlib.contextmanager
def throwaway_cluster(pg_ctl: str) -> Iterator[str]:
    """Start a trust-auth cluster in a temporary directory on a free port; yield its DSN."""
    beside = Path(pg_ctl).resolve().parent / "initdb"
    initdb = str(beside) if beside.exists() else shutil.which("initdb")
    if initdb is None:
        raise NoPostgreSQLError(f"found {pg_ctl} but no initdb beside it or on PATH")
    account = _unprivileged_account()
    top = Path(tempfile.mkdtemp(prefix="iro-ledger-pg-"))
    if account:
        os.chown(top, account.pw_uid, account.pw_gid)
    data, log, port = top / "data", top / "server.log", _free_port()

    def run(*args: str, check: bool = True) -> None:
        subprocess.run(
            args,
            check=check,
            cwd=top,
            capture_output=True,
            text=True,
            user=account.pw_uid if account else None,
            group=account.pw_gid if account else None,
        )

    try:
        try:
            run(
                initdb,
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            )
            with (data / "postgresql.conf").open("a") as conf:
                conf.write(
                    f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{top}'\n"
                    "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n"
                )
            run(pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "60", "start")
        except subprocess.CalledProcessError as failure:
            detail = log.read_text() if log.exists() else ""
            raise NoPostgreSQLError(f"{failure.cmd} failed: {failure.stderr}{detail}") from failure
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            run(pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(top, ignore_errors=True)


@contextlib.contextmanager
def postgres_server(env_dsn: str | None, default_dsn: str, pg_ctl: str | None) -> Iterator[str]:
    """Yield a server DSN by the rules in the module docstring, or raise NoPostgreSQLError."""
    if env_dsn:
        if not answers(env_dsn):
            raise NoPostgreSQLError(f"{TEST_DSN_ENV}={env_dsn!r} does not answer. {HOW_TO_PROVIDE}")
        yield env_dsn
    elif answers(default_dsn):
        yield default_dsn
    elif pg_ctl:
        with throwaway_cluster(pg_ctl) as dsn:
            yield dsn
    else:
        raise NoPostgreSQLError(HOW_TO_PROVIDE)


@contextlib.contextmanager
def fresh_database(server_dsn: str) -> Iterator[str]:
    """Create an empty database on the server, yield its URL, and drop it afterwards."""
    name = TEST_DATABASE_PREFIX + secrets.token_hex(8)
    with psycopg.connect(server_dsn, autocommit=True, connect_timeout=10) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    try:
        yield with_dbname(server_dsn, name)
    finally:
        with psycopg.connect(server_dsn, autocommit=True, connect_timeout=10) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def pytest_configure(config: pytest.Config) -> None:
    # The tests connect as a superuser to make and drop databases; the application refuses
    # that unless told, for every fixture's scope (tests of the refusal say false).
    os.environ.setdefault("IRO_LEDGER_ALLOW_SUPERUSER", "true")
    config.addinivalue_line("markers", "postgres: needs a real PostgreSQL server")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests that ask for PostgreSQL directly are marked too, so `-m "not postgres"` leaves them out.
    for item in items:
        if {"postgres_url", "postgres_server_dsn"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)
        _id_from_name(item)


def _id_from_name(item: pytest.Item) -> None:
    """Give an item named `test[...]` that id too, when pytest gave it its bare function's.

    pytest >= 9.2 builds a test's id from its original name and its parametrization, so the
    items schemathesis makes (one per API operation, `test[GET /health]`) all had one id; run in
    parallel (`make pytest`, pytest-xdist schedules by id) all but one of them were lost.
    """
    original = getattr(item, "originalname", item.name)
    ident = getattr(item, "_id", None)
    if (ident is None or item.name == original or item.nodeid.endswith("]")
            or not (item.name.startswith(original + "[") and item.name.endswith("]"))):
        return
    item._id = ident.with_params(item.name[len(original) + 1:-1])


@pytest.fixture(scope="session")
def postgres_server_dsn() -> Iterator[str]:
    try:
        with postgres_server(
            os.environ.get(TEST_DSN_ENV), DEFAULT_SERVER_DSN, shutil.which("pg_ctl")
        ) as dsn:
            yield dsn
            return
    except NoPostgreSQLError as missing:
        problem = str(missing)
    # Outside the except block, so the report shows the message alone, not a chained traceback.
    pytest.fail(problem, pytrace=False)


@pytest.fixture
def postgres_url(postgres_server_dsn: str) -> Iterator[str]:
    with fresh_database(postgres_server_dsn) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.sqlite'}"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(autouse=True)
def _postgres_password(monkeypatch: pytest.MonkeyPatch) -> None:
    # eventsourcing refuses to build a PostgreSQL store without a password, even under trust auth.
    if not os.environ.get("POSTGRES_PASSWORD"):
        monkeypatch.setenv("POSTGRES_PASSWORD", "iro-ledger-test")


@pytest.fixture(autouse=True)
def _private_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory,
                      ) -> None:
    # Keep tests away from the user's own store and signing key in their data directory: a
    # test that forgets to name a store or key gets a fresh one of its own, never theirs.
    home = tmp_path_factory.mktemp("data")
    if "IRO_LEDGER_SIGNING_KEY_PATH" not in os.environ:
        monkeypatch.setenv("IRO_LEDGER_SIGNING_KEY_PATH", str(home / "keys" / "checkpoint.pem"))
    if "IRO_LEDGER_DATABASE_URL" not in os.environ:
        monkeypatch.setenv("IRO_LEDGER_DATABASE_URL", f"sqlite:///{home / 'ledger.sqlite'}")
