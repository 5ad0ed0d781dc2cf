"""Reads of the catalog, with its visibility rule: drafts only for their organisation."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from agora.accounts.choices import Role
from agora.accounts.models import Organisation, User
from agora.accounts.permissions import Actor, is_staff
from agora.catalog.choices import DatasetStatus
from agora.catalog.models import Dataset, Resource, ResourceVersion
from agora.core.pagination import Page, keyset_page

SORTS = {"title": ("title", "id"), "recent": ("-modified", "-id")}


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


def dataset_count() -> int:
    return Dataset.objects.exclude(status=DatasetStatus.DRAFT).count()


def resource_list(*, dataset: Dataset) -> list[Resource]:
    """The dataset's resources with their versions (newest first); the dataset is visible."""
    return list(dataset.resources.prefetch_related("versions"))


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
