"""Reads of the core's own tables: background task outcomes and periodic schedules.

Only staff see these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.tasks import TaskResultStatus
from django.utils import timezone

from agora.core.models import ScheduledRun, TaskRun
from agora.core.permissions import is_staff
from agora.core.scheduling import Schedule, schedules


@dataclass(frozen=True)
class ScheduleStatus:
    schedule: Schedule
    last_tick: datetime | None
    last_run: TaskRun | None
    next_tick: datetime
    due: bool  # a tick has passed that no worker has claimed yet


def _require_staff(actor: Any) -> None:
    if not is_staff(actor):
        raise PermissionDenied


def task_runs(*, actor: Any, status: str | None = None, limit: int = 100) -> QuerySet[TaskRun]:
    """The latest task runs, newest first; an unknown status filters nothing out."""
    _require_staff(actor)
    runs = TaskRun.objects.all()
    if status in TaskResultStatus.values:
        runs = runs.filter(status=status)
    return runs[:limit]


def schedule_overview(*, actor: Any, now: datetime | None = None) -> list[ScheduleStatus]:
    _require_staff(actor)
    now = now or timezone.now()
    result = []
    for schedule in schedules():
        last = ScheduledRun.objects.filter(name=schedule.name).first()
        run = None
        if last is not None and last.task_id:
            run = TaskRun.objects.filter(task_id=last.task_id).first()
        latest = schedule.latest_tick(now)
        due = last is None or last.tick_at < latest
        result.append(
            ScheduleStatus(
                schedule=schedule,
                last_tick=last.tick_at if last else None,
                last_run=run,
                # A missed tick runs at the next scheduler pass, not at the one after it.
                next_tick=latest if due else schedule.next_tick_after(latest),
                due=due,
            )
        )
    return result
