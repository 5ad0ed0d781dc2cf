"""A `django.tasks` backend on RQ (Redis), used when REDIS_URL is set.

Our own rather than django-tasks-rq, which targets the `django_tasks` backport and not the
framework built into Django 6. Each task becomes an RQ job whose id is the task result's id;
the job runs `execute`, which sends the framework's task_started/task_finished signals like
the database worker does, so the same receivers (our TaskRun log) work with both backends.

    OPTIONS: url (required), job_timeout (seconds, default one hour),
             result_ttl (seconds a finished result is kept, default seven days)
"""

from __future__ import annotations

from datetime import datetime
from traceback import format_exception
from typing import Any

from django.tasks import Task, TaskContext, TaskResult, TaskResultStatus
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import TaskError
from django.tasks.exceptions import TaskResultDoesNotExist
from django.tasks.signals import task_enqueued, task_finished, task_started
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.json import normalize_json
from django.utils.module_loading import import_string
from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus, get_current_job
from rq.results import Result
from rq.serializers import JSONSerializer

# JSON rather than RQ's default pickle: task arguments are JSON by contract, and nothing read
# back from Redis can then run code when it is loaded.
SERIALIZER = JSONSerializer

STATUSES = {
    JobStatus.CREATED: TaskResultStatus.READY,
    JobStatus.QUEUED: TaskResultStatus.READY,
    JobStatus.DEFERRED: TaskResultStatus.READY,
    JobStatus.SCHEDULED: TaskResultStatus.READY,
    JobStatus.READY_TO_ENQUEUE: TaskResultStatus.READY,
    JobStatus.RATE_LIMITED: TaskResultStatus.READY,
    JobStatus.STARTED: TaskResultStatus.RUNNING,
    JobStatus.FINISHED: TaskResultStatus.SUCCESSFUL,
    JobStatus.FAILED: TaskResultStatus.FAILED,
    JobStatus.STOPPED: TaskResultStatus.FAILED,
    JobStatus.CANCELED: TaskResultStatus.FAILED,
}


class RQBackend(BaseTaskBackend):
    supports_defer = True
    supports_async_task = True  # Task.call() runs coroutines to completion
    supports_get_result = True

    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        self.url: str = self.options["url"]
        self.job_timeout: int = self.options.get("job_timeout", 3600)
        self.result_ttl: int = self.options.get("result_ttl", 7 * 86400)
        self._connection: Redis | None = None

    @property
    def connection(self) -> Redis:
        # Made on first use: backends are built at import time, when Redis may be down.
        if self._connection is None:
            self._connection = Redis.from_url(self.url, socket_connect_timeout=5)
        return self._connection

    def queue(self, name: str) -> Queue:
        return Queue(name, connection=self.connection, serializer=SERIALIZER)

    def ping(self) -> None:
        if not self.connection.ping():
            raise ConnectionError("Redis did not answer PING")  # the URL may hold a password

    def enqueue(
        self, task: Task[Any, Any], args: list[Any], kwargs: dict[str, Any]
    ) -> TaskResult[Any, Any]:
        self.validate_task(task)
        result: TaskResult[Any, Any] = TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            finished_at=None,
            last_attempted_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        job_options: dict[str, Any] = {
            "job_id": result.id,
            "job_timeout": self.job_timeout,
            "result_ttl": self.result_ttl,
            "description": task.module_path,
            # normalize_json() already ran in TaskResult: what runs is what the caller sees.
            "args": (_task_spec(task), result.args, result.kwargs),
        }
        queue = self.queue(task.queue_name)
        if task.run_after is not None:
            queue.enqueue_at(task.run_after, execute, **job_options)
        else:
            queue.enqueue(execute, **job_options)
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id: str) -> TaskResult[Any, Any]:
        try:
            job = Job.fetch(result_id, connection=self.connection, serializer=SERIALIZER)
        except NoSuchJobError as exc:
            raise TaskResultDoesNotExist(result_id) from exc
        return _job_result(job, self.alias)


def _task_spec(task: Task[Any, Any]) -> dict[str, Any]:
    return {
        "path": task.module_path,
        "backend": task.backend,
        "queue_name": task.queue_name,
        "priority": task.priority,
        "run_after": task.run_after.isoformat() if task.run_after else None,
    }


def _task_from_spec(spec: dict[str, Any]) -> Task[Any, Any]:
    task = import_string(spec["path"])
    if not isinstance(task, Task):
        raise TypeError(f"{spec['path']} is not a task")
    run_after = datetime.fromisoformat(spec["run_after"]) if spec["run_after"] else None
    return task.using(
        backend=spec["backend"],
        queue_name=spec["queue_name"],
        priority=spec["priority"],
        run_after=run_after,
    )


def _job_result(job: Job, alias: str) -> TaskResult[Any, Any]:
    spec, args, kwargs = job.args
    status = STATUSES.get(job.get_status(), TaskResultStatus.READY)
    finished = status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
    latest = job.latest_result() if finished else None
    errors = []
    if status == TaskResultStatus.FAILED:
        errors.append(
            TaskError(
                exception_class_path=job.meta.get("exception_class_path", ""),
                traceback=(latest.exc_string if latest else None) or "",
            )
        )
    result: TaskResult[Any, Any] = TaskResult(
        task=_task_from_spec(spec),
        id=job.id,
        status=status,
        enqueued_at=job.enqueued_at,
        started_at=job.started_at,
        finished_at=job.ended_at,
        last_attempted_at=job.started_at,
        args=args,
        kwargs=kwargs,
        backend=alias,
        errors=errors,
        worker_ids=[job.worker_name] if job.worker_name else [],
    )
    if latest is not None and latest.type == Result.Type.SUCCESSFUL:
        object.__setattr__(result, "_return_value", latest.return_value)  # frozen dataclass
    return result


def execute(spec: dict[str, Any], args: list[Any], kwargs: dict[str, Any]) -> Any:
    """What an RQ job runs: the task, framed by the framework's signals."""
    import django
    from django.apps import apps

    if not apps.ready:  # run by a plain `rq worker` rather than `agora worker`
        django.setup()
    job = get_current_job()
    task = _task_from_spec(spec)
    backend = task.get_backend()
    started = timezone.now()
    result: TaskResult[Any, Any] = TaskResult(
        task=task,
        id=job.id if job else get_random_string(32),
        status=TaskResultStatus.RUNNING,
        enqueued_at=job.enqueued_at if job else None,
        started_at=started,
        finished_at=None,
        last_attempted_at=started,
        args=args,
        kwargs=kwargs,
        backend=backend.alias,
        errors=[],
        worker_ids=[job.worker_name] if job and job.worker_name else [],
    )
    task_started.send(type(backend), task_result=result)
    try:
        if task.takes_context:
            value = task.call(TaskContext(task_result=result), *args, **kwargs)
        else:
            value = task.call(*args, **kwargs)
        value = normalize_json(value)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        path = f"{type(exc).__module__}.{type(exc).__qualname__}"
        if job is not None:
            # RQ keeps the traceback text but not the class; get_result() needs both.
            job.meta["exception_class_path"] = path
            job.save_meta()  # type: ignore[no-untyped-call]  # unannotated in rq
        result.errors.append(
            TaskError(exception_class_path=path, traceback="".join(format_exception(exc)))
        )
        _finish(result, TaskResultStatus.FAILED)
        task_finished.send(type(backend), task_result=result)  # inside `except`: logs exc_info
        raise
    _finish(result, TaskResultStatus.SUCCESSFUL)
    object.__setattr__(result, "_return_value", value)
    task_finished.send(type(backend), task_result=result)
    return value


def _finish(result: TaskResult[Any, Any], status: TaskResultStatus) -> None:
    object.__setattr__(result, "status", status)  # TaskResult is a frozen dataclass
    object.__setattr__(result, "finished_at", timezone.now())
