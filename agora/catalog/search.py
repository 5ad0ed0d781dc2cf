"""Public datasets in the site-wide search."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from agora.catalog.choices import DatasetStatus
from agora.catalog.models import DataRequest, Dataset, Reuse
from agora.core.search import SearchDocument, register

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def dataset_document(dataset: Dataset) -> SearchDocument:
    keywords = " ".join(k.keyword for k in dataset.keywords.all())
    resources = " ".join(f"{r.title} {r.format}" for r in dataset.resources.all())
    return SearchDocument(
        kind=DatasetSearch.kind,
        key=str(dataset.pk),
        url=dataset.get_absolute_url(),
        title=dataset.title,
        summary=dataset.organisation.name,
        body=f"{dataset.description} {keywords} {dataset.spatial} {resources}",
    )


class DatasetSearch:
    kind = "dataset"
    label: StrOrPromise = _("Datasets")

    def documents(self) -> Iterable[SearchDocument]:
        public = Dataset.objects.exclude(status=DatasetStatus.DRAFT)
        for dataset in public.select_related("organisation").prefetch_related(
            "keywords", "resources"
        ):
            yield dataset_document(dataset)


register(DatasetSearch())


def data_request_document(request: DataRequest) -> SearchDocument:
    return SearchDocument(
        kind=DataRequestSearch.kind,
        key=str(request.pk),
        url=request.get_absolute_url(),
        title=request.title,
        summary=f"{request.organisation.name} · {request.get_status_display()}",
        body=f"{request.description} {request.reason} {request.intended_use} {request.answer}",
    )


class DataRequestSearch:
    kind = "data_request"
    label: StrOrPromise = _("Data requests")

    def documents(self) -> Iterable[SearchDocument]:
        for request in DataRequest.objects.select_related("organisation"):
            yield data_request_document(request)


register(DataRequestSearch())


def reuse_document(reuse: Reuse) -> SearchDocument:
    return SearchDocument(
        kind=ReuseSearch.kind,
        key=str(reuse.pk),
        url=reuse.get_absolute_url(),
        title=reuse.title,
        summary=reuse.get_kind_display(),
        body=f"{reuse.description} " + " ".join(d.title for d in reuse.datasets.all()),
    )


class ReuseSearch:
    kind = "reuse"
    label: StrOrPromise = _("Reuses")

    def documents(self) -> Iterable[SearchDocument]:
        for reuse in Reuse.objects.prefetch_related("datasets"):
            yield reuse_document(reuse)


register(ReuseSearch())
