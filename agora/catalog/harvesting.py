"""Harvesting: importing another portal's datasets into an organisation's catalog.

A run reads the whole remote catalog first; if that fails, nothing changes here. Then each
remote dataset is created, updated or left alone (compared by a digest of what was imported,
so running twice changes nothing), each in its own transaction so one bad entry does not stop
the others; the datasets the source no longer lists are archived, not deleted, and come back
if the source lists them again. Resources are links, read and kept like any other link.
What the source says wins over local edits: the source is where the data is maintained.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agora.accounts.models import Organisation, User
from agora.catalog import permissions
from agora.catalog.choices import DatasetStatus, HarvestKind, HarvestOutcome, HarvestStatus
from agora.catalog.harvest_readers import (
    HarvestFormatError,
    RemoteDataset,
    ckan_datasets,
    dcat_datasets,
)
from agora.catalog.models import Dataset, HarvestJob, HarvestRecord, HarvestSource, Resource
from agora.catalog.services import (
    MAX_KEYWORDS,
    _clean_keywords,
    _record,
    _reindex,
    _set_terms,
    _validate_dataset,
)
from agora.catalog.tasks import check_remote_resource
from agora.core.errors import Conflict, PermissionDenied, ValidationError
from agora.core.fetch import FetchError
from agora.core.official_actions import public_text
from agora.core.slugs import unique_slug

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

READERS = {HarvestKind.CKAN: ckan_datasets, HarvestKind.DCAT: dcat_datasets}
MAX_ITEMS = 5000  # lines kept in a run's report; the counts cover everything


@transaction.atomic
def harvest_source_create(
    *, actor: User, organisation: Organisation, name: str, url: str, kind: str
) -> HarvestSource:
    if not permissions.can_create_dataset(actor, organisation):
        raise PermissionDenied(_("Only the organisation's editors can harvest into its catalog."))
    if kind not in HarvestKind.values:
        raise ValidationError({"kind": _("Choose CKAN or DCAT.")})
    if not url.lower().startswith(("https://", "http://")):
        raise ValidationError({"url": _("Give a web address (https://…).")})
    if HarvestSource.objects.filter(organisation=organisation, url=url).exists():
        raise Conflict(_("This address is already harvested for the organisation."))
    source = HarvestSource(
        organisation=organisation, name=name.strip()[:200], url=url, kind=kind, created_by=actor
    )
    if not source.name:
        raise ValidationError({"name": _("Give the source a name.")})
    source.full_clean(exclude=["organisation"], validate_constraints=False)
    source.save()
    return source


def harvest_run(source_id: int) -> HarvestJob:
    """Harvests a source once; returns the run, finished."""
    source = HarvestSource.objects.select_related("organisation").get(pk=source_id)
    job = HarvestJob.objects.create(source=source)
    try:
        remote = list(READERS[HarvestKind(source.kind)](source.url))
    except (FetchError, HarvestFormatError) as exc:
        return _finish(job, HarvestStatus.FAILED, [], str(exc))
    items: list[dict[str, str]] = []
    seen: set[str] = set()
    for entry in remote:
        if entry.remote_id in seen:
            continue
        seen.add(entry.remote_id)
        try:
            with transaction.atomic():
                outcome, dataset = _import(source, entry)
        except (ValidationError, DjangoValidationError) as exc:
            items.append(_item(entry.remote_id, entry.title, HarvestOutcome.FAILED, _why(exc)))
            continue
        items.append(_item(entry.remote_id, entry.title, outcome, dataset=dataset.slug))
    for record in source.records.filter(gone=False).exclude(remote_id__in=seen):
        with transaction.atomic():
            _withdraw(source, record)
        items.append(
            _item(
                record.remote_id,
                record.dataset.title,
                HarvestOutcome.REMOVED,
                dataset=record.dataset.slug,
            )
        )
    return _finish(job, HarvestStatus.DONE, items)


def _item(
    remote_id: str, title: str, outcome: str, detail: str = "", dataset: str = ""
) -> dict[str, str]:
    return {
        "remote_id": remote_id,
        "title": title,
        "outcome": outcome,
        "detail": detail,
        "dataset": dataset,
    }


def _why(exc: ValidationError | DjangoValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def _finish(
    job: HarvestJob, status: str, items: list[dict[str, str]], message: str = ""
) -> HarvestJob:
    job.status = status
    job.message = message
    job.finished = timezone.now()
    job.counts = dict(Counter(item["outcome"] for item in items))
    job.items = items[:MAX_ITEMS]
    job.save(update_fields=["status", "message", "finished", "counts", "items"])
    return job


def _digest(entry: RemoteDataset) -> str:
    canonical = json.dumps(asdict(entry), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _import(source: HarvestSource, entry: RemoteDataset) -> tuple[str, Dataset]:
    digest = _digest(entry)
    record = (
        HarvestRecord.objects.select_related("dataset")
        .filter(source=source, remote_id=entry.remote_id)
        .first()
    )
    now = timezone.now()
    if record is not None and record.digest == digest and not record.gone:
        HarvestRecord.objects.filter(pk=record.pk).update(last_seen=now)
        return HarvestOutcome.UNCHANGED, record.dataset
    if not entry.resources:
        raise ValidationError({"resources": _("The dataset has no file or link to import.")})
    if record is None:
        dataset = Dataset(
            organisation=source.organisation,
            slug=unique_slug(Dataset, entry.title, fallback="dataset", max_length=90),
            issued=now,
        )
    else:
        dataset = record.dataset
    keywords = _clean_keywords(list(entry.keywords[:MAX_KEYWORDS]))
    _fill(dataset, entry)
    _validate_dataset(dataset, list(entry.themes))
    dataset.status = DatasetStatus.PUBLISHED
    dataset.data_modified = entry.modified or now
    dataset.save()
    _set_terms(dataset, list(entry.themes), keywords)
    _sync_resources(dataset, entry)
    HarvestRecord.objects.update_or_create(
        source=source,
        remote_id=entry.remote_id,
        defaults={
            "dataset": dataset,
            "remote_url": entry.remote_url[:1000],
            "digest": digest,
            "gone": False,
            "last_seen": now,
        },
    )
    outcome = HarvestOutcome.CREATED if record is None else HarvestOutcome.UPDATED
    _record_harvest(
        source,
        dataset,
        "catalog.dataset.harvest",
        gettext_lazy("Dataset “%(title)s” harvested from %(source)s"),
        entry.remote_id,
        outcome=outcome,
    )
    return outcome, dataset


def _fill(dataset: Dataset, entry: RemoteDataset) -> None:
    values: dict[str, Any] = {
        "title": entry.title[:200],
        "description": entry.description,
        "licence": entry.licence,
        "licence_url": entry.licence_url[:200],
        "frequency": entry.frequency,
        "temporal_start": entry.temporal_start,
        "temporal_end": entry.temporal_end,
        "contact_name": entry.contact_name[:200],
        "contact_email": entry.contact_email[:254],
    }
    start, end = values["temporal_start"], values["temporal_end"]
    if start and end and start > end:
        values["temporal_end"] = None  # the source's mistake; keep what is certain
    for name, value in values.items():
        setattr(dataset, name, value)


def _sync_resources(dataset: Dataset, entry: RemoteDataset) -> None:
    """Links matched by address: new ones added (and read), gone ones removed."""
    existing = {r.remote_url: r for r in dataset.resources.exclude(remote_url="")}
    wanted = {r.url: r for r in entry.resources}
    for url, resource in existing.items():
        if url not in wanted:
            resource.delete()
    for position, (url, remote) in enumerate(wanted.items()):
        is_new = url not in existing
        resource = existing[url] if not is_new else Resource(dataset=dataset, remote_url=url)
        resource.title = remote.title[:200] or url[-200:]
        resource.format = remote.format
        resource.description = remote.description
        resource.position = position
        resource.full_clean(exclude=["dataset", "id"])
        resource.save()
        if is_new:
            transaction.on_commit(partial(check_remote_resource.enqueue, str(resource.pk)))


def _withdraw(source: HarvestSource, record: HarvestRecord) -> None:
    dataset = record.dataset
    record.gone = True
    record.save(update_fields=["gone"])
    if dataset.status != DatasetStatus.PUBLISHED:
        return
    dataset.status = DatasetStatus.ARCHIVED
    dataset.save(update_fields=["status", "modified"])
    _record_harvest(
        source,
        dataset,
        "catalog.dataset.archive",
        gettext_lazy("Dataset “%(title)s” archived: %(source)s no longer lists it"),
        record.remote_id,
    )


def _record_harvest(
    source: HarvestSource,
    dataset: Dataset,
    action: str,
    summary: StrPromise,
    remote_id: str,
    **data: str,
) -> None:
    """What a harvest did to a public dataset, in the ledger, in the organisation's name."""
    _record(
        None,
        dataset,
        action,
        public_text(summary, title=dataset.title, source=source.name),
        source=source.url,
        remote_id=remote_id,
        **data,
    )
    _reindex(dataset)
