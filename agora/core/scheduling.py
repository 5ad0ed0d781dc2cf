"""Periodic tasks: declared next to the task, run by `agora worker`.

    @periodic(every=timedelta(minutes=15))
    @task
    def foi_clock_tick() -> None: ...

Each schedule has ticks: instants aligned on the interval (from the Unix epoch) or given by
a cron expression in TIME_ZONE. A worker that sees a due tick claims it by inserting
(name, tick) into a table with a unique key; only the worker whose insert succeeds enqueues
the task, so however many workers run, each tick runs once. A worker that was down runs
the latest missed tick once, not every missed one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from croniter import croniter
from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone

from agora.core.models import ScheduledRun

logger = logging.getLogger(__name__)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Schedule:
    name: str
    task: Task[Any, Any]
    every: timedelta | None = None
    cron: str | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"{self.name}: give exactly one of every= or cron=")
        if self.every is not None and self.every < timedelta(seconds=1):
            raise ValueError(f"{self.name}: the interval must be at least one second")
        if self.cron is not None and not croniter.is_valid(self.cron):
            raise ValueError(f"{self.name}: invalid cron expression {self.cron!r}")

    def latest_tick(self, now: datetime) -> datetime:
        """The last tick at or before `now`."""
        if self.every is not None:
            steps = (now - EPOCH) // self.every
            return EPOCH + steps * self.every
        # get_prev() excludes its start; starting a second later includes a tick at `now`.
        local_now = timezone.localtime(now) + timedelta(seconds=1)
        tick: datetime = croniter(self.cron, local_now).get_prev(datetime)
        return tick.astimezone(UTC)

    def next_tick_after(self, tick: datetime | None) -> datetime:
        start = tick if tick is not None else timezone.now()
        if self.every is not None:
            return self.latest_tick(start) + self.every
        following: datetime = croniter(self.cron, timezone.localtime(start)).get_next(datetime)
        return following.astimezone(UTC)

    def describe(self) -> str:
        if self.every is not None:
            return f"every {self.every}"
        return f"cron {self.cron}"


_schedules: dict[str, Schedule] = {}


def periodic(
    *, every: timedelta | None = None, cron: str | None = None, name: str | None = None
) -> Callable[[Task[Any, Any]], Task[Any, Any]]:
    """Registers a task (taking no arguments) to run on a schedule."""

    def register(task: Task[Any, Any]) -> Task[Any, Any]:
        schedule = Schedule(name=name or task.module_path, task=task, every=every, cron=cron)
        _schedules[schedule.name] = schedule
        return task

    return register


def schedules() -> list[Schedule]:
    return sorted(_schedules.values(), key=lambda s: s.name)


def run_due_schedules(*, now: datetime | None = None, worker: str = "") -> list[str]:
    """Claims and enqueues every due tick not yet claimed; returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for schedule in schedules():
        tick = schedule.latest_tick(now)
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=schedule.name, tick_at=tick, worker=worker)
                result = schedule.task.enqueue()
                run.task_id = str(result.id)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another worker claimed this tick
        logger.info("Scheduled %s for tick %s", schedule.name, tick.isoformat())
        enqueued.append(schedule.name)
    return enqueued
