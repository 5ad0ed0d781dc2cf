"""The TaskRun log: what each background task did, whichever backend ran it, for staff to see.

Fed by the `django.tasks` signals, which both the database worker and our RQ jobs send. The
enqueuer and the worker are different processes, so their signals can arrive in any order
(a quick RQ job may finish before the enqueuing transaction commits): a record never moves
back to an earlier status, and a signal only fills in what it knows.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import DatabaseError, transaction
from django.tasks import TaskResult, TaskResultStatus
from django.tasks.signals import task_enqueued, task_finished, task_started

from agora.core.models import TaskRun

logger = logging.getLogger(__name__)

PROGRESS = {
    TaskResultStatus.READY: 0,
    TaskResultStatus.RUNNING: 1,
    TaskResultStatus.SUCCESSFUL: 2,
    TaskResultStatus.FAILED: 2,
}


def task_run_record(*, task_result: TaskResult[Any, Any]) -> None:
    """Creates or brings up to date the TaskRun of `task_result`.

    A failure to write is logged, never raised: bookkeeping must not change a task's outcome.
    """
    times: dict[str, datetime | None] = {
        "enqueued_at": task_result.enqueued_at,
        "started_at": task_result.started_at,
        "finished_at": task_result.finished_at,
    }
    known = {name: value for name, value in times.items() if value is not None}
    error = task_result.errors[-1].traceback if task_result.errors else ""
    try:
        with transaction.atomic():
            run, created = TaskRun.objects.select_for_update().get_or_create(
                task_id=str(task_result.id),
                defaults={
                    "task_name": task_result.task.module_path[:200],
                    "backend": task_result.backend[:100],
                    "queue": task_result.task.queue_name[:100],
                    "status": task_result.status,
                    "error": error,
                    **known,
                },
            )
            if created:
                return
            for name, value in known.items():
                setattr(run, name, value)
            if PROGRESS[task_result.status] >= PROGRESS[TaskResultStatus(run.status)]:
                run.status = task_result.status
                run.error = error or run.error
            run.save()
    except DatabaseError:
        logger.exception("Could not record task %s (%s)", task_result.id, task_result.status)


def _on_task_signal(sender: Any, task_result: TaskResult[Any, Any], **kwargs: Any) -> None:
    task_run_record(task_result=task_result)


def connect() -> None:
    for name, signal in (
        ("enqueued", task_enqueued),
        ("started", task_started),
        ("finished", task_finished),
    ):
        signal.connect(_on_task_signal, dispatch_uid=f"agora.core.task_log.{name}")
