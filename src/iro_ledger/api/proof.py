"""Proofs over HTTP: receipts for a record's events, checkpoints, consistency, the public key.

Receipts follow the same authority rules as reading the record (`Ledger.read`: a principal's
own authority, inspectors and admins anywhere, an arbitrator only challenges referred to their
body; outsiders' reads are recorded). The public key, the checkpoints and consistency proofs
are public: they hold only hashes and signatures, and witnesses must be able to fetch them.
Witnesses post their cosignatures back (`POST /proof/cosignatures`); anyone may, since a
cosignature is kept only if it verifies with the witness key it names, and a verifier counts
only the witnesses it trusts. Checkpoints are served with every cosignature kept.
A receipt is available as soon as its event is written: the Merkle log is caught up and a
checkpoint signed on demand. A dispute's bundle (`/proof/disputes/{la_code}/{challenge_id}/
bundle`, and `.pdf` for people) is read through the read service: an arbitrator gets it for a
dispute referred to their body, and the read is recorded.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from iro_ledger.api.deps import CurrentPrincipal, ServicesDep
from iro_ledger.api.errors import NotReady
from iro_ledger.api.params import Offset, TreeSize
from iro_ledger.api.schemas import problem_responses
from iro_ledger.domain.errors import InvariantViolation, NotRecorded
from iro_ledger.domain.limits import POSITION_MAX
from iro_ledger.exports.dispute_bundle import dispute_bundle, file_stem
from iro_ledger.exports.dispute_pdf import dispute_pdf
from iro_ledger.trust.checkpoint_store import StoredCheckpoint
from iro_ledger.trust.keys import NoSigningKey
from iro_ledger.trust.receipts import b64
from iro_ledger.trust.service import LogDamaged

PEM_MEDIA_TYPE = "application/x-pem-file"
router = APIRouter(prefix="/proof", tags=["proof"])


class CheckpointPublic(BaseModel):
    tree_size: int
    root: str = Field(description="base64 of the Merkle tree's root hash")
    note: str = Field(description="the C2SP signed checkpoint note: the log's signature, then "
                                  "a cosignature line for each witness that cosigned it")
    issued_at: str


class CosignaturePost(BaseModel):
    """A witness's cosignature of a checkpoint (what `iro-ledger witness` sends)."""

    tree_size: int = Field(ge=1, le=POSITION_MAX)
    witness: str = Field(max_length=400, description="the witness's vkey: "
                         "<name>+<key id>+<base64(0x04 || Ed25519 key)>")
    cosignature: str = Field(max_length=400, description="one C2SP cosignature/v1 line")


class CosignatureKept(BaseModel):
    tree_size: int
    witness: str
    new: bool = Field(description="false when this witness's cosignature was kept already")


class CheckpointsPublic(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CheckpointPublic]


class ReceiptPublic(BaseModel):
    """An `iro-ledger-receipt/1` document, checked by `iro-ledger verify-receipt`."""

    model_config = ConfigDict(extra="allow")

    format: str
    leaf: dict[str, Any] = Field(description="canonical: base64 of the leaf's bytes; index")
    event: dict[str, Any] = Field(description="a readable copy; not what is proven")
    tree_size: int
    inclusion_proof: list[str]
    checkpoint: str
    key_name: str


class ReceiptsPublic(BaseModel):
    format: str
    record: dict[str, str]
    tree_size: int
    checkpoint_issued_at: str
    receipts: list[ReceiptPublic]


class ConsistencyPublic(BaseModel):
    """The "against" object of `verify-receipt --against`."""

    format: str
    from_size: int
    to_size: int
    key_name: str
    checkpoint: str
    checkpoint_issued_at: str
    consistency_proof: list[str]


def _public(checkpoint: StoredCheckpoint) -> CheckpointPublic:
    return CheckpointPublic(tree_size=checkpoint.tree_size, root=b64(checkpoint.root),
                            note=checkpoint.note, issued_at=checkpoint.issued_at.isoformat())


@router.get("/public-key", response_class=PlainTextResponse, responses={
    200: {"content": {PEM_MEDIA_TYPE: {}}}, **problem_responses(503)},
    summary="The Ed25519 public key (PEM) that verifies this log's checkpoints")
def public_key(services: ServicesDep) -> PlainTextResponse:
    try:
        pem = services.trust.public_key_pem()
    except NoSigningKey as missing:
        raise NotReady(str(missing)) from None
    return PlainTextResponse(pem.decode(), media_type=PEM_MEDIA_TYPE)


@router.get("/checkpoints/latest", response_model=CheckpointPublic,
            responses=problem_responses(404), summary="The latest signed checkpoint")
def latest_checkpoint(services: ServicesDep) -> CheckpointPublic:
    found = services.trust.latest()
    if found is None:
        raise NotRecorded("no checkpoint has been issued yet")
    return _public(found)


@router.get("/checkpoints", response_model=CheckpointsPublic, responses=problem_responses(422),
            summary="Every signed checkpoint, in the order issued")
def list_checkpoints(services: ServicesDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                     offset: Offset = 0) -> CheckpointsPublic:
    total, found = services.trust.checkpoints(limit, offset)
    return CheckpointsPublic(total=total, limit=limit, offset=offset,
                             items=[_public(c) for c in found])


@router.post("/cosignatures", response_model=CosignatureKept, status_code=201,
             responses=problem_responses(404, 422),
             summary="Keep a witness's cosignature of a checkpoint (it must verify)")
def add_cosignature(services: ServicesDep, body: CosignaturePost,
                    response: Response) -> CosignatureKept:
    new = services.trust.add_cosignature(body.tree_size, body.witness, body.cosignature)
    if not new:
        response.status_code = 200
    return CosignatureKept(tree_size=body.tree_size, witness=body.witness, new=new)


@router.get("/consistency", response_model=ConsistencyPublic,
            responses=problem_responses(404, 422, 503),
            summary="Proof that a later checkpoint extends an earlier tree size")
def consistency(services: ServicesDep, from_size: TreeSize,
                to_size: Annotated[int | None, Query(ge=1, le=POSITION_MAX,
                                                     description="a checkpoint's tree "
                                                     "size (default: the latest)")] = None
                ) -> Any:
    try:
        return services.trust.consistency(from_size, to_size)
    except LogDamaged as behind:
        raise NotReady(str(behind)) from None


@router.get("/receipts", response_model=ReceiptsPublic,
            responses=problem_responses(401, 403, 404, 409, 422, 503),
            summary="Receipts for every event of a record, proven into one signed checkpoint")
def record_receipts(
    services: ServicesDep, principal: CurrentPrincipal, la_code: str,
    kind: Annotated[str, Query(pattern="^(case|challenge|instruction|report|officer|authority)$")],
    id: str,
) -> Any:
    try:
        return services.trust.receipts(kind, la_code, id, principal)
    except NoSigningKey as missing:
        raise NotReady(str(missing)) from None
    except LogDamaged as damaged:
        raise InvariantViolation(str(damaged)) from None


class DisputeBundlePublic(BaseModel):
    """An `iro-ledger-dispute-bundle/1` document, checked by `iro-ledger verify-receipt`."""

    model_config = ConfigDict(extra="allow")

    format: str
    content: dict[str, Any] = Field(description="the dispute's account, an annex of its events, "
                                    "their receipts and the consistency proof to the latest "
                                    "checkpoint")
    seal: str = Field(description="the log's signed note over the content's SHA-256 digest")


def _bundle(services: ServicesDep, principal: CurrentPrincipal, la_code: str,
            challenge_id: str) -> dict[str, Any]:
    try:
        with services.reads.by(principal, "api") as reader:
            return dispute_bundle(reader, la_code, challenge_id)
    except NoSigningKey as missing:
        raise NotReady(str(missing)) from None
    except LogDamaged as damaged:
        raise InvariantViolation(str(damaged)) from None


@router.get("/disputes/{la_code}/{challenge_id}/bundle", response_model=DisputeBundlePublic,
            responses=problem_responses(401, 403, 404, 409, 422, 503),
            summary="A dispute's bundle: the challenge and everything around it, with a "
                    "receipt for every event, sealed by the log")
def dispute_bundle_json(services: ServicesDep, principal: CurrentPrincipal, la_code: str,
                        challenge_id: str) -> Any:
    return _bundle(services, principal, la_code, challenge_id)


@router.get("/disputes/{la_code}/{challenge_id}/bundle.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}},
                       **problem_responses(401, 403, 404, 409, 422, 503)},
            summary="A dispute's bundle as a PDF to read and print")
def dispute_bundle_pdf(services: ServicesDep, principal: CurrentPrincipal, la_code: str,
                       challenge_id: str) -> Response:
    made = _bundle(services, principal, la_code, challenge_id)
    name = file_stem(la_code, challenge_id) + ".pdf"
    return Response(dispute_pdf(made), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
