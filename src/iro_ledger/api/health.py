"""Liveness and readiness for orchestrators: no authentication, no ledger writes."""

from __future__ import annotations

from fastapi import APIRouter

from iro_ledger.api.deps import LedgerDep
from iro_ledger.api.errors import NotReady
from iro_ledger.api.schemas import Health, Ready, problem_responses

router = APIRouter(tags=["health"])


@router.get("/health", summary="The process is alive")
async def health() -> Health:
    return Health()


@router.get("/ready", summary="The store answers", responses=problem_responses(503))
def ready(ledger: LedgerDep) -> Ready:
    try:
        position = ledger.position()
    except Exception as failure:
        raise NotReady(f"the store cannot be reached ({type(failure).__name__})") from failure
    return Ready(position=position)
