"""`iro-ledger db setup`: the PostgreSQL roles that keep the application from undoing the record.

Run once as a superuser (and again after an upgrade adds tables): it creates every table as
the application would, then hands them to an owner role and grants an application role what
`trust.roles` lists. docs/operations.md says how to run the rest as that role.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from iro_ledger.cli.app import app
from iro_ledger.cli.core import fail, redacted, services
from iro_ledger.identity import sessions
from iro_ledger.settings import get_settings
from iro_ledger.trust import roles

db_app = typer.Typer(help="The database's roles (PostgreSQL).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("setup")
def setup(
    owner: Annotated[str, typer.Option(help="The role that owns the tables.")] = "iro_owner",
    app_role: Annotated[str, typer.Option("--app", help="The role the API, worker and CLI "
                                                         "log in as.")] = "iro_app",
    app_password: Annotated[str | None, typer.Option(
        envvar="IRO_LEDGER_DB_APP_PASSWORD", show_envvar=True,
        help="Set the application role's password.")] = None,
    owner_password: Annotated[str | None, typer.Option(
        envvar="IRO_LEDGER_DB_OWNER_PASSWORD", show_envvar=True,
        help="Let the owner log in (for rebuilds) with this password.")] = None,
) -> None:
    """Create the tables, an owner role that owns them and an application role that may only
    append events and read (run as a PostgreSQL superuser; idempotent)."""
    settings = get_settings().model_copy(update={"allow_superuser": True})
    url = settings.resolved_database_url()
    if url.startswith("sqlite"):
        fail("db setup is for PostgreSQL: SQLite has no roles (docs/operations.md)")
    with services(settings) as built:
        built.projections.setup()
        built.identity.sign_ins.setup()
        layout = replace(roles.layout_of(built.trust), sign_ins=sessions.TABLES)
    wanted = roles.Roles(owner=owner, app=app_role, app_password=app_password,
                         owner_password=owner_password)
    try:
        done = roles.set_up(url, layout, wanted)
    except roles.RolesError as refused:
        fail(str(refused))
    for line in done:
        typer.echo(line)
    typer.echo(f"Run the API, the worker and the CLI as {app_role} on {redacted(url)}")
