"""The CLI's core commands: serve, demo, ingest, stats and token.

Local CLI access is database access: whoever can run `iro-ledger` with the store's URL can
write to it directly, so without `--token` the CLI acts as the local operator, an admin
principal named `cli:<OS user>`. Every record still carries that name as `recorded_by`.
"""

from __future__ import annotations

import errno
import getpass
import json
import socket
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn
from urllib.parse import urlsplit

import psycopg
import typer
from eventsourcing.persistence import PersistenceError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from iro_ledger.application import Principal, Role
from iro_ledger.application.ingest import (
    Entry,
    IngestSummary,
    Rejection,
    ingest,
    numbered,
    read_entries,
)
from iro_ledger.cli.app import app
from iro_ledger.domain.errors import DomainError
from iro_ledger.domain.limits import iso_day
from iro_ledger.generator import demo as demo_story
from iro_ledger.identity.oidc import ProviderConfigError, load_providers
from iro_ledger.identity.service import CODE_TTL_SECONDS, identity_for
from iro_ledger.identity.startup import UnsafeStart, check_start
from iro_ledger.identity.tokens import TokenError, TokenPolicy, mint_token
from iro_ledger.settings import Settings, get_settings
from iro_ledger.trust.keys import ensure_signing_key
from iro_ledger.wiring import Services, build_services

PROGRESS_ABOVE_LINES = 1000
"""Files longer than this get a progress bar even when stderr is not a terminal."""


def fail(message: str) -> NoReturn:
    """Unusable input: one line on stderr, exit status 2."""
    typer.echo(f"iro-ledger: {message}", err=True)
    raise typer.Exit(2)


Token = Annotated[str | None, typer.Option(
    help="Read as this token's principal (default: the local operator, an admin).")]


def day_option(option: str, value: str | None) -> date | None:
    """A YYYY-MM-DD option; None when not given (the read service then counts to today)."""
    if value is None:
        return None
    try:
        return iso_day(value)
    except ValueError as bad:
        fail(f"{option}: {bad}")


def local_operator() -> Principal:
    """The admin principal for whoever runs the CLI on this machine without a token."""
    return Principal(sub=f"cli:{getpass.getuser()}", role=Role.ADMIN)


def demo_seeder() -> Principal:
    """The demo's own recorder: command ids are scoped to it, so re-seeding stores nothing."""
    return Principal(sub=demo_story.SEEDER_SUB, role=Role.ADMIN)


@contextmanager
def services(settings: Settings) -> Iterator[Services]:
    """The ledger for one command; a bad URL or an unreachable store is exit 2."""
    try:
        built = build_services(settings)
    except DomainError as bad:
        fail(f"IRO_LEDGER_DATABASE_URL: {bad}")
    except PersistenceError as down:
        fail(f"cannot open the store {redacted(settings.resolved_database_url())}: {down}")
    except ProviderConfigError as bad:
        fail(f"IRO_LEDGER_IDENTITY_PROVIDERS: {bad}")
    try:
        yield built
    finally:
        built.close()


def redacted(url: str) -> str:
    """The database URL without its password, fit to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Server processes sharing the port (each groups its own "
        "commands; see docs/operations.md).")] = 1,
    access_log: Annotated[bool, typer.Option(
        help="A line per request on stdout (routes only, never ids or tokens). Behind a "
        "proxy that keeps its own, --no-access-log saves the server a write per "
        "request.")] = True,
) -> None:
    """Serve the HTTP API with uvicorn, on the store IRO_LEDGER_DATABASE_URL names.

    Anywhere but loopback it refuses to start without a proper IRO_LEDGER_JWT_SECRET."""
    run_server(start_checks(get_settings(), host, port), host, port, workers, access_log)


def refuse_unsafe(settings: Settings, host: str | None, where: str, warn: bool = True) -> None:
    """Exit 2 with one line if the secret is unfit and `host` is not loopback (`where` says
    what `host` is), or the identity providers' file cannot be used; on loopback, warn about
    the secret unless told not to."""
    warning = unsafe_warning(settings, host, where)
    if warning and warn:
        typer.echo(f"iro-ledger: {warning}", err=True)


def unsafe_warning(settings: Settings, host: str | None, where: str) -> str | None:
    """`refuse_unsafe`'s checks: exit 2 on a refusal, else the warning to print, if any."""
    try:
        warning = check_start(settings, host, where)
        load_providers(settings.identity_providers)
    except UnsafeStart as unsafe:
        fail(str(unsafe))
    except ProviderConfigError as bad:
        fail(f"IRO_LEDGER_IDENTITY_PROVIDERS: {bad}")
    return warning


def start_checks(settings: Settings, host: str, port: int) -> socket.socket:
    """Refuse an unsafe start, or a port that cannot be listened on, each in one line before
    anything else is printed; then warn if there is a warning. The socket is the server's."""
    warning = unsafe_warning(settings, host, f"--host {host}")
    listening = listening_socket(host, port)
    if warning:
        typer.echo(f"iro-ledger: {warning}", err=True)
    return listening


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (as uvicorn binds it), or exit 2 saying why not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        bound = socket.socket(family, kind, proto)
        try:
            bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            bound.bind(address)
        except OSError:
            bound.close()
            raise
    except (OSError, OverflowError) as refused:
        reason = (f"port {port} is already in use"
                  if getattr(refused, "errno", None) == errno.EADDRINUSE
                  else getattr(refused, "strerror", None) or str(refused))
        fail(f"cannot listen on {host}:{port}: {reason}; choose another with --port "
             "(make run PORT=...)")
    return bound


def run_server(listening: socket.socket, host: str, port: int, workers: int = 1,
               access_log: bool = True) -> None:
    import uvicorn

    # loop/http "auto" take uvloop and httptools (dependencies) where installed. With
    # --workers, the supervisor pings each process; on a busy machine a process still
    # building its app misses uvicorn's default 5 s and is killed and started again, over
    # and over: it is given 30 s.
    config = uvicorn.Config("iro_ledger.api.app:create_app", factory=True, host=host, port=port,
                            workers=workers, loop="auto", http="auto", access_log=access_log,
                            timeout_worker_healthcheck=30)
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[listening]).run()
        return
    uvicorn.Server(config).run(sockets=[listening])


INGEST_HELP = (
    "Apply a batch file of commands through the same path as the API.\n\n"
    "Each bad line is reported on stderr with its number and reason and records nothing; "
    "the last line on stdout is a JSON summary. Exit 0 when every line was accepted, "
    "1 otherwise, 2 when the file or token cannot be used.\n\n"
    "Without --token you record as the local operator, an admin named cli:<OS user>: "
    "local CLI access is database access. A line whose command_id was already recorded is "
    "answered again and stores nothing, so a file can be re-run after an interruption."
)


@app.command("ingest", help=INGEST_HELP)
def ingest_command(
    file: Annotated[Path, typer.Argument(help="JSON Lines: one command a line.")],
    atomic: Annotated[bool, typer.Option(help="Record every line or none.")] = False,
    token: Annotated[str | None, typer.Option(help="Act as this token's principal.")] = None,
) -> None:
    """Apply a batch file of commands (see INGEST_HELP)."""
    settings = get_settings()
    principal = principal_for(settings, token)
    try:
        entries = read_entries(file)
    except OSError as unreadable:
        fail(f"cannot read {file}: {unreadable.strerror or unreadable}")
    with services(settings) as built:
        summary = run_ingest(built, entries, principal, atomic)
    typer.echo(json.dumps(summary.as_dict()))
    raise typer.Exit(1 if summary.rejected else 0)


def principal_for(settings: Settings, token: str | None) -> Principal:
    """The local operator, or the principal `--token` names, checked as the API checks it
    (the service's own or an identity provider's token, and not revoked)."""
    if token is None:
        return local_operator()
    try:
        identity = identity_for(settings)
    except ProviderConfigError as bad:
        fail(f"IRO_LEDGER_IDENTITY_PROVIDERS: {bad}")
    except DomainError as bad:
        fail(f"IRO_LEDGER_DATABASE_URL: {bad}")
    try:
        return identity.verify(token).principal
    except TokenError as bad:
        fail(f"--token: {bad}")
    except (sqlite3.Error, psycopg.Error) as down:
        fail(f"cannot check --token against the store "
             f"{redacted(settings.resolved_database_url())}: {down}")
    finally:
        identity.sign_ins.db.close()


def run_ingest(built: Services, entries: list[Entry], principal: Principal,
               atomic: bool) -> IngestSummary:
    console = Console(stderr=True)
    with _progress(console, len(entries)) as advance:
        def report(rejection: Rejection) -> None:
            # Through the progress bar's console, so a report never garbles the bar.
            console.print(rejection.report(), markup=False, highlight=False, soft_wrap=True,
                          emoji=False)

        try:
            return ingest(built.ledger, entries, principal, atomic=atomic,
                          on_rejection=report, on_progress=advance)
        except PersistenceError as down:
            fail(f"the store failed during ingest: {down}; lines before the failure may be "
                 "recorded (re-running a file whose lines carry command_ids stores nothing twice)")


@contextmanager
def _progress(console: Console, total: int) -> Iterator[Callable[[], None] | None]:
    if total <= PROGRESS_ABOVE_LINES and not console.is_terminal:
        yield None
        return
    columns = (TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("ingest", total=total)
        yield lambda: progress.advance(task)


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Count the events in the store IRO_LEDGER_DATABASE_URL names."""
    settings = get_settings()
    url = settings.resolved_database_url()
    with services(settings) as built:
        figures: dict[str, Any] = {
            "events": built.ledger.count_events(),
            "position": built.ledger.position(),
            "store": "sqlite" if url.startswith("sqlite") else "postgresql",
            "database": redacted(url),
        }
    if as_json:
        typer.echo(json.dumps(figures))
    else:
        for key, value in figures.items():
            typer.echo(f"{key:<10}{value}")


@app.command()
def token(
    sub: Annotated[str, typer.Option(help="Subject: for an IRO, their officer_id.")],
    role: Annotated[str, typer.Option(help="iro, iro_manager, la_manager, inspector, "
                                           "arbitrator or admin.")],
    la: Annotated[str | None, typer.Option(help="The principal's authority (la_code).")] = None,
    body: Annotated[str | None, typer.Option(help="An arbitrator's body.")] = None,
    ttl_minutes: Annotated[int | None, typer.Option(help="Lifetime in minutes.")] = None,
) -> None:
    """Mint a development token signed with the configured secret."""
    settings = get_settings()
    try:
        minted = mint_token(TokenPolicy.of(settings), sub, role, la_code=la,
                            body=body, ttl_minutes=ttl_minutes or settings.jwt_ttl_minutes)
    except TokenError as bad:
        fail(str(bad))
    typer.echo(minted)


@app.command()
def revoke(
    token_or_jti: Annotated[str, typer.Argument(metavar="TOKEN_OR_JTI",
                                                help="The token, or its jti.")],
    reason: Annotated[str, typer.Option(help="Why, kept with the revocation.")],
    token: Token = None,
) -> None:
    """Revoke a bearer token (admin only): the API and the dashboard refuse it from now on,
    and the dashboard sessions it signed in end."""
    settings = get_settings()
    principal = principal_for(settings, token)
    if principal.role is not Role.ADMIN:
        fail(f"only an admin may revoke tokens; {principal.sub} is {principal.role.value}")
    if not reason.strip():
        fail("--reason: say why the token is revoked")
    with services(settings) as built:
        try:
            jti, ended = built.identity.revoke(token_or_jti, principal.sub, reason.strip())
        except TokenError as bad:
            fail(str(bad))
    typer.echo(f"revoked token {jti}; {ended} dashboard session(s) ended")


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Seed only.")] = False,
) -> None:
    """Seed a fictional history into the configured store (idempotent), then serve it."""
    settings = get_settings()
    listening = None if no_serve else start_checks(settings, host, port)
    ensure_signing_key(settings.resolved_signing_key_path())  # a development key, for receipts
    principals = {label: Principal(sub=sub, role=Role(role), la_code=la_code)
                  for label, (sub, role, la_code) in demo_story.DEMO_PRINCIPALS.items()}
    with services(settings) as built:
        summary = run_ingest(built, numbered(demo_story.demo_commands()), demo_seeder(),
                             atomic=True)
        codes = {} if no_serve else {label: built.identity.issue_code(principal)
                                     for label, principal in principals.items()}
    if summary.rejected:
        typer.echo(json.dumps(summary.as_dict()))
        fail("the demo history was refused by this store; nothing of it was recorded")
    new = summary.accepted - summary.replayed
    typer.echo(f"Demo history: {summary.accepted} commands, {new} newly recorded, in "
               f"{redacted(settings.resolved_database_url())}")
    policy, ttl = TokenPolicy.of(settings), settings.jwt_ttl_minutes
    typer.echo(f"Demo tokens (valid {ttl} minutes; send as 'Authorization: Bearer TOKEN'):")
    for label, principal in principals.items():
        demo_token = mint_token(policy, principal.sub, principal.role.value,
                                la_code=principal.la_code, ttl_minutes=ttl)
        typer.echo(f"  {label}: {demo_token}")
    if listening is None:
        return
    typer.echo(f"Serving on http://{host}:{port}  (Ctrl-C to stop)")
    minutes = CODE_TTL_SECONDS // 60
    typer.echo(f"Dashboard: open a sign-in link in a browser (each works once, for {minutes} "
               "minutes; or paste a token above into the sign-in form)")
    for label, code in codes.items():
        typer.echo(f"- {label}: http://{host}:{port}/login?code={code}")
    sys.stdout.flush()
    run_server(listening, host, port)
