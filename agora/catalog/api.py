"""API operations of the catalog: datasets, resources and their versions."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from django.http import HttpRequest
from ninja import File, Form, Path, Query, Router, Status, UploadedFile

from agora.accounts import selectors as account_selectors
from agora.accounts.apiauth import ApiAuth
from agora.accounts.models import User
from agora.accounts.schemas import OrganisationRef
from agora.catalog import community, selectors, services
from agora.catalog.models import Dataset, Resource
from agora.catalog.schemas import (
    CloseIn,
    DataRequestAnswerIn,
    DataRequestIn,
    DataRequestList,
    DataRequestListParams,
    DataRequestOut,
    DatasetIn,
    DatasetList,
    DatasetListParams,
    DatasetOut,
    DatasetPatch,
    DiscussionIn,
    DiscussionOut,
    MessageIn,
    ResourceLinkIn,
    ResourceOut,
    ResponseRecordOut,
    ReuseIn,
    ReuseList,
    ReuseListParams,
    ReuseOut,
    SupportOut,
    VersionList,
    VersionOut,
)
from agora.catalog.usage import usage_count
from agora.core.apilinks import next_link
from agora.core.schemas import ERROR_RESPONSES

router = Router(tags=["catalog"])
PUBLIC = {"x-agora-public": True}
WRITE = ApiAuth(required=True)
Slug = Annotated[
    str, Path(pattern=r"^[-a-zA-Z0-9_]+$", description="The dataset's short name, as in its URL.")
]


def actor_of(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, no-any-return]  # set by ApiAuth


def dataset_of(request: HttpRequest, slug: str) -> Dataset:
    return selectors.dataset_get(actor=request.user, slug=slug)


def resource_of(request: HttpRequest, slug: str, resource_id: UUID) -> Resource:
    return selectors.resource_get(dataset=dataset_of(request, slug), resource_id=resource_id)


def counted(dataset: Dataset) -> Dataset:
    usage_count(dataset=dataset, kind="api_calls")
    return dataset


def _detail(request: HttpRequest, dataset: Dataset) -> DatasetOut:
    # Read again: the services change the dataset's terms and resources behind the instance.
    fresh = dataset_of(request, dataset.slug)
    return DatasetOut.from_dataset(request, fresh, selectors.resource_list(dataset=fresh))


@router.get(
    "/datasets",
    response={200: DatasetList, **ERROR_RESPONSES},
    summary="List datasets",
    openapi_extra=PUBLIC,
)
def dataset_list(request: HttpRequest, params: Query[DatasetListParams]) -> DatasetList:
    """Published datasets by title (or `sort=recent`); filter by publisher, theme, keyword.
    Members of an organisation also list its drafts with `status=draft`."""
    organisation = None
    if params.organisation:
        organisation = account_selectors.organisation_get(
            actor=request.user, slug=params.organisation
        )
    page = selectors.dataset_list(
        actor=request.user,
        organisation=organisation,
        status=params.status,
        theme=params.theme,
        keyword=params.keyword,
        sort=params.sort,
        cursor=params.cursor,
        limit=params.limit,
    )
    return DatasetList(
        items=[DatasetOut.from_dataset(request, d) for d in page.items],
        next=next_link(request, page.next_cursor),
        next_cursor=page.next_cursor,
    )


@router.post(
    "/datasets",
    response={201: DatasetOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Create a dataset",
)
def dataset_create(request: HttpRequest, payload: DatasetIn) -> Status[DatasetOut]:
    """Creates a draft for an organisation you are an editor or administrator of."""
    fields = payload.model_dump(exclude_none=True)
    organisation = account_selectors.organisation_get(
        actor=request.user, slug=fields.pop("organisation")
    )
    if "licence_url" in fields:
        fields["licence_url"] = str(fields["licence_url"])
    dataset = services.dataset_create(actor=actor_of(request), organisation=organisation, **fields)
    return Status(201, _detail(request, dataset))


@router.get(
    "/datasets/{slug:slug}",
    response={200: DatasetOut, **ERROR_RESPONSES},
    summary="One dataset, with its resources",
    openapi_extra=PUBLIC,
)
def dataset_detail(request: HttpRequest, slug: Slug) -> DatasetOut:
    return _detail(request, counted(dataset_of(request, slug)))


@router.patch(
    "/datasets/{slug:slug}",
    response={200: DatasetOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Change a dataset's metadata",
)
def dataset_patch(request: HttpRequest, slug: Slug, payload: DatasetPatch) -> DatasetOut:
    """For the organisation's editors. Only the fields sent change; null clears one."""
    changes: dict[str, Any] = {}
    for field, value in payload.model_dump(exclude_unset=True).items():
        if field in ("themes", "keywords"):
            changes[field] = value or []
        elif field in ("temporal_start", "temporal_end"):
            changes[field] = value
        else:
            changes[field] = "" if value is None else str(value)
    dataset = services.dataset_update(
        actor=actor_of(request), dataset=dataset_of(request, slug), **changes
    )
    return _detail(request, dataset)


@router.post(
    "/datasets/{slug:slug}/publish",
    response={200: DatasetOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Publish a dataset",
)
def dataset_publish(request: HttpRequest, slug: Slug) -> DatasetOut:
    """Makes a draft or an archived dataset public; it needs at least one resource."""
    dataset = services.dataset_publish(actor=actor_of(request), dataset=dataset_of(request, slug))
    return _detail(request, dataset)


@router.post(
    "/datasets/{slug:slug}/archive",
    response={200: DatasetOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Archive a dataset",
)
def dataset_archive(request: HttpRequest, slug: Slug) -> DatasetOut:
    """The dataset stays public, marked as no longer maintained."""
    dataset = services.dataset_archive(actor=actor_of(request), dataset=dataset_of(request, slug))
    return _detail(request, dataset)


@router.get(
    "/datasets/{slug:slug}/resources",
    response={200: list[ResourceOut], **ERROR_RESPONSES},
    summary="A dataset's resources",
    openapi_extra=PUBLIC,
)
def resource_list(request: HttpRequest, slug: Slug) -> list[ResourceOut]:
    dataset = counted(dataset_of(request, slug))
    return [ResourceOut.from_resource(request, r) for r in selectors.resource_list(dataset=dataset)]


@router.post(
    "/datasets/{slug:slug}/resources",
    response={201: ResourceOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Upload a file as a new resource",
)
def resource_upload(
    request: HttpRequest,
    slug: Slug,
    file: File[UploadedFile],
    title: Form[str] = "",
    description: Form[str] = "",
) -> Status[ResourceOut]:
    """A multipart upload (`curl -F file=@data.csv -F title=…`), streamed to storage; the
    first version of the new resource."""
    version = services.resource_upload(
        actor=actor_of(request),
        dataset=dataset_of(request, slug),
        title=title,
        description=description,
        file=file,
    )
    return Status(201, ResourceOut.from_resource(request, version.resource))


@router.post(
    "/datasets/{slug:slug}/links",
    response={201: ResourceOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Add a link to a file or service elsewhere as a resource",
)
def resource_link(request: HttpRequest, slug: Slug, payload: ResourceLinkIn) -> Status[ResourceOut]:
    resource = services.resource_link(
        actor=actor_of(request),
        dataset=dataset_of(request, slug),
        title=payload.title,
        url=str(payload.url),
        format=payload.format,
        description=payload.description,
    )
    return Status(201, ResourceOut.from_resource(request, resource))


@router.get(
    "/datasets/{slug:slug}/resources/{uuid:resource_id}",
    response={200: ResourceOut, **ERROR_RESPONSES},
    summary="One resource",
    openapi_extra=PUBLIC,
)
def resource_detail(request: HttpRequest, slug: Slug, resource_id: UUID) -> ResourceOut:
    return ResourceOut.from_resource(request, resource_of(request, slug, resource_id))


@router.get(
    "/datasets/{slug:slug}/resources/{uuid:resource_id}/versions",
    response={200: VersionList, **ERROR_RESPONSES},
    summary="A resource's versions, newest first",
    openapi_extra=PUBLIC,
)
def version_list(request: HttpRequest, slug: Slug, resource_id: UUID) -> VersionList:
    resource = resource_of(request, slug, resource_id)
    return VersionList(items=[VersionOut.from_version(request, v) for v in resource.versions.all()])


@router.post(
    "/datasets/{slug:slug}/resources/{uuid:resource_id}/versions",
    response={201: VersionOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Upload a new version of a resource",
)
def version_upload(
    request: HttpRequest, slug: Slug, resource_id: UUID, file: File[UploadedFile]
) -> Status[VersionOut]:
    """Refused with 409 when the file is identical to the latest version."""
    version = services.resource_version_upload(
        actor=actor_of(request), resource=resource_of(request, slug, resource_id), file=file
    )
    return Status(201, VersionOut.from_version(request, version))


# Data requests --------------------------------------------------------------------------------


@router.get(
    "/data-requests",
    response={200: DataRequestList, **ERROR_RESPONSES},
    summary="List data requests",
    openapi_extra=PUBLIC,
)
def data_request_list(
    request: HttpRequest, params: Query[DataRequestListParams]
) -> DataRequestList:
    """Every request is public; newest first, or `sort=supported`."""
    organisation = None
    if params.organisation:
        organisation = account_selectors.organisation_get(
            actor=request.user, slug=params.organisation
        )
    page = selectors.data_request_list(
        actor=request.user,
        organisation=organisation,
        status=params.status,
        overdue=params.overdue,
        sort=params.sort,
        cursor=params.cursor,
        limit=params.limit,
    )
    return DataRequestList(
        items=[DataRequestOut.from_request(request, r) for r in page.items],
        next=next_link(request, page.next_cursor),
        next_cursor=page.next_cursor,
    )


@router.post(
    "/data-requests",
    response={201: DataRequestOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Ask an organisation for data",
)
def data_request_create(request: HttpRequest, payload: DataRequestIn) -> Status[DataRequestOut]:
    fields = payload.model_dump()
    organisation = account_selectors.organisation_get(
        actor=request.user, slug=fields.pop("organisation")
    )
    created = services.data_request_create(
        actor=actor_of(request), organisation=organisation, **fields
    )
    return Status(201, DataRequestOut.from_request(request, created))


@router.get(
    "/data-requests/responses",
    response={200: list[ResponseRecordOut], **ERROR_RESPONSES},
    summary="How each organisation answers data requests",
    openapi_extra=PUBLIC,
)
def response_records(request: HttpRequest) -> list[ResponseRecordOut]:
    """`due`: requests that had to be answered by today (answered, or past their due date);
    `response_rate`: the share of those answered; `median_days`: days taken to answer."""
    return [
        ResponseRecordOut(
            organisation=OrganisationRef.of(request, r.organisation),
            received=r.received,
            due=r.due,
            answered=r.answered,
            overdue=r.overdue,
            response_rate=r.response_rate,
            median_days=r.median_days,
        )
        for r in selectors.response_records()
    ]


@router.get(
    "/data-requests/{int:pk}",
    response={200: DataRequestOut, **ERROR_RESPONSES},
    summary="One data request",
    openapi_extra=PUBLIC,
)
def data_request_detail(request: HttpRequest, pk: int) -> DataRequestOut:
    return DataRequestOut.from_request(
        request, selectors.data_request_get(actor=request.user, pk=pk)
    )


def _support(request: HttpRequest, pk: int, support: bool) -> SupportOut:
    found = selectors.data_request_get(actor=request.user, pk=pk)
    count = services.data_request_support(actor=actor_of(request), request=found, support=support)
    return SupportOut(supporters=count, supported=support)


@router.post(
    "/data-requests/{int:pk}/support",
    response={200: SupportOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Support a data request",
)
def data_request_support(request: HttpRequest, pk: int) -> SupportOut:
    """Idempotent: supporting twice counts once."""
    return _support(request, pk, True)


@router.delete(
    "/data-requests/{int:pk}/support",
    response={200: SupportOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Withdraw your support",
)
def data_request_unsupport(request: HttpRequest, pk: int) -> SupportOut:
    return _support(request, pk, False)


@router.post(
    "/data-requests/{int:pk}/answer",
    response={200: DataRequestOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Answer a data request",
)
def data_request_answer(
    request: HttpRequest, pk: int, payload: DataRequestAnswerIn
) -> DataRequestOut:
    """For the editors and administrators of the organisation asked (and staff)."""
    found = selectors.data_request_get(actor=request.user, pk=pk)
    dataset = None
    if payload.dataset:
        dataset = selectors.dataset_get(actor=request.user, slug=payload.dataset)
    answered = services.data_request_answer(
        actor=actor_of(request),
        request=found,
        status=payload.status,
        answer=payload.answer,
        planned_for=payload.planned_for,
        dataset=dataset,
    )
    return DataRequestOut.from_request(request, answered)


# Reuses and discussions -----------------------------------------------------------------------


def _public(request: HttpRequest, slug: str) -> Dataset:
    return selectors.public_dataset_get(actor=request.user, slug=slug)


@router.get(
    "/reuses",
    response={200: ReuseList, **ERROR_RESPONSES},
    summary="List reuses",
    openapi_extra=PUBLIC,
)
def reuse_list(request: HttpRequest, params: Query[ReuseListParams]) -> ReuseList:
    """Newest first; `dataset` keeps the reuses of one dataset."""
    dataset = _public(request, params.dataset) if params.dataset else None
    page = selectors.reuse_list(
        actor=request.user, dataset=dataset, cursor=params.cursor, limit=params.limit
    )
    return ReuseList(
        items=[ReuseOut.from_reuse(request, r) for r in page.items],
        next=next_link(request, page.next_cursor),
        next_cursor=page.next_cursor,
    )


@router.post(
    "/reuses",
    response={201: ReuseOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Share a reuse",
)
def reuse_create(request: HttpRequest, payload: ReuseIn) -> Status[ReuseOut]:
    datasets = [_public(request, slug) for slug in dict.fromkeys(payload.datasets)]
    reuse = community.reuse_create(
        actor=actor_of(request),
        title=payload.title,
        kind=payload.kind,
        url=str(payload.url),
        description=payload.description,
        datasets=datasets,
    )
    return Status(201, ReuseOut.from_reuse(request, reuse))


@router.get(
    "/reuses/{int:pk}",
    response={200: ReuseOut, **ERROR_RESPONSES},
    summary="One reuse",
    openapi_extra=PUBLIC,
)
def reuse_detail(request: HttpRequest, pk: int) -> ReuseOut:
    return ReuseOut.from_reuse(request, selectors.reuse_get(actor=request.user, pk=pk))


@router.get(
    "/datasets/{slug:slug}/discussions",
    response={200: list[DiscussionOut], **ERROR_RESPONSES},
    summary="A dataset's discussions, newest first",
    openapi_extra=PUBLIC,
)
def discussion_list(request: HttpRequest, slug: Slug) -> list[DiscussionOut]:
    dataset = _public(request, slug)
    return [DiscussionOut.from_discussion(d) for d in selectors.discussion_list(dataset=dataset)]


@router.post(
    "/datasets/{slug:slug}/discussions",
    response={201: DiscussionOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Start a discussion about a dataset",
)
def discussion_create(
    request: HttpRequest, slug: Slug, payload: DiscussionIn
) -> Status[DiscussionOut]:
    dataset = _public(request, slug)
    discussion = community.discussion_open(
        actor=actor_of(request), dataset=dataset, title=payload.title, body=payload.body
    )
    return Status(
        201,
        DiscussionOut.from_discussion(selectors.discussion_get(dataset=dataset, pk=discussion.pk)),
    )


@router.post(
    "/datasets/{slug:slug}/discussions/{int:pk}/messages",
    response={201: DiscussionOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Reply in a discussion",
)
def discussion_reply(
    request: HttpRequest, slug: Slug, pk: int, payload: MessageIn
) -> Status[DiscussionOut]:
    """`as_organisation`: the organisation's official answer, recorded in the ledger."""
    dataset = _public(request, slug)
    discussion = selectors.discussion_get(dataset=dataset, pk=pk)
    community.discussion_reply(
        actor=actor_of(request),
        discussion=discussion,
        body=payload.body,
        as_organisation=payload.as_organisation,
    )
    return Status(
        201, DiscussionOut.from_discussion(selectors.discussion_get(dataset=dataset, pk=pk))
    )


@router.post(
    "/datasets/{slug:slug}/discussions/{int:pk}/close",
    response={200: DiscussionOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Close a discussion",
)
def discussion_close(request: HttpRequest, slug: Slug, pk: int, payload: CloseIn) -> DiscussionOut:
    """For the publishing organisation's editors; recorded in the ledger."""
    dataset = _public(request, slug)
    discussion = selectors.discussion_get(dataset=dataset, pk=pk)
    community.discussion_close(actor=actor_of(request), discussion=discussion, body=payload.body)
    return DiscussionOut.from_discussion(selectors.discussion_get(dataset=dataset, pk=pk))
