"""Tables read from tabular versions: their reading, their files and the confirmed schema."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.catalog.choices import IngestionStatus
from agora.catalog.models.datasets import Resource, ResourceVersion


def table_path(table: Table, filename: str) -> str:
    version = table.version
    return (
        f"catalog/{version.resource.dataset_id}/{version.resource_id}/{version.number}/"
        f"tables/{filename}"
    )


class Ingestion(models.Model):
    """The reading of one version into tables, done by a background task."""

    version = models.OneToOneField(
        ResourceVersion, on_delete=models.CASCADE, related_name="ingestion"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=IngestionStatus.choices, default=IngestionStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    error_code = models.CharField(max_length=30, blank=True)
    message = models.TextField(blank=True)
    # Row-level problems when the version does not fit the confirmed schema (at most 100).
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    queued = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reading")

    def __str__(self) -> str:
        return f"{self.version}: {self.status}"

    @property
    def in_progress(self) -> bool:
        return self.status in {IngestionStatus.QUEUED, IngestionStatus.RUNNING}


class Table(models.Model):
    """One table of a version (a CSV, or one sheet of a workbook), written once."""

    version = models.ForeignKey(ResourceVersion, on_delete=models.CASCADE, related_name="tables")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=120)
    database = models.FileField(upload_to=table_path, max_length=500)
    parquet = models.FileField(upload_to=table_path, max_length=500)
    parquet_size = models.PositiveBigIntegerField(default=0)
    row_count = models.PositiveBigIntegerField(_("rows"))
    # [{name, source, type, format, profile: {nulls, distinct, min, max, top, examples}}]
    columns = models.JSONField(default=list)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="catalog_table_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.version} / {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("a table is immutable")
        super().save(*args, **kwargs)

    def column(self, name: str) -> dict[str, Any] | None:
        return next((c for c in self.columns if c["name"] == name), None)


class ConfirmedSchema(models.Model):
    """The columns of a resource's table as the publisher confirmed them; later versions must
    fit them to be published."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="schemas")
    table_name = models.CharField(max_length=120)
    # [{source, name, type}]
    columns = models.JSONField(default=list)
    confirmed = models.DateTimeField(auto_now=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("confirmed schema")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "table_name"], name="catalog_schema_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} / {self.table_name}"
