"""Reads of the core's own tables: background task outcomes and periodic schedules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from agora.core.models import ScheduledRun, TaskRun
from agora.core.scheduling import Schedule, schedules


@dataclass(frozen=True)
class ScheduleStatus:
    schedule: Schedule
    last_tick: datetime | None
    last_run: TaskRun | None
    next_tick: datetime


def task_runs(*, status: str | None = None, limit: int = 100) -> QuerySet[TaskRun]:
    runs = TaskRun.objects.all()
    if status:
        runs = runs.filter(status=status)
    return runs[:limit]


def schedule_overview() -> list[ScheduleStatus]:
    result = []
    for schedule in schedules():
        last = ScheduledRun.objects.filter(name=schedule.name).first()
        run = TaskRun.objects.filter(task_id=last.task_id).first() if last and last.task_id else None
        result.append(
            ScheduleStatus(
                schedule=schedule,
                last_tick=last.tick_at if last else None,
                last_run=run,
                next_tick=schedule.next_tick_after(last.tick_at if last else None),
            )
        )
    return result
