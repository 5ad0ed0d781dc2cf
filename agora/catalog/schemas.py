"""API shapes of the catalog."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Schema
from pydantic import EmailStr, HttpUrl

from agora.accounts.schemas import OrganisationRef
from agora.catalog.choices import (
    DataRequestStatus,
    DatasetStatus,
    Frequency,
    Licence,
    ReuseKind,
    Theme,
)
from agora.catalog.models import DataRequest, Dataset, Discussion, Resource, ResourceVersion, Reuse
from agora.catalog.quality import Assessment, assess
from agora.core.schemas import ListParams, PagedList, Text


class DatasetListParams(ListParams):
    organisation: str | None = Field(
        None, pattern=r"^[-a-zA-Z0-9_]+$", description="The publisher's short name."
    )
    status: DatasetStatus | None = Field(
        None, description="Published by default; drafts are listed for their organisation only."
    )
    theme: Theme | None = None
    keyword: Text | None = Field(None, max_length=60)
    sort: str = Field(
        "title",
        pattern="^(title|recent|used)$",
        description="title, recent (last changed first) or used (most downloads and API calls).",
    )


class VersionOut(Schema):
    number: int
    filename: str
    size: int
    sha256: str
    media_type: str
    format: str
    created: datetime
    download_url: str

    @classmethod
    def from_version(cls, request: HttpRequest, v: ResourceVersion) -> VersionOut:
        return cls(
            number=v.number,
            filename=v.filename,
            size=v.size,
            sha256=v.sha256,
            media_type=v.media_type,
            format=v.format,
            created=v.created,
            download_url=request.build_absolute_uri(v.get_download_url()),
        )


class ResourceOut(Schema):
    id: UUID
    title: str
    description: str
    format: str
    remote_url: str = Field(description="For a link to elsewhere; empty for a file kept here.")
    latest: VersionOut | None
    url: str

    @classmethod
    def from_resource(cls, request: HttpRequest, r: Resource) -> ResourceOut:
        versions = list(r.versions.all())
        return cls(
            id=r.pk,
            title=r.title,
            description=r.description,
            format=r.format,
            remote_url=r.remote_url,
            latest=VersionOut.from_version(request, versions[0]) if versions else None,
            url=request.build_absolute_uri(r.get_absolute_url()),
        )


class VersionList(Schema):
    items: list[VersionOut]


class QualityCheckOut(Schema):
    key: str
    label: str
    passed: bool
    hint: str = Field(description="What to do to pass the check.")


class QualityOut(Schema):
    score: int = Field(description="Out of 100.")
    checks: list[QualityCheckOut]

    @classmethod
    def from_assessment(cls, assessment: Assessment) -> QualityOut:
        return cls(
            score=assessment.score,
            checks=[
                QualityCheckOut(key=c.key, label=c.label, passed=c.passed, hint=c.hint)
                for c in assessment.checks
            ],
        )


class DatasetOut(Schema):
    slug: str
    title: str
    description: str
    organisation: OrganisationRef
    status: DatasetStatus
    licence: Licence
    licence_url: str
    themes: list[Theme]
    keywords: list[str]
    frequency: Frequency
    temporal_start: date | None
    temporal_end: date | None
    spatial: str
    contact_name: str
    contact_email: str
    issued: datetime | None
    modified: datetime | None = Field(description="When the data or metadata last changed.")
    usage: int = Field(description="Downloads and API calls, all time.")
    resources: list[ResourceOut] | None = Field(
        None, description="On a single dataset; left out of lists."
    )
    quality: QualityOut | None = Field(None, description="On a single dataset.")
    url: str
    api_url: str

    @classmethod
    def from_dataset(
        cls, request: HttpRequest, d: Dataset, resources: list[Resource] | None = None
    ) -> DatasetOut:
        return cls(
            slug=d.slug,
            title=d.title,
            description=d.description,
            organisation=OrganisationRef.of(request, d.organisation),
            status=DatasetStatus(d.status),
            licence=Licence(d.licence),
            licence_url=d.licence_url,
            themes=[Theme(t.theme) for t in d.themes.all()],
            keywords=[k.keyword for k in d.keywords.all()],
            frequency=Frequency(d.frequency),
            temporal_start=d.temporal_start,
            temporal_end=d.temporal_end,
            spatial=d.spatial,
            contact_name=d.contact_name,
            contact_email=d.contact_email,
            issued=d.issued,
            modified=d.data_modified,
            usage=d.usage_count,
            resources=(
                None
                if resources is None
                else [ResourceOut.from_resource(request, r) for r in resources]
            ),
            quality=None if resources is None else QualityOut.from_assessment(assess(d, resources)),
            url=request.build_absolute_uri(d.get_absolute_url()),
            api_url=request.build_absolute_uri(
                reverse("api:dataset_detail", kwargs={"slug": d.slug})
            ),
        )


class DatasetList(PagedList):
    items: list[DatasetOut]


class DatasetFields(Schema):
    description: Text | None = Field(None, max_length=20_000)
    licence_url: HttpUrl | None = None
    themes: list[Theme] | None = None
    keywords: list[Text] | None = Field(None, max_length=30)
    frequency: Frequency | None = None
    temporal_start: date | None = None
    temporal_end: date | None = None
    spatial: Text | None = Field(None, max_length=200)
    contact_name: Text | None = Field(None, max_length=200)
    contact_email: EmailStr | None = None


class DatasetIn(DatasetFields):
    organisation: str = Field(
        pattern=r"^[-a-zA-Z0-9_]+$", description="The publisher's short name."
    )
    title: Text = Field(min_length=1, max_length=200)
    licence: Licence
    slug: str | None = Field(
        None, pattern=r"^[-a-z0-9]+$", max_length=100, description="Made from the title if absent."
    )


class DatasetPatch(DatasetFields):
    """Only the fields sent change; null clears a field (JSON merge patch)."""

    title: Text | None = Field(None, min_length=1, max_length=200)
    licence: Licence | None = None


class ResourceLinkIn(Schema):
    title: Text = Field(min_length=1, max_length=200)
    url: HttpUrl
    format: Text = Field("", max_length=20)
    description: Text = Field("", max_length=5_000)


class DataRequestListParams(ListParams):
    organisation: str | None = Field(
        None, pattern=r"^[-a-zA-Z0-9_]+$", description="The short name of the organisation asked."
    )
    status: DataRequestStatus | None = None
    overdue: bool = Field(False, description="Only open requests past their due date.")
    sort: str = Field("recent", pattern="^(recent|supported)$", description="recent or supported.")


class DataRequestOut(Schema):
    id: int
    title: str
    description: str
    reason: str
    intended_use: str
    organisation: OrganisationRef
    author: str = Field(description="The public name of the person who asked.")
    status: DataRequestStatus
    overdue: bool
    due: date
    supporters: int
    answer: str
    planned_for: date | None
    dataset: str | None = Field(description="The API address of the dataset that answers it.")
    answered_at: datetime | None
    created: datetime
    url: str

    @classmethod
    def from_request(cls, request: HttpRequest, r: DataRequest) -> DataRequestOut:
        return cls(
            id=r.pk,
            title=r.title,
            description=r.description,
            reason=r.reason,
            intended_use=r.intended_use,
            organisation=OrganisationRef.of(request, r.organisation),
            author=r.author.display_name,
            status=DataRequestStatus(r.status),
            overdue=r.is_overdue,
            due=r.due,
            supporters=r.votes_count,
            answer=r.answer,
            planned_for=r.planned_for,
            dataset=(
                request.build_absolute_uri(
                    reverse("api:dataset_detail", kwargs={"slug": r.dataset.slug})
                )
                if r.dataset
                else None
            ),
            answered_at=r.answered_at,
            created=r.created,
            url=request.build_absolute_uri(r.get_absolute_url()),
        )


class DataRequestList(PagedList):
    items: list[DataRequestOut]


class DataRequestIn(Schema):
    organisation: str = Field(pattern=r"^[-a-zA-Z0-9_]+$", description="Who is asked.")
    title: Text = Field(min_length=1, max_length=200)
    description: Text = Field(min_length=1, max_length=5_000)
    reason: Text = Field("", max_length=5_000)
    intended_use: Text = Field("", max_length=5_000)


class DataRequestAnswerIn(Schema):
    status: str = Field(pattern="^(planned|published|refused|not_held)$")
    answer: Text = Field("", max_length=5_000)
    planned_for: date | None = None
    dataset: str | None = Field(
        None, pattern=r"^[-a-zA-Z0-9_]+$", description="For published: the dataset's short name."
    )


class SupportOut(Schema):
    supporters: int
    supported: bool


class ResponseRecordOut(Schema):
    organisation: OrganisationRef
    received: int
    due: int
    answered: int
    overdue: int
    response_rate: float | None
    median_days: float | None


class DatasetRef(Schema):
    slug: str
    title: str
    url: str


class ReuseOut(Schema):
    id: int
    title: str
    kind: ReuseKind
    url: str
    description: str
    author: str
    datasets: list[DatasetRef]
    created: datetime

    @classmethod
    def from_reuse(cls, request: HttpRequest, r: Reuse) -> ReuseOut:
        return cls(
            id=r.pk,
            title=r.title,
            kind=ReuseKind(r.kind),
            url=r.url,
            description=r.description,
            author=r.author.display_name,
            datasets=[
                DatasetRef(
                    slug=d.slug, title=d.title, url=request.build_absolute_uri(d.get_absolute_url())
                )
                for d in r.datasets.all()
            ],
            created=r.created,
        )


class ReuseList(PagedList):
    items: list[ReuseOut]


class ReuseListParams(ListParams):
    dataset: str | None = Field(None, pattern=r"^[-a-zA-Z0-9_]+$")


class ReuseIn(Schema):
    title: Text = Field(min_length=1, max_length=200)
    kind: ReuseKind
    url: HttpUrl
    description: Text = Field("", max_length=5_000)
    datasets: list[str] = Field(min_length=1, max_length=50, description="Short names.")


class MessageOut(Schema):
    author: str
    as_organisation: bool
    body: str
    created: datetime


class DiscussionOut(Schema):
    id: int
    title: str
    author: str
    closed_at: datetime | None
    messages: list[MessageOut]
    created: datetime

    @classmethod
    def from_discussion(cls, d: Discussion) -> DiscussionOut:
        return cls(
            id=d.pk,
            title=d.title,
            author=d.author.display_name,
            closed_at=d.closed_at,
            messages=[
                MessageOut(
                    author=m.author.display_name,
                    as_organisation=m.as_organisation,
                    body=m.body,
                    created=m.created,
                )
                for m in d.messages.all()
            ],
            created=d.created,
        )


class DiscussionIn(Schema):
    title: Text = Field(min_length=1, max_length=200)
    body: Text = Field(min_length=1, max_length=5_000)


class MessageIn(Schema):
    body: Text = Field(min_length=1, max_length=5_000)
    as_organisation: bool = Field(False, description="For the organisation's editors.")


class CloseIn(Schema):
    body: Text = Field("", max_length=5_000, description="A last word, in the organisation's name.")
