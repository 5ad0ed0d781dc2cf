"""Writes to the catalog: datasets, their resources and the resources' versions.

What happens to a public dataset is an official act of its organisation and goes to the public
ledger; drafts are the organisation's own business until published.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agora.accounts.models import Organisation, User
from agora.catalog import permissions
from agora.catalog.choices import (
    ANSWERS,
    DATA_REQUEST_DELAY,
    DataRequestStatus,
    DatasetStatus,
    Frequency,
    Licence,
    Theme,
)
from agora.catalog.formats import file_format
from agora.catalog.ingestion import ingestion_queue
from agora.catalog.models import (
    DataRequest,
    DataRequestComment,
    DataRequestVote,
    Dataset,
    DatasetKeyword,
    DatasetTheme,
    Resource,
    ResourceVersion,
)
from agora.catalog.search import DatasetSearch, data_request_document, dataset_document
from agora.catalog.tasks import check_remote_resource
from agora.core.errors import Conflict, PermissionDenied, ValidationError
from agora.core.official_actions import public_text
from agora.core.search import search_index, search_remove
from agora.core.slugs import unique_slug
from agora.core.text_input import clean_text
from agora.core.uploads import KINDS, UploadRejected, validate_upload
from agora.ledger.services import ledger_record

# What a resource may be: any kind of file the platform recognises by its content.
RESOURCE_KINDS = set(KINDS)
DATASET_FIELDS = (
    "title",
    "description",
    "licence",
    "licence_url",
    "frequency",
    "temporal_start",
    "temporal_end",
    "spatial",
    "contact_name",
    "contact_email",
)
MAX_KEYWORDS = 30


def _record(actor: User | None, dataset: Dataset, action: str, summary: str, **data: Any) -> None:
    ledger_record(
        actor=actor,
        organisation=dataset.organisation,
        action=action,
        subject=dataset,
        summary=summary,
        data={"dataset": dataset.slug, **data},
    )


def _reindex(dataset: Dataset) -> None:
    if dataset.is_public:
        search_index(dataset_document(dataset))
    else:
        search_remove(kind=DatasetSearch.kind, key=str(dataset.pk))


def _clean_keywords(keywords: list[str]) -> list[str]:
    cleaned: list[str] = []
    for keyword in keywords:
        word = " ".join(keyword.split()).lower()[:60]
        if word and word not in cleaned:
            cleaned.append(word)
    if len(cleaned) > MAX_KEYWORDS:
        raise ValidationError(
            {"keywords": _("Give at most %(count)d keywords.") % {"count": MAX_KEYWORDS}}
        )
    return cleaned


def _validate_dataset(dataset: Dataset, themes: list[str]) -> None:
    if not dataset.title.strip():
        raise ValidationError({"title": _("Give the dataset a title.")})
    if dataset.licence == Licence.OTHER and not dataset.licence_url:
        raise ValidationError(
            {"licence_url": _("Give the address of the licence's text when it is another one.")}
        )
    start, end = dataset.temporal_start, dataset.temporal_end
    if isinstance(start, date) and isinstance(end, date) and start > end:
        raise ValidationError({"temporal_end": _("The period cannot end before it starts.")})
    unknown = sorted(set(themes) - set(Theme.values))
    if unknown:
        raise ValidationError(
            {"themes": _("Unknown themes: %(themes)s.") % {"themes": ", ".join(unknown)}}
        )
    dataset.full_clean(exclude=["slug", "organisation"], validate_constraints=False)


def _set_terms(dataset: Dataset, themes: list[str] | None, keywords: list[str] | None) -> None:
    if themes is not None:
        dataset.themes.all().delete()
        DatasetTheme.objects.bulk_create(
            DatasetTheme(dataset=dataset, theme=t) for t in sorted(set(themes))
        )
    if keywords is not None:
        dataset.keywords.all().delete()
        DatasetKeyword.objects.bulk_create(
            DatasetKeyword(dataset=dataset, keyword=k) for k in keywords
        )


@transaction.atomic
def dataset_create(
    *,
    actor: User,
    organisation: Organisation,
    title: str,
    licence: str,
    slug: str = "",
    themes: list[str] | None = None,
    keywords: list[str] | None = None,
    **fields: Any,
) -> Dataset:
    """Creates a draft dataset for an organisation the actor publishes for."""
    if not permissions.can_create_dataset(actor, organisation):
        raise PermissionDenied(_("Only the organisation's editors can publish datasets for it."))
    if slug and Dataset.objects.filter(slug=slug).exists():
        raise Conflict(_("The short name “%(slug)s” is already taken.") % {"slug": slug})
    dataset = Dataset(
        organisation=organisation,
        title=title.strip(),
        licence=licence,
        slug=slug or unique_slug(Dataset, title, fallback="dataset", max_length=90),
        frequency=fields.pop("frequency", None) or Frequency.UNKNOWN,
    )
    for field, value in fields.items():
        if field not in DATASET_FIELDS:
            raise TypeError(f"unknown dataset field {field!r}")
        setattr(dataset, field, value)
    themes = list(themes or [])
    keywords = _clean_keywords(keywords or [])
    _validate_dataset(dataset, themes)
    dataset.save()
    _set_terms(dataset, themes, keywords)
    return dataset


@transaction.atomic
def dataset_update(
    *,
    actor: User,
    dataset: Dataset,
    themes: list[str] | None = None,
    keywords: list[str] | None = None,
    **fields: Any,
) -> Dataset:
    """Changes a dataset's metadata; only the fields given (None: themes, keywords kept)."""
    if not permissions.can_edit_dataset(actor, dataset):
        raise PermissionDenied(_("Only the organisation's editors can change its datasets."))
    changed = []
    for field, value in fields.items():
        if field not in DATASET_FIELDS:
            raise TypeError(f"unknown dataset field {field!r}")
        if getattr(dataset, field) != value:
            setattr(dataset, field, value)
            changed.append(field)
    if keywords is not None:
        keywords = _clean_keywords(keywords)
        if keywords != [k.keyword for k in dataset.keywords.all()]:
            changed.append("keywords")
        else:
            keywords = None
    if themes is not None:
        if sorted(set(themes)) != sorted(t.theme for t in dataset.themes.all()):
            changed.append("themes")
        else:
            themes = None
    _validate_dataset(dataset, themes or [])
    if not changed:
        return dataset
    if dataset.is_public:
        dataset.data_modified = timezone.now()
    dataset.save()
    _set_terms(dataset, themes, keywords)
    if dataset.is_public:
        _record(
            actor,
            dataset,
            "catalog.dataset.update",
            public_text(gettext_lazy("Dataset “%(title)s” updated"), title=dataset.title),
            fields=changed,
        )
    _reindex(dataset)
    return dataset


@transaction.atomic
def dataset_publish(*, actor: User, dataset: Dataset) -> Dataset:
    """Makes a draft (or an archived dataset) public."""
    if not permissions.can_edit_dataset(actor, dataset):
        raise PermissionDenied(_("Only the organisation's editors can publish its datasets."))
    if dataset.status == DatasetStatus.PUBLISHED:
        raise Conflict(_("This dataset is already published."))
    if not dataset.resources.exists():
        raise ValidationError(_("Add at least one resource before publishing the dataset."))
    now = timezone.now()
    dataset.status = DatasetStatus.PUBLISHED
    dataset.issued = dataset.issued or now
    dataset.data_modified = now
    dataset.save(update_fields=["status", "issued", "data_modified", "modified"])
    _record(
        actor,
        dataset,
        "catalog.dataset.publish",
        public_text(gettext_lazy("Dataset “%(title)s” published"), title=dataset.title),
        title=dataset.title,
        licence=dataset.licence,
        resources=[str(r.pk) for r in dataset.resources.all()],
    )
    _reindex(dataset)
    return dataset


@transaction.atomic
def dataset_archive(*, actor: User, dataset: Dataset) -> Dataset:
    """Archives a published dataset: it stays public, marked as no longer maintained."""
    if not permissions.can_edit_dataset(actor, dataset):
        raise PermissionDenied(_("Only the organisation's editors can archive its datasets."))
    if dataset.status != DatasetStatus.PUBLISHED:
        raise Conflict(_("Only a published dataset can be archived."))
    dataset.status = DatasetStatus.ARCHIVED
    dataset.save(update_fields=["status", "modified"])
    _record(
        actor,
        dataset,
        "catalog.dataset.archive",
        public_text(gettext_lazy("Dataset “%(title)s” archived"), title=dataset.title),
    )
    _reindex(dataset)
    return dataset


# Resources and versions -------------------------------------------------------------------


def _digest(file: UploadedFile[Any]) -> str:
    sha = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        sha.update(chunk)
    file.seek(0)
    return sha.hexdigest()


def _add_version(
    actor: User | None, resource: Resource, file: UploadedFile[Any]
) -> ResourceVersion:
    try:
        kind = validate_upload(file, kinds=RESOURCE_KINDS)
    except UploadRejected as exc:
        raise ValidationError({"file": str(exc)}) from exc
    digest = _digest(file)
    latest = resource.versions.order_by("-number").first()
    if latest is not None and latest.sha256 == digest:
        raise Conflict(
            _("This file is identical to version %(number)d: no new version was made.")
            % {"number": latest.number}
        )
    name = file.name or "file"
    fmt, media_type = file_format(kind, name)
    version = ResourceVersion(
        resource=resource,
        number=(latest.number + 1) if latest else 1,
        filename=name[-255:],
        size=file.size or 0,
        sha256=digest,
        media_type=media_type,
        format=fmt,
        created_by=actor,
    )
    version.file.save(name, file, save=False)
    try:
        version.save(force_insert=True)
        if resource.format != fmt:
            resource.format = fmt
            resource.save(update_fields=["format", "modified"])
        ingestion_queue(version)
    except BaseException:
        _discard(version)
        raise
    return version


def _discard(version: ResourceVersion) -> None:
    """Removes the stored file of a version whose transaction is failing: no orphan is kept."""
    version.file.delete(save=False)


@transaction.atomic
def resource_upload(
    *, actor: User, dataset: Dataset, title: str, file: UploadedFile[Any], description: str = ""
) -> ResourceVersion:
    """Adds a resource made of an uploaded file; returns its first version."""
    if not permissions.can_edit_dataset(actor, dataset):
        raise PermissionDenied(_("Only the organisation's editors can add resources."))
    title = title.strip() or (file.name or "")
    if not title:
        raise ValidationError({"title": _("Give the resource a title.")})
    resource = Resource.objects.create(
        dataset=dataset,
        title=title[:200],
        description=description,
        position=dataset.resources.count(),
    )
    version = _add_version(actor, resource, file)
    try:
        _after_resource_change(actor, dataset, resource, version, "catalog.resource.add")
    except BaseException:
        _discard(version)
        raise
    return version


@transaction.atomic
def resource_version_upload(
    *, actor: User, resource: Resource, file: UploadedFile[Any]
) -> ResourceVersion:
    """Adds a new version of an uploaded resource; earlier versions stay as they were."""
    dataset = resource.dataset
    if not permissions.can_edit_dataset(actor, dataset):
        raise PermissionDenied(_("Only the organisation's editors can add versions."))
    if resource.remote_url:
        raise Conflict(_("This resource is a link to another site; it has no versions here."))
    # Serialises uploads to one resource, so that version numbers are gapless.
    Resource.objects.select_for_update().filter(pk=resource.pk).first()
    version = _add_version(actor, resource, file)
    try:
        _after_resource_change(actor, dataset, resource, version, "catalog.resource.version_add")
    except BaseException:
        _discard(version)
        raise
    return version


def _after_resource_change(
    actor: User | None, dataset: Dataset, resource: Resource, version: ResourceVersion, action: str
) -> None:
    if not dataset.is_public:
        return
    dataset.data_modified = timezone.now()
    dataset.save(update_fields=["data_modified", "modified"])
    _record(
        actor,
        dataset,
        action,
        public_text(
            gettext_lazy("“%(resource)s”, version %(number)d, added to “%(title)s”"),
            resource=resource.title,
            number=version.number,
            title=dataset.title,
        ),
        resource=str(resource.pk),
        version=version.number,
        sha256=version.sha256,
        size=version.size,
    )
    _reindex(dataset)


@transaction.atomic
def resource_link(
    *, actor: User, dataset: Dataset, title: str, url: str, format: str = "", description: str = ""
) -> Resource:
    """Adds a resource that is a link to a file or service elsewhere."""
    if not permissions.can_edit_dataset(actor, dataset):
        raise PermissionDenied(_("Only the organisation's editors can add resources."))
    resource = Resource(
        dataset=dataset,
        title=title.strip()[:200],
        remote_url=url,
        format=format.strip().upper()[:20],
        description=description,
        position=dataset.resources.count(),
    )
    if not resource.title:
        raise ValidationError({"title": _("Give the resource a title.")})
    resource.full_clean(exclude=["dataset"])
    if not url.lower().startswith(("https://", "http://")):
        raise ValidationError({"remote_url": _("Give a web address (https://…).")})
    resource.save()
    transaction.on_commit(lambda: check_remote_resource.enqueue(str(resource.pk)))
    if dataset.is_public:
        dataset.data_modified = timezone.now()
        dataset.save(update_fields=["data_modified", "modified"])
        _record(
            actor,
            dataset,
            "catalog.resource.add",
            public_text(
                gettext_lazy("Link “%(resource)s” added to “%(title)s”"),
                resource=resource.title,
                title=dataset.title,
            ),
            resource=str(resource.pk),
            url=url,
        )
        _reindex(dataset)
    return resource


# Data requests -----------------------------------------------------------------------------


@transaction.atomic
def data_request_create(
    *,
    actor: User,
    organisation: Organisation,
    title: str,
    description: str,
    reason: str = "",
    intended_use: str = "",
) -> DataRequest:
    """Asks an organisation for data; the answer is due DATA_REQUEST_DELAY later."""
    if not permissions.can_request_data(actor):
        raise PermissionDenied(_("Sign in to ask for data."))
    request = DataRequest(
        organisation=organisation,
        author=actor,
        title=clean_text(title, "title", required=True, limit=200),
        description=clean_text(description, "description", required=True),
        reason=clean_text(reason, "reason"),
        intended_use=clean_text(intended_use, "intended_use"),
        due=timezone.localdate() + DATA_REQUEST_DELAY,  # counted in local calendar days
    )
    request.full_clean(exclude=["organisation", "author"])
    request.save()
    search_index(data_request_document(request))
    return request


@transaction.atomic
def data_request_support(*, actor: User, request: DataRequest, support: bool = True) -> int:
    """Adds (or withdraws) the actor's support; returns the number of supporters."""
    if not permissions.can_support(actor, request):
        raise PermissionDenied(_("Only open or planned requests can be supported."))
    locked = DataRequest.objects.select_for_update().get(pk=request.pk)
    if support:
        DataRequestVote.objects.get_or_create(request=locked, user=actor)
    else:
        DataRequestVote.objects.filter(request=locked, user=actor).delete()
    locked.votes_count = locked.votes.count()
    locked.save(update_fields=["votes_count"])
    request.votes_count = locked.votes_count
    return locked.votes_count


@transaction.atomic
def data_request_comment(*, actor: User, request: DataRequest, body: str) -> DataRequestComment:
    if not permissions.can_request_data(actor):
        raise PermissionDenied(_("Sign in to comment."))
    return DataRequestComment.objects.create(
        request=request, author=actor, body=clean_text(body, "body", required=True)
    )


@transaction.atomic
def data_request_answer(
    *,
    actor: User,
    request: DataRequest,
    status: str,
    answer: str,
    planned_for: date | None = None,
    dataset: Dataset | None = None,
) -> DataRequest:
    """The organisation's answer: planned (with a date), published (which dataset), refused
    (why) or not held. It may answer again, e.g. once the planned data is published."""
    if not permissions.can_answer(actor, request):
        raise PermissionDenied(_("Only the organisation asked can answer this request."))
    if status not in ANSWERS:
        raise ValidationError({"status": _("Choose planned, published, refused or not held.")})
    answer = clean_text(answer, "answer", required=status != DataRequestStatus.PUBLISHED)
    if status == DataRequestStatus.PLANNED and planned_for is None:
        raise ValidationError({"planned_for": _("Say when the data will be published.")})
    if status == DataRequestStatus.PUBLISHED and (dataset is None or not dataset.is_public):
        raise ValidationError({"dataset": _("Choose the published dataset that answers it.")})
    request.status = status
    request.answer = answer
    request.planned_for = planned_for if status == DataRequestStatus.PLANNED else None
    request.dataset = dataset if status == DataRequestStatus.PUBLISHED else None
    request.answered_at = request.answered_at or timezone.now()
    request.answered_by = actor
    request.save()
    ledger_record(
        actor=actor,
        organisation=request.organisation,
        action="catalog.data_request.answer",
        subject=request,
        summary=public_text(
            gettext_lazy("Data request “%(title)s” answered: %(status)s"),
            title=request.title,
            status=DataRequestStatus(status).label,
        ),
        data={
            "request": request.pk,
            "status": status,
            "planned_for": request.planned_for.isoformat() if request.planned_for else None,
            "dataset": request.dataset.slug if request.dataset else None,
        },
    )
    search_index(data_request_document(request))
    return request
