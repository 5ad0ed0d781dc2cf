"""Counting how much datasets are used: downloads and API calls, per day, without storing
who asked (no IP address, no account, no cookie)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from agora.catalog.models import Dataset, DatasetUsage

Kind = Literal["downloads", "api_calls"]


def usage_count(*, dataset: Dataset, kind: Kind) -> None:
    """Adds one use of `dataset` today. Public datasets only: drafts are not counted."""
    if not dataset.is_public:
        return
    today = timezone.localdate()
    with transaction.atomic():
        if not DatasetUsage.objects.filter(dataset=dataset, day=today).update(
            **{kind: F(kind) + 1}
        ):
            try:
                with transaction.atomic():
                    DatasetUsage.objects.create(dataset=dataset, day=today, **{kind: 1})
            except IntegrityError:  # another request created today's row first
                DatasetUsage.objects.filter(dataset=dataset, day=today).update(
                    **{kind: F(kind) + 1}
                )
        Dataset.objects.filter(pk=dataset.pk).update(usage_count=F("usage_count") + 1)


def usage_summary(*, dataset: Dataset, days: int = 30) -> dict[str, int]:
    """Downloads and API calls, all time and over the last `days` days."""
    since = timezone.localdate() - timedelta(days=days - 1)
    rows = DatasetUsage.objects.filter(dataset=dataset)
    total = rows.aggregate(downloads=Sum("downloads"), api_calls=Sum("api_calls"))
    recent = rows.filter(day__gte=since).aggregate(
        downloads=Sum("downloads"), api_calls=Sum("api_calls")
    )
    return {
        "downloads": total["downloads"] or 0,
        "api_calls": total["api_calls"] or 0,
        "recent_downloads": recent["downloads"] or 0,
        "recent_api_calls": recent["api_calls"] or 0,
        "days": days,
    }
