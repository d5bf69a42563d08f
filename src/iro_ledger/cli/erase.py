"""`iro-ledger erase`: honour a data subject's erasure request by crypto-shredding a case.

Admins only. The erasure is itself recorded (`erase_case`, with the reason, e.g. the request's
reference); then the keys the case's free text is sealed with (its own, and those of the
challenges and concerns raised on it) are destroyed and the read models replayed, so every
surface shows `[erased]`. The events stay, so receipts and `audit` still verify. Text stored
before sealing existed cannot be shredded (docs/operations.md says what to do).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from iro_ledger.application import Role
from iro_ledger.application.commands import EraseCase
from iro_ledger.cli.app import app
from iro_ledger.cli.core import Token, fail, principal_for, services
from iro_ledger.domain.errors import DomainError
from iro_ledger.domain.record import england_date
from iro_ledger.settings import get_settings


@app.command()
def erase(
    case: Annotated[str, typer.Option("--case", help="The case's id.")],
    la: Annotated[str, typer.Option("--la", help="Its authority's code.")],
    reason: Annotated[str, typer.Option(help="Why (the request's reference); kept readable, "
                                             "so no personal data in it.")],
    token: Token = None,
) -> None:
    """Erase a case's personal free text by destroying its keys (admin only; recorded)."""
    settings = get_settings()
    principal = principal_for(settings, token)
    if principal.role is not Role.ADMIN:
        fail(f"only an admin may erase; {principal.sub} is {principal.role.value}")
    if not reason.strip():
        fail("--reason: say why the case is erased")
    try:
        command = EraseCase(la_code=la, case_id=case, reason=reason.strip(),
                            occurred_on=england_date(datetime.now(UTC)))
    except ValueError as bad:
        fail(str(bad).splitlines()[-1] if str(bad) else "invalid input")
    with services(settings) as built:
        try:
            outcome = built.ledger.execute(command, principal, source="cli")
        except DomainError as refused:
            fail(str(refused))
    typer.echo(f"erased the personal free text of case {case} in {la} "
               f"(event {outcome.event_numbers[0]}, position {outcome.position})")
