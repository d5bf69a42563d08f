"""Reads of one record with its whole history: `GET /authorities/{la_code}[/{kind}/{id}]`,
and the data-quality findings recorded about an authority's data (`.../data-quality`).

Through the read service: who may see what (a principal's own authority; inspectors anywhere;
an arbitrator only challenges referred to their body) and recording reads by outsiders.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from pydantic import BaseModel, Field

from iro_ledger.api.deps import CurrentPrincipal, ServicesDep
from iro_ledger.api.schemas import EventPublic, RecordPublic, problem_responses
from iro_ledger.application import RecordView

COLLECTIONS = {
    "cases": "case",
    "challenges": "challenge",
    "officers": "officer",
    "instructions": "instruction",
    "reports": "report",
    "concerns": "concern",
}
"""URL segment -> the ledger's kind of record."""
_REFUSALS = problem_responses(401, 403, 404, 422)

router = APIRouter(prefix="/authorities", tags=["records"])


def public(view: RecordView) -> RecordPublic:
    return RecordPublic(kind=view.kind, id=view.id, la_code=view.la_code, version=view.version,
                        state=view.state,
                        events=[EventPublic.model_validate(e) for e in view.events])


@router.get("/{la_code}", response_model=RecordPublic, responses=_REFUSALS,
            summary="An authority's own record")
def read_authority(la_code: str, services: ServicesDep,
                   principal: CurrentPrincipal) -> RecordPublic:
    with services.reads.by(principal, "api") as reader:
        return public(reader.record("authority", la_code, la_code))


class DataQualityBatchPublic(BaseModel):
    number: int = Field(description="the event's number on the authority's record")
    occurred_on: str
    recorded_at: str
    recorded_by: str
    dataset: str = Field(description="what the findings are about: ssda903, an SSDA903 return")
    findings: int
    counts: dict[str, int] = Field(description="findings by kind (docs/ssda903.md)")
    rows: list[str] = Field(description="each finding as `KIND FILE:LINE`")


class DataQualityPublic(BaseModel):
    """Findings about the authority's data: not flags, they judge nobody."""

    la_code: str
    findings: int
    batches: list[DataQualityBatchPublic]


@router.get("/{la_code}/data-quality", response_model=DataQualityPublic, responses=_REFUSALS,
            summary="Data-quality findings about an authority's data (apart from the flags)")
def read_data_quality(la_code: str, services: ServicesDep,
                      principal: CurrentPrincipal) -> DataQualityPublic:
    with services.reads.by(principal, "api") as reader:
        batches = reader.data_quality(la_code)
    return DataQualityPublic(la_code=la_code, findings=sum(b["findings"] for b in batches),
                             batches=[DataQualityBatchPublic.model_validate(b)
                                      for b in batches])


def _reader(kind: str) -> Callable[[str, str, ServicesDep, CurrentPrincipal], RecordPublic]:
    def read(la_code: str, record_id: str, services: ServicesDep,
             principal: CurrentPrincipal) -> RecordPublic:
        with services.reads.by(principal, "api") as reader:
            return public(reader.record(kind, la_code, record_id))

    return read


for _collection, _kind in COLLECTIONS.items():
    router.add_api_route(
        f"/{{la_code}}/{_collection}/{{record_id}}",
        _reader(_kind),
        methods=["GET"],
        response_model=RecordPublic,
        name=f"read_{_kind}",
        operation_id=f"read_{_kind}",
        summary=f"A {_kind} with every event recorded on it",
        responses=_REFUSALS,
    )
