"""Query parameters the API's reads share, each bounded, so that no value a client can send
reaches a database as something it cannot hold (a huge `offset` overflowed PostgreSQL's bigint
and answered 500): out of bounds is 422 naming the parameter.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from iro_ledger.application.commands import Day
from iro_ledger.domain.limits import OFFSET_MAX, POSITION_MAX

Offset = Annotated[int, Query(ge=0, le=OFFSET_MAX,
                              description=f"how many items to skip (at most {OFFSET_MAX})")]
MinPosition = Annotated[int | None, Query(
    ge=0, le=POSITION_MAX,
    description="read only once the read models have applied this store position (the "
                "`position` a command answered); 422 if nothing is stored there yet")]
TreeSize = Annotated[int, Query(ge=1, le=POSITION_MAX)]
AsOf = Annotated[Day | None, Query(description="count days and judge deadlines as of the end "
                                               "of this day, YYYY-MM-DD (default: today in "
                                               "England)")]
From = Annotated[Day | None, Query(alias="from", description="first day, YYYY-MM-DD (default: "
                                                             "a year before `to`)")]
To = Annotated[Day | None, Query(alias="to", description="last day, YYYY-MM-DD (default: "
                                                         "today in England)")]
