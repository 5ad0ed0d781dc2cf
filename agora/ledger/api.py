"""The ledger's API: everything a verifier needs, and nothing it must trust."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from agora.core.apilinks import next_link
from agora.core.problems import problem_response
from agora.core.schemas import ERROR_RESPONSES, PagedList, Problem, Text
from agora.ledger import selectors, services
from agora.ledger.keys import log_signer
from agora.ledger.models import LedgerEntry

router = Router(tags=["ledger"])
PUBLIC = {"x-agora-public": True}
TEXT_RESPONSE = {
    "responses": {
        "200": {
            "description": "OK",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    }
}


def b64(data: bytes | memoryview) -> str:
    return base64.b64encode(bytes(data)).decode()


class EntryParams(Schema):
    organisation: Text | None = Field(None, max_length=80, description="An organisation's slug.")
    action: Text | None = Field(None, max_length=100, description="A dotted action, or its prefix.")
    since: datetime | None = Field(None, description="Entries recorded at or after this time.")
    until: datetime | None = Field(None, description="Entries recorded before this time.")
    cursor: Text | None = Field(None, max_length=200)
    limit: int | None = Field(None, ge=1, le=selectors.ENTRY_PAGE_MAX, description="Up to 1000.")


class Actor(Schema):
    name: str
    role: str


class RecordedOrganisation(Schema):
    """The organisation as the entry recorded it, with its name at the time."""

    slug: str
    name: str


class Subject(Schema):
    url: str
    id: str


class EntryOut(Schema):
    index: int
    time: datetime
    action: str
    actor: Actor
    organisation: RecordedOrganisation | None
    subject: Subject
    summary: str
    data: dict[str, Any]
    corrects: int | None
    leaf: str = Field(description="The exact bytes hashed as this entry's leaf, base64.")
    leaf_hash: str = Field(description="SHA-256(0x00 || leaf), base64.")

    @classmethod
    def from_entry(cls, entry: LedgerEntry) -> EntryOut:
        return cls(
            index=entry.index,
            time=entry.recorded_at,
            action=entry.action,
            actor=Actor(name=entry.actor_name, role=entry.actor_role),
            organisation=(
                RecordedOrganisation(slug=entry.organisation.slug, name=entry.organisation_name)
                if entry.organisation is not None
                else None
            ),
            subject=Subject(url=entry.subject_url, id=entry.subject_id),
            summary=entry.summary,
            data=entry.data,
            corrects=entry.corrects_id,
            leaf=b64(entry.leaf),
            leaf_hash=b64(entry.leaf_hash),
        )


class EntryList(PagedList):
    items: list[EntryOut]


@router.get(
    "/ledger/entries",
    response={200: EntryList, **ERROR_RESPONSES},
    summary="Ledger entries",
    openapi_extra=PUBLIC,
)
def entry_list(request: HttpRequest, params: Query[EntryParams]) -> EntryList:
    """In log order. Without filters, pages cover the whole log: what a verifier downloads."""
    page = selectors.entry_list(
        actor=request.user,
        organisation=params.organisation,
        action=params.action,
        since=params.since,
        until=params.until,
        cursor=params.cursor,
        limit=params.limit,
    )
    return EntryList(
        items=[EntryOut.from_entry(e) for e in page.items],
        next=next_link(request, page.next_cursor),
        next_cursor=page.next_cursor,
    )


@router.get(
    "/ledger/entries/{index}",
    response={200: EntryOut, **ERROR_RESPONSES},
    summary="One ledger entry",
    openapi_extra=PUBLIC,
)
def entry_detail(request: HttpRequest, index: int) -> EntryOut:
    return EntryOut.from_entry(selectors.entry_get(actor=request.user, index=index))


class CheckpointParams(Schema):
    size: int | None = Field(
        None, ge=1, description="A past checkpoint's tree size; the latest by default."
    )


@router.get(
    "/ledger/checkpoint",
    response={404: Problem, 422: Problem, 429: Problem, 500: Problem},
    summary="The signed checkpoint",
    url_name="ledger_checkpoint",
    openapi_extra={**PUBLIC, **TEXT_RESPONSE},
)
def checkpoint(request: HttpRequest, params: Query[CheckpointParams]) -> HttpResponse:
    """A C2SP tlog-checkpoint signed note (text/plain), with the witnesses' cosignatures."""
    found = selectors.checkpoint_at(params.size) if params.size else selectors.checkpoint_latest()
    if found is None:
        return problem_response(request, "not-found", _("No checkpoint has been signed yet."))
    return HttpResponse(selectors.checkpoint_note(found), content_type="text/plain; charset=utf-8")


class CheckpointOut(Schema):
    size: int
    root: str
    created: datetime
    note: str


class CheckpointList(PagedList):
    items: list[CheckpointOut]


class CheckpointListParams(Schema):
    cursor: Text | None = Field(None, max_length=200)
    limit: int | None = Field(None, ge=1, le=selectors.ENTRY_PAGE_MAX)


@router.get(
    "/ledger/checkpoints",
    response={200: CheckpointList, **ERROR_RESPONSES},
    summary="Every signed checkpoint",
    openapi_extra=PUBLIC,
)
def checkpoint_list(request: HttpRequest, params: Query[CheckpointListParams]) -> CheckpointList:
    """Oldest first. A verifier checks the log against each: a rewrite is dated to the first
    checkpoint it breaks."""
    page = selectors.checkpoint_list(cursor=params.cursor, limit=params.limit)
    return CheckpointList(
        items=[
            CheckpointOut(
                size=c.size, root=b64(c.root), created=c.created, note=selectors.checkpoint_note(c)
            )
            for c in page.items
        ],
        next=next_link(request, page.next_cursor),
        next_cursor=page.next_cursor,
    )


class InclusionParams(Schema):
    index: int = Field(ge=0)
    tree_size: int = Field(ge=1)


class InclusionOut(Schema):
    index: int
    tree_size: int
    leaf_hash: str
    proof: list[str]
    root: str


@router.get(
    "/ledger/proof/inclusion",
    response={200: InclusionOut, **ERROR_RESPONSES},
    summary="Inclusion proof",
    openapi_extra=PUBLIC,
)
def inclusion(request: HttpRequest, params: Query[InclusionParams]) -> InclusionOut:
    """The RFC 9162 audit path of entry `index` in the tree of `tree_size` entries."""
    proof = selectors.inclusion_proof(index=params.index, tree_size=params.tree_size)
    return InclusionOut(
        index=proof.index,
        tree_size=proof.tree_size,
        leaf_hash=b64(proof.leaf_hash),
        proof=[b64(p) for p in proof.proof],
        root=b64(proof.root),
    )


class ConsistencyParams(Schema):
    first: int = Field(ge=1)
    second: int = Field(ge=1)


class ConsistencyOut(Schema):
    first: int
    second: int
    proof: list[str]
    first_root: str
    second_root: str


@router.get(
    "/ledger/proof/consistency",
    response={200: ConsistencyOut, **ERROR_RESPONSES},
    summary="Consistency proof",
    openapi_extra=PUBLIC,
)
def consistency(request: HttpRequest, params: Query[ConsistencyParams]) -> ConsistencyOut:
    """The RFC 9162 proof that the tree of `second` entries extends that of `first`."""
    proof = selectors.consistency_proof(first=params.first, second=params.second)
    return ConsistencyOut(
        first=proof.first,
        second=proof.second,
        proof=[b64(p) for p in proof.proof],
        first_root=b64(proof.first_root),
        second_root=b64(proof.second_root),
    )


@router.get(
    "/ledger/public-key",
    response={429: Problem, 500: Problem},
    summary="The log's verifier key",
    openapi_extra={**PUBLIC, **TEXT_RESPONSE},
)
def public_key(request: HttpRequest) -> HttpResponse:
    """In the C2SP vkey format: name+keyid+base64(0x01 || Ed25519 public key)."""
    return HttpResponse(
        log_signer().verifier().encode() + "\n", content_type="text/plain; charset=utf-8"
    )


class WitnessOut(Schema):
    name: str
    vkey: str
    organisation: RecordedOrganisation | None
    latest_size: int | None
    latest_at: datetime | None


@router.get(
    "/ledger/witnesses",
    response={200: list[WitnessOut], **ERROR_RESPONSES},
    summary="Witnesses",
    openapi_extra=PUBLIC,
)
def witnesses(request: HttpRequest) -> list[WitnessOut]:
    return [
        WitnessOut(
            name=s.witness.name,
            vkey=s.witness.vkey,
            organisation=(
                RecordedOrganisation(
                    slug=s.witness.organisation.slug, name=s.witness.organisation.name
                )
                if s.witness.organisation
                else None
            ),
            latest_size=s.latest_size,
            latest_at=s.latest_at,
        )
        for s in selectors.witnesses_overview()
    ]


class CosignatureIn(Schema):
    witness: Text = Field(max_length=200, description="The witness's key name.")
    tree_size: int = Field(ge=1, description="The size of the checkpoint cosigned.")
    cosignature: Text = Field(max_length=1000, description="The signature line: — <name> <base64>.")


class CosignatureOut(Schema):
    witness: str
    tree_size: int
    signed_at: datetime


@router.post(
    "/ledger/cosignatures",
    response={201: CosignatureOut, **ERROR_RESPONSES},
    summary="Add a witness cosignature",
    openapi_extra=PUBLIC,
)
def cosign(request: HttpRequest, payload: CosignatureIn) -> Status[CosignatureOut]:
    """A registered witness sends its c2sp.org/tlog-cosignature of a checkpoint it has
    verified. The signature itself authenticates the witness: no token is needed."""
    cosignature = services.cosignature_add(
        witness_name=payload.witness, tree_size=payload.tree_size, line=payload.cosignature
    )
    return Status(
        201,
        CosignatureOut(
            witness=cosignature.witness.name,
            tree_size=cosignature.checkpoint.size,
            signed_at=cosignature.signed_at,
        ),
    )
