"""The Typer application every CLI module adds its commands to."""

import typer

app = typer.Typer(
    name="iro-ledger",
    help="An immutable record of IRO challenges, recommendations and management instructions.",
    no_args_is_help=True,
    add_completion=False,
)
