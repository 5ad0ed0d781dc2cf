"""The core's own background work: keeping the task records from growing without end."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from agora.core.models import ScheduledRun, TaskRun
from agora.core.scheduling import periodic

logger = logging.getLogger(__name__)

TASK_RECORD_RETENTION = timedelta(days=30)


@dataclass(frozen=True)
class PrunedTaskRecords:
    task_runs: int
    scheduled_runs: int
    db_task_results: int


@transaction.atomic
def task_records_prune(*, finished_before: datetime) -> PrunedTaskRecords:
    """Deletes records of tasks finished before `finished_before`, and of older ticks.

    The latest tick of each schedule is kept whatever its age: it is what stops a worker
    from claiming that tick again (a yearly schedule's only tick would otherwise run twice).
    """
    task_runs, _ = TaskRun.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=finished_before,
    ).delete()
    scheduled_runs = 0
    for latest in ScheduledRun.objects.values("name").annotate(last_tick=Max("tick_at")):
        deleted, _ = ScheduledRun.objects.filter(
            name=latest["name"], tick_at__lt=min(finished_before, latest["last_tick"])
        ).delete()
        scheduled_runs += deleted
    db_task_results, _ = (
        DBTaskResult.objects.finished().filter(finished_at__lt=finished_before).delete()
    )
    return PrunedTaskRecords(task_runs, scheduled_runs, db_task_results)


@periodic(cron="17 3 * * *")  # daily, at a quiet hour, off the round hour others pick
@task
def prune_task_records() -> dict[str, int]:
    pruned = task_records_prune(finished_before=timezone.now() - TASK_RECORD_RETENTION)
    logger.info("Pruned task records: %s", pruned)
    return asdict(pruned)
