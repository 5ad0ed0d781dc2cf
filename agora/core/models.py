"""Shared model bases and the tables the core itself owns."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        abstract = True


class SearchEntry(models.Model):
    """One public document in the site-wide index; `terms_*` hold stemmed, unaccented words.

    The full-text index over the terms is database-specific (FTS5 on SQLite, a GIN index on
    PostgreSQL) and created by migration 0002.
    """

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    url = models.CharField(max_length=500)
    title = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    terms_title = models.TextField(blank=True)
    terms_body = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="core_searchentry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class ScheduledRun(models.Model):
    """One tick of a periodic task. The unique key is what stops two workers running it twice."""

    name = models.CharField(max_length=200)
    tick_at = models.DateTimeField()
    claimed_at = models.DateTimeField(auto_now_add=True)
    worker = models.CharField(max_length=200, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "tick_at"], name="core_scheduledrun_unique"),
        ]
        ordering = ["-tick_at"]

    def __str__(self) -> str:
        return f"{self.name} @ {self.tick_at.isoformat()}"


class TaskRun(models.Model):
    """The outcome of one background task, whichever backend ran it, for staff to see."""

    task_id = models.CharField(max_length=64, unique=True)
    task_name = models.CharField(max_length=200, db_index=True)
    backend = models.CharField(max_length=100)
    queue = models.CharField(max_length=100)
    status = models.CharField(max_length=20, db_index=True)
    enqueued_at = models.DateTimeField(null=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-enqueued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_name} {self.status}"


class RateCounter(models.Model):
    """Requests counted in one rate-limit window, when there is no Redis: each request adds
    one with a single atomic upsert (agora.core.ratelimit)."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires = models.BigIntegerField(db_index=True)  # Unix time at which the window is over

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
