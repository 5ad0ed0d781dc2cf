"""Periodic tasks: declared next to the task, run by `agora worker`.

    @periodic(every=timedelta(minutes=15))
    @task
    def foi_clock_tick() -> None: ...

Each schedule has ticks: instants aligned on the interval (from the Unix epoch, so in UTC) or
given by a cron expression read on the wall clock of TIME_ZONE. A worker that sees a due tick
claims it by inserting (name, tick) into a table with a unique key; only the worker whose
insert succeeds enqueues the task, so however many workers run, each tick runs once. A worker
that was down runs the latest missed tick once, not every missed one.

Daylight saving time: a cron wall-clock time ticks at the first instant the clock reads that
time or later. So a time that happens twice (clocks go back) ticks once, at its first
occurrence, and a time that never happens (clocks go forward) ticks as soon as the clocks have
jumped. A daily job therefore runs exactly once on both days of the year when clocks change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, TypeVar

from croniter import CroniterBadDateError, croniter
from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agora.core.models import ScheduledRun

logger = logging.getLogger(__name__)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)

TaskT = TypeVar("TaskT", bound="Task[Any, Any]")


def _wall(instant: datetime, zone: tzinfo) -> datetime:
    """What a clock in `zone` reads at `instant`, as a naive datetime."""
    return instant.astimezone(zone).replace(tzinfo=None)


def _first_instant_reading(wall: datetime, zone: tzinfo) -> datetime:
    """The first instant at which a clock in `zone` reads `wall` or later (see the docstring).

    zoneinfo gives the first occurrence of a repeated wall time as fold=0. A skipped wall time
    does not round-trip; the clocks jumped at some instant between its fold=1 reading (offset
    after the jump, an instant before it) and its fold=0 reading (after it): search for it.
    """
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(first, zone) == wall:
        return first
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = 0, int((first - before).total_seconds())  # reads < wall at low, >= at high
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(before + middle * SECOND, zone) >= wall:
            high = middle
        else:
            low = middle
    return before + high * SECOND


@dataclass(frozen=True)
class Schedule:
    name: str
    task: Task[Any, Any]
    every: timedelta | None = None
    cron: str | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"{self.name}: give exactly one of every= or cron=")
        if self.every is not None and self.every < SECOND:
            raise ValueError(f"{self.name}: the interval must be at least one second")
        if self.cron is not None:
            if not croniter.is_valid(self.cron):
                raise ValueError(f"{self.name}: invalid cron expression {self.cron!r}")
            try:  # a valid expression may still name no date at all ("0 0 30 2 *")
                croniter(self.cron, datetime(2000, 1, 1)).get_next(datetime)
            except CroniterBadDateError as exc:
                raise ValueError(f"{self.name}: {self.cron!r} never happens") from exc

    def latest_tick(self, now: datetime) -> datetime:
        """The last tick at or before `now`."""
        if self.every is not None:
            return EPOCH + ((now - EPOCH) // self.every) * self.every
        assert self.cron is not None
        zone = timezone.get_default_timezone()
        wall_now = _wall(now, zone).replace(microsecond=0)
        # While clocks replay an hour, later wall times of that hour ticked in its first pass.
        replayed = now - _first_instant_reading(wall_now, zone)
        # get_prev() excludes its start; starting a second later includes a tick at `now`.
        walls = croniter(self.cron, wall_now + replayed + SECOND)
        while True:
            tick = _first_instant_reading(walls.get_prev(datetime), zone)
            if tick <= now:
                return tick

    def next_tick_after(self, tick: datetime | None) -> datetime:
        """The first tick strictly after `tick` (after now when None)."""
        start = tick if tick is not None else timezone.now()
        if self.every is not None:
            return self.latest_tick(start) + self.every
        assert self.cron is not None
        zone = timezone.get_default_timezone()
        walls = croniter(self.cron, _wall(start, zone))
        while True:
            following = _first_instant_reading(walls.get_next(datetime), zone)
            if following > start:
                return following

    def describe(self) -> str:
        if self.cron is not None:
            return _("cron %(expression)s (%(zone)s)") % {
                "expression": self.cron,
                "zone": timezone.get_default_timezone_name(),
            }
        assert self.every is not None
        seconds = int(self.every.total_seconds())
        # `%` with a mapping leaves a singular without a placeholder ("every day") unchanged.
        if seconds % 86400 == 0:
            days = seconds // 86400
            return ngettext("every day", "every %(count)d days", days) % {"count": days}
        if seconds % 3600 == 0:
            hours = seconds // 3600
            return ngettext("every hour", "every %(count)d hours", hours) % {"count": hours}
        if seconds % 60 == 0:
            minutes = seconds // 60
            return ngettext("every minute", "every %(count)d minutes", minutes) % {"count": minutes}
        return ngettext("every second", "every %(count)d seconds", seconds) % {"count": seconds}


_schedules: dict[str, Schedule] = {}


def periodic(
    *, every: timedelta | None = None, cron: str | None = None, name: str | None = None
) -> Callable[[TaskT], TaskT]:
    """Registers a task (taking no arguments) to run on a schedule."""

    def register(task: TaskT) -> TaskT:
        schedule = Schedule(name=name or task.module_path, task=task, every=every, cron=cron)
        _schedules[schedule.name] = schedule
        return task

    return register


def schedules() -> list[Schedule]:
    return sorted(_schedules.values(), key=lambda s: s.name)


def run_due_schedules(*, now: datetime | None = None, worker: str = "") -> list[str]:
    """Claims and enqueues every due tick not yet claimed; returns the names enqueued.

    One failing schedule (a task backend down) is logged and left unclaimed for the next pass.
    """
    now = now or timezone.now()
    enqueued = []
    for schedule in schedules():
        try:
            tick = schedule.latest_tick(now)
            # The claim and the enqueue commit together: with the database backend a tick is
            # never claimed without its task, nor its task queued twice. With RQ the job is
            # pushed before the commit; a failed commit (rare) means the tick runs again.
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=schedule.name, tick_at=tick, worker=worker)
                result = schedule.task.enqueue()
                run.task_id = str(result.id)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another worker claimed this tick
        except Exception:
            logger.exception("Could not enqueue the due tick of %s", schedule.name)
            continue
        logger.info("Scheduled %s for tick %s", schedule.name, tick.isoformat())
        enqueued.append(schedule.name)
    return enqueued
