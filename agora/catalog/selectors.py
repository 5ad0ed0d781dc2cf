"""Reads of the catalog, with its visibility rule: drafts only for their organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from agora.accounts.choices import Role
from agora.accounts.models import Organisation, User
from agora.accounts.permissions import Actor, is_staff
from agora.catalog.choices import DataRequestStatus, DatasetStatus
from agora.catalog.models import (
    DataRequest,
    DataRequestComment,
    DataRequestVote,
    Dataset,
    Discussion,
    HarvestJob,
    HarvestSource,
    Ingestion,
    Resource,
    ResourceVersion,
    Reuse,
    Table,
)
from agora.core.errors import BadParameter
from agora.core.pagination import Page, keyset_page

SORTS = {
    "title": ("title", "id"),
    "recent": ("-modified", "-id"),
    "used": ("-usage_count", "-id"),
}


def _visible(actor: Actor) -> QuerySet[Dataset]:
    datasets = Dataset.objects.select_related("organisation")
    if is_staff(actor):
        return datasets
    public = ~Q(status=DatasetStatus.DRAFT)
    if isinstance(actor, User) and actor.is_active and actor.roles:
        return datasets.filter(public | Q(organisation_id__in=list(actor.roles)))
    return datasets.filter(public)


def dataset_list(
    *,
    actor: Actor,
    organisation: Organisation | None = None,
    status: str | None = None,
    theme: str | None = None,
    keyword: str | None = None,
    sort: str = "title",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[Dataset]:
    """Datasets the actor may see: published ones by default, `status` to ask for others."""
    datasets = _visible(actor).prefetch_related("themes", "keywords")
    datasets = datasets.filter(status=status or DatasetStatus.PUBLISHED)
    if organisation is not None:
        datasets = datasets.filter(organisation=organisation)
    if theme:
        datasets = datasets.filter(themes__theme=theme)
    if keyword:
        datasets = datasets.filter(keywords__keyword=keyword.lower())
    return keyset_page(datasets, order=SORTS.get(sort, SORTS["title"]), cursor=cursor, limit=limit)


def dataset_get(*, actor: Actor, slug: str) -> Dataset:
    """Raises Dataset.DoesNotExist when there is none the actor may see."""
    return _visible(actor).prefetch_related("themes", "keywords").get(slug=slug)


def organisation_datasets(
    *, actor: Actor, organisation: Organisation
) -> list[tuple[Dataset, list[Resource]]]:
    """Every dataset of the organisation the actor may see (drafts for its members), with
    its resources."""
    datasets = (
        _visible(actor)
        .filter(organisation=organisation)
        .prefetch_related(
            "themes",
            "keywords",
            Prefetch("resources", queryset=_with_reading(Resource.objects.all())),
            "resources__versions",
        )
        .order_by("title", "pk")
    )
    return [(d, list(d.resources.all())) for d in datasets]


def public_dataset_get(*, actor: Actor, slug: str) -> Dataset:
    """A published or archived dataset (drafts have no reuses, discussions or RDF yet);
    raises Dataset.DoesNotExist otherwise."""
    dataset = dataset_get(actor=actor, slug=slug)
    if not dataset.is_public:
        raise Dataset.DoesNotExist
    return dataset


def dataset_count() -> int:
    return Dataset.objects.exclude(status=DatasetStatus.DRAFT).count()


def _with_reading(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    """Each resource with `reading`: the status of its newest version's reading, if any."""
    newest = Ingestion.objects.filter(version__resource=OuterRef("pk")).order_by("-version__number")
    return resources.annotate(reading=Subquery(newest.values("status")[:1]))


def resource_list(*, dataset: Dataset) -> list[Resource]:
    """The dataset's resources with their versions (newest first) and reading status; the
    dataset is visible."""
    return list(_with_reading(dataset.resources.prefetch_related("versions")))


def resource_get(*, dataset: Dataset, resource_id: UUID | str) -> Resource:
    """Raises Resource.DoesNotExist (also for an id that is not a UUID)."""
    try:
        return dataset.resources.prefetch_related("versions").get(pk=resource_id)
    except (ValueError, TypeError, ValidationError) as exc:
        raise Resource.DoesNotExist from exc


def version_get(*, resource: Resource, number: int) -> ResourceVersion:
    return resource.versions.get(number=number)


def publishable_organisations(*, actor: Actor) -> list[Organisation]:
    """Organisations the actor may create datasets for."""
    if is_staff(actor):
        return list(Organisation.objects.order_by("name"))
    if not isinstance(actor, User) or not actor.is_active:
        return []
    editing = [pk for pk, role in actor.roles.items() if role in (Role.ADMIN, Role.EDITOR)]
    return list(Organisation.objects.filter(pk__in=editing).order_by("name"))


def catalog_page(
    *, page: int, page_size: int, modified_since: datetime | None = None
) -> tuple[list[tuple[Dataset, list[Resource]]], int]:
    """A page of every public dataset with its resources, for the DCAT catalog; and the total."""
    datasets = (
        Dataset.objects.exclude(status=DatasetStatus.DRAFT)
        .select_related("organisation")
        .prefetch_related("themes", "keywords", "resources__versions")
        .order_by("pk")
    )
    if modified_since is not None:
        datasets = datasets.filter(modified__gte=modified_since)
    total = datasets.count()
    start = (page - 1) * page_size
    return [(d, list(d.resources.all())) for d in datasets[start : start + page_size]], total


# Data requests: all public -------------------------------------------------------------------

REQUEST_SORTS = {"recent": ("-created", "-id"), "supported": ("-votes_count", "-id")}


def data_request_list(
    *,
    actor: Actor,
    organisation: Organisation | None = None,
    status: str | None = None,
    overdue: bool = False,
    sort: str = "recent",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[DataRequest]:
    requests = DataRequest.objects.select_related("organisation", "author")
    if organisation is not None:
        requests = requests.filter(organisation=organisation)
    if status:
        requests = requests.filter(status=status)
    if overdue:
        requests = requests.filter(status=DataRequestStatus.OPEN, due__lt=timezone.localdate())
    order = REQUEST_SORTS.get(sort, REQUEST_SORTS["recent"])
    return keyset_page(requests, order=order, cursor=cursor, limit=limit)


def data_request_get(*, actor: Actor, pk: int) -> DataRequest:
    return DataRequest.objects.select_related(
        "organisation", "author", "dataset", "answered_by"
    ).get(pk=pk)


def data_request_comments(*, request: DataRequest) -> list[DataRequestComment]:
    return list(request.comments.select_related("author"))


def data_request_supported(*, actor: Actor, request: DataRequest) -> bool:
    return isinstance(actor, User) and request.votes.filter(user=actor).exists()


@dataclass(frozen=True)
class ResponseRecord:
    """How an organisation answers the data requests it receives.

    `due` counts the requests it had to answer by now (answered, or past their due date);
    the response rate is the share of those answered, the median the days taken to answer.
    """

    organisation: Organisation
    received: int
    due: int
    answered: int
    overdue: int
    median_days: float | None

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.due if self.due else None


def response_records() -> list[ResponseRecord]:
    today = timezone.localdate()
    by_organisation: dict[int, list[DataRequest]] = {}
    for request in DataRequest.objects.only(
        "organisation_id", "status", "due", "created", "answered_at"
    ):
        by_organisation.setdefault(request.organisation_id, []).append(request)
    organisations = Organisation.objects.in_bulk(list(by_organisation))
    records = []
    for pk, requests in by_organisation.items():
        answered = [r for r in requests if r.status != DataRequestStatus.OPEN]
        overdue = [r for r in requests if r.status == DataRequestStatus.OPEN and r.due < today]
        days = [(r.answered_at.date() - r.created.date()).days for r in answered if r.answered_at]
        records.append(
            ResponseRecord(
                organisation=organisations[pk],
                received=len(requests),
                due=len(answered) + len(overdue),
                answered=len(answered),
                overdue=len(overdue),
                median_days=median(days) if days else None,
            )
        )
    return sorted(records, key=lambda r: r.organisation.name)


def user_personal_data(user: User) -> dict[str, Any]:
    """What a person did on the data requests board, for "download my data"."""
    return {
        "data_requests": [
            {
                "id": r.pk,
                "title": r.title,
                "description": r.description,
                "reason": r.reason,
                "intended_use": r.intended_use,
                "organisation": r.organisation.slug,
                "created": r.created.isoformat(),
            }
            for r in DataRequest.objects.filter(author=user).select_related("organisation")
        ],
        "data_request_comments": [
            {"request": c.request_id, "body": c.body, "created": c.created.isoformat()}
            for c in DataRequestComment.objects.filter(author=user)
        ],
        "data_requests_supported": list(
            DataRequestVote.objects.filter(user=user).values_list("request_id", flat=True)
        ),
    }


# Reuses and discussions (public, about public datasets) ---------------------------------------


def reuse_list(
    *,
    actor: Actor,
    dataset: Dataset | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[Reuse]:
    reuses = Reuse.objects.select_related("author").prefetch_related("datasets")
    if dataset is not None:
        reuses = reuses.filter(datasets=dataset)
    return keyset_page(reuses, order=("-created", "-id"), cursor=cursor, limit=limit)


def reuse_get(*, actor: Actor, pk: int) -> Reuse:
    return Reuse.objects.select_related("author").prefetch_related("datasets").get(pk=pk)


def public_datasets_choices() -> QuerySet[Dataset]:
    return Dataset.objects.exclude(status=DatasetStatus.DRAFT).order_by("title")


def discussion_list(*, dataset: Dataset) -> list[Discussion]:
    return list(dataset.discussions.select_related("author").prefetch_related("messages__author"))


def discussion_get(*, dataset: Dataset, pk: int) -> Discussion:
    return (
        dataset.discussions.select_related("author", "closed_by", "dataset__organisation")
        .prefetch_related("messages__author")
        .get(pk=pk)
    )


# Tables ---------------------------------------------------------------------------------------

MAX_SHEETS = 1000  # tables of one version looked at when choosing one by name


def _pick(tables: list[Table], name: str | None) -> Table:
    if not tables:
        raise Table.DoesNotExist
    if not name:
        return tables[0]
    for table in tables:
        if table.name == name:
            return table
    raise BadParameter(
        "table",
        gettext("There is no table “%(name)s” in this resource.") % {"name": name},
        [t.name for t in tables],
    )


def data_table(
    *,
    actor: Actor,
    slug: str,
    resource_id: UUID | str,
    number: int | None = None,
    name: str | None = None,
    as_of: datetime | None = None,
) -> Table:
    """The table the data API answers from, in one query: of version `number`, or of the
    version live (at `as_of`); raises Table.DoesNotExist when the actor may not see it."""
    tables = Table.objects.select_related("version__resource__dataset__organisation").filter(
        version__resource__dataset__in=_visible(actor).filter(slug=slug),
        version__resource_id=resource_id,
    )
    if number is not None:
        tables = tables.filter(version__number=number)
    elif as_of is not None:
        tables = tables.filter(version__created__lte=as_of)
    try:
        found = list(tables.order_by("-version__number", "position")[:MAX_SHEETS])
    except (ValueError, ValidationError) as exc:  # a resource id that is not a UUID
        raise Table.DoesNotExist from exc
    if not found:
        raise Table.DoesNotExist
    newest = found[0].version_id
    return _pick([t for t in found if t.version_id == newest], name)


def live_table(
    *, resource: Resource, name: str | None = None, as_of: datetime | None = None
) -> Table:
    """The table of the newest version that was read successfully (at `as_of`, if given);
    a version still being read, or rejected, leaves the previous one live."""
    versions = resource.versions.filter(tables__isnull=False)
    if as_of is not None:
        versions = versions.filter(created__lte=as_of)
    version = versions.order_by("-number").first()
    if version is None:
        raise Table.DoesNotExist
    return _pick(list(version.tables.all()), name)


def version_table(*, version: ResourceVersion, name: str | None = None) -> Table:
    return _pick(list(version.tables.all()), name)


def version_tables(*, version: ResourceVersion) -> list[Table]:
    return list(version.tables.all())


def live_tables(*, resource: Resource) -> list[Table]:
    try:
        return version_tables(version=live_table(resource=resource).version)
    except Table.DoesNotExist:
        return []


def latest_ingestion(*, resource: Resource) -> Ingestion | None:
    """The reading of the newest version, which may still be running or may have failed."""
    return Ingestion.objects.filter(version__resource=resource).order_by("-version__number").first()


def ingestion_of(version: ResourceVersion) -> Ingestion | None:
    try:
        return version.ingestion
    except Ingestion.DoesNotExist:
        return None


def remote_resource_ids() -> list[str]:
    """Links of datasets that are not archived, oldest checked first."""
    return [
        str(pk)
        for pk in Resource.objects.exclude(remote_url="")
        .exclude(dataset__status=DatasetStatus.ARCHIVED)
        .order_by(F("checked").asc(nulls_first=True))
        .values_list("pk", flat=True)
    ]


def active_harvest_source_ids() -> list[int]:
    return list(HarvestSource.objects.filter(active=True).values_list("pk", flat=True))


def harvest_sources(*, organisation: Organisation) -> list[HarvestSource]:
    """The organisation's sources, each with `last_job` (its latest run, or None)."""
    sources = list(HarvestSource.objects.filter(organisation=organisation))
    latest: dict[int, HarvestJob] = {}
    for job in HarvestJob.objects.filter(source__in=sources).order_by("source_id", "-started"):
        latest.setdefault(job.source_id, job)
    for source in sources:
        source.last_job = latest.get(source.pk)  # type: ignore[attr-defined]
    return sources


def harvest_source_get(*, organisation: Organisation, pk: int) -> HarvestSource:
    return HarvestSource.objects.get(organisation=organisation, pk=pk)


def harvest_jobs(*, source: HarvestSource, limit: int = 30) -> list[HarvestJob]:
    return list(source.jobs.all()[:limit])
