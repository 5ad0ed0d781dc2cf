"""Harvesting: other portals whose datasets the catalog imports, each run, and what it did."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.catalog.choices import HarvestKind, HarvestStatus
from agora.catalog.models.datasets import Dataset
from agora.core.validators import validate_single_line


class HarvestSource(models.Model):
    """A portal harvested into an organisation's catalog, daily and on demand."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="harvest_sources"
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    url = models.URLField(_("address"), max_length=1000)
    kind = models.CharField(_("kind"), max_length=10, choices=HarvestKind.choices)
    active = models.BooleanField(_("harvested daily"), default=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("harvest source")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "url"], name="catalog_harvest_url"),
        ]

    def __str__(self) -> str:
        return self.name


class HarvestJob(models.Model):
    """One run of a source: its counts, and one line per remote dataset in `items`."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(
        _("status"), max_length=10, choices=HarvestStatus.choices, default=HarvestStatus.RUNNING
    )
    started = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)
    # {outcome: count} and [{remote_id, title, outcome, detail, dataset}] (slug or "").
    counts = models.JSONField(default=dict)
    items = models.JSONField(default=list)

    class Meta:
        verbose_name = _("harvest")
        ordering = ["-started", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} {self.started:%Y-%m-%d %H:%M}"


class HarvestRecord(models.Model):
    """Which local dataset a remote one became, and the digest of what was last imported."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="records")
    remote_id = models.CharField(max_length=500)
    remote_url = models.URLField(max_length=1000, blank=True)
    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="harvest")
    digest = models.CharField(max_length=64)
    gone = models.BooleanField(default=False)
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "remote_id"], name="catalog_harvest_record_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.remote_id}"
