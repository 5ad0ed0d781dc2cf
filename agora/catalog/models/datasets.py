"""Datasets, their resources, and each resource's immutable versions."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from agora.catalog.choices import (
    LICENCE_URLS,
    DatasetStatus,
    Frequency,
    Licence,
    Theme,
)
from agora.core.models import TimeStampedModel
from agora.core.validators import validate_single_line


class Dataset(TimeStampedModel):
    """A DCAT dataset, published by one organisation."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="datasets",
        verbose_name=_("publisher"),
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices)
    licence_url = models.URLField(_("licence address"), blank=True)
    frequency = models.CharField(
        _("update frequency"), max_length=20, choices=Frequency.choices, default=Frequency.UNKNOWN
    )
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers until"), null=True, blank=True)
    spatial = models.CharField(_("area covered"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DatasetStatus.choices,
        default=DatasetStatus.DRAFT,
        db_index=True,
    )
    # Downloads and API calls, all time: what "most used" sorts by (the days are in DatasetUsage).
    usage_count = models.PositiveBigIntegerField(default=0, db_index=True)
    issued = models.DateTimeField(_("first published"), null=True, blank=True)
    # When the metadata or the data last changed, as published (dct:modified).
    data_modified = models.DateTimeField(_("last updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(temporal_start__isnull=True)
                | models.Q(temporal_end__isnull=True)
                | models.Q(temporal_start__lte=models.F("temporal_end")),
                name="catalog_dataset_temporal_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:dataset_detail", kwargs={"slug": self.slug})

    @property
    def licence_link(self) -> str:
        """The licence's text: the address given for another licence, or the known one."""
        return self.licence_url or LICENCE_URLS.get(Licence(self.licence), "")

    @property
    def is_public(self) -> bool:
        return self.status != DatasetStatus.DRAFT


class DatasetUsage(models.Model):
    """How much a dataset was used on one day. Counters only: no address, no visitor."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    downloads = models.PositiveBigIntegerField(default=0)
    api_calls = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "day"], name="catalog_usage_day"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.day}"


class DatasetTheme(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="themes")
    theme = models.CharField(max_length=8, choices=Theme.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "theme"], name="catalog_theme_unique"),
        ]
        indexes = [models.Index(fields=["theme"])]

    def __str__(self) -> str:
        return self.theme


class DatasetKeyword(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="keywords")
    keyword = models.CharField(max_length=60)

    class Meta:
        ordering = ["keyword"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "keyword"], name="catalog_keyword_unique"),
        ]
        indexes = [models.Index(fields=["keyword"])]

    def __str__(self) -> str:
        return self.keyword


class Resource(TimeStampedModel):
    """A distribution of a dataset: a file kept here, in versions, or a link elsewhere."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    description = models.TextField(_("description"), blank=True)
    # A remote resource is a link; an uploaded one has versions.
    remote_url = models.URLField(_("address"), max_length=1000, blank=True)
    format = models.CharField(_("format"), max_length=20, blank=True)
    position = models.PositiveIntegerField(default=0)
    # The last reading of a link (catalog.remote): whether it answered, and what came back.
    checked = models.DateTimeField(_("last checked"), null=True, blank=True)
    reachable = models.BooleanField(_("reachable"), null=True, blank=True)
    check_detail = models.CharField(max_length=300, blank=True)
    # Validators of the copy last kept, for conditional requests (RFC 9110 §13.1).
    remote_etag = models.CharField(max_length=200, blank=True)
    remote_last_modified = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["position", "created"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "catalog:resource_detail", kwargs={"slug": self.dataset.slug, "resource": self.pk}
        )


def version_path(version: ResourceVersion, filename: str) -> str:
    resource = version.resource
    return (
        f"catalog/{resource.dataset_id}/{resource.pk}/{version.number}/"
        f"{get_valid_filename(filename) or 'file'}"
    )


class ResourceVersion(models.Model):
    """One upload of a resource, kept as it came and never changed."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_path, max_length=500)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    media_type = models.CharField(_("media type"), max_length=100)
    format = models.CharField(_("format"), max_length=20)
    created = models.DateTimeField(_("added"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="catalog_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("a resource version is immutable")
        super().save(*args, **kwargs)

    def get_download_url(self) -> str:
        return reverse(
            "catalog:version_download",
            kwargs={
                "slug": self.resource.dataset.slug,
                "resource": self.resource_id,
                "number": self.number,
            },
        )
