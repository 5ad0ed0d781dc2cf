"""Counting how much datasets are used: downloads and API calls, per day, without storing
who asked (no IP address, no account, no cookie)."""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter
from datetime import date, timedelta
from typing import Literal

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from agora.catalog.models import Dataset, DatasetUsage

Kind = Literal["downloads", "api_calls"]
logger = logging.getLogger(__name__)


_pending: Counter[tuple[int, date, Kind]] = Counter()
_lock = threading.Lock()
_last_flush = time.monotonic()


def usage_count(*, dataset: Dataset, kind: Kind) -> None:
    """Adds one use of `dataset` today. Public datasets only: drafts are not counted.

    Uses are added up in the process and written every USAGE_FLUSH_SECONDS (and when the
    process exits): one write per dataset and period instead of one per call, so that API
    calls to a popular dataset do not queue on its row. A process killed outright loses at
    most that period's counts.
    """
    global _last_flush
    if not dataset.is_public:
        return
    with _lock:
        _pending[(dataset.pk, timezone.localdate(), kind)] += 1
        due = time.monotonic() - _last_flush >= settings.USAGE_FLUSH_SECONDS
        if due:
            _last_flush = time.monotonic()
    if due:
        usage_flush()


def usage_flush() -> int:
    """Writes the uses added up in this process; returns how many were written."""
    with _lock:
        counts = dict(_pending)
        _pending.clear()
    if not counts:
        return 0
    try:
        with transaction.atomic():
            for (dataset_id, day, kind), n in sorted(counts.items()):
                _add(dataset_id, day, kind, n)
    except DatabaseError:
        with _lock:  # kept for the next flush
            _pending.update(counts)
        logger.exception("Usage counts could not be written; they are kept for the next try")
        return 0
    return sum(counts.values())


def _add(dataset_id: int, day: date, kind: Kind, n: int) -> None:
    if not Dataset.objects.filter(pk=dataset_id).update(usage_count=F("usage_count") + n):
        return  # deleted meanwhile
    if not DatasetUsage.objects.filter(dataset_id=dataset_id, day=day).update(
        **{kind: F(kind) + n}
    ):
        try:
            with transaction.atomic():
                DatasetUsage.objects.create(dataset_id=dataset_id, day=day, **{kind: n})
        except IntegrityError:  # another process created the day's row first
            DatasetUsage.objects.filter(dataset_id=dataset_id, day=day).update(
                **{kind: F(kind) + n}
            )


def _flush_at_exit() -> None:
    try:
        usage_flush()
    except Exception:
        logger.warning("Usage counts lost at exit")


atexit.register(_flush_at_exit)


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
