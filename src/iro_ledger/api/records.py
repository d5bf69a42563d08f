"""Reads of one record with its whole history: `GET /authorities/{la_code}[/{kind}/{id}]`,
and the data-quality findings recorded about an authority's data (`.../data-quality`).

Through the read service: who may see what (a principal's own authority; inspectors anywhere;
an arbitrator only challenges referred to their body) and recording reads by outsiders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from iro_ledger.api.deps import CurrentPrincipal, ServicesDep
from iro_ledger.api.params import MinPosition, Offset
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


class DataQualityRowPublic(BaseModel):
    dataset: str
    number: int = Field(description="the finding's number within its dataset, in recording "
                                    "order")
    kind: str
    row: str = Field(description="the finding as `KIND FILE:LINE`")
    recorded_on: str
    event: dict[str, Any] = Field(description="the event that recorded it")


class DataQualityFindingsPublic(BaseModel):
    """The measure `data_quality_findings` and a page of its rows: not flags."""

    la_code: str
    findings: int = Field(description="every finding recorded about the authority's data")
    by_dataset: dict[str, dict[str, int]] = Field(description="findings by dataset and kind")
    total: int = Field(description="rows matching the filter")
    offset: int
    limit: int
    rows: list[DataQualityRowPublic]
    position: int


@router.get("/{la_code}/data-quality/findings", response_model=DataQualityFindingsPublic,
            responses=_REFUSALS,
            summary="Data-quality findings by dataset and kind, and their rows a page at a time "
                    "(apart from the flags)")
def read_data_quality_findings(
        la_code: str, services: ServicesDep, principal: CurrentPrincipal,
        dataset: Annotated[Literal["ssda903"] | None, Query(
            description="only this dataset's findings")] = None,
        kind: Annotated[str | None, Query(pattern=r"^[a-z_]{1,40}$",
                                          description="only findings of this kind")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Offset = 0,
        min_position: MinPosition = None) -> DataQualityFindingsPublic:
    with services.reads.by(principal, "api") as reader:
        found = reader.data_quality_findings(la_code, dataset, kind, limit, offset,
                                             min_position)
    return DataQualityFindingsPublic(
        la_code=found.la_code, findings=found.findings, by_dataset=found.by_dataset,
        total=found.total, offset=found.offset, limit=found.limit,
        rows=[DataQualityRowPublic.model_validate(r) for r in found.rows],
        position=found.position)


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
