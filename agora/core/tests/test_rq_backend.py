"""The RQ task backend, against a real Redis: REDIS_URL's server (database 15) or
redis://127.0.0.1:6379/15. That database is flushed before and after each test, so test
processes sharing it (pytest-xdist, two runs at once) take turns through a lock file."""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.tasks import TaskContext, TaskResultStatus, default_task_backend, task, task_backends
from django.tasks.exceptions import InvalidTask, TaskResultDoesNotExist
from django.test import Client
from django.utils import timezone
from pytest_django import Settings
from redis import Redis
from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry

from agora.core import scheduling
from agora.core.models import ScheduledRun, TaskRun
from agora.core.rq_backend import SERIALIZER, RQBackend
from agora.core.scheduling import periodic
from agora.core.tests.test_worker import WAIT, end_session, worker_process

pytestmark = pytest.mark.redis

TEST_DB = 15


@task
def double(number: int) -> int:
    return number * 2


@task
def fail_to_harvest() -> None:
    raise ValueError("the archive at example.org is unreachable")


@task(takes_context=True)
def introduce(context: TaskContext[Any, Any]) -> dict[str, Any]:
    return {"id": context.task_result.id, "attempt": context.attempt}


@task
def publish_digest() -> str:
    return "digest"


def redis_test_url() -> str:
    """Database 15 of the Redis server REDIS_URL names, so as never to flush real data."""
    base = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit(base._replace(path=f"/{TEST_DB}"))


@pytest.fixture
def redis_url() -> Iterator[str]:
    url = redis_test_url()
    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except RedisError as exc:
        pytest.fail(
            f"Redis is unreachable at {url} ({exc}). These tests need a real Redis: start one "
            "on 127.0.0.1:6379 or set REDIS_URL to a server whose database 15 may be flushed."
        )
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    lock = Path(tempfile.gettempdir()) / f"agora-redis-tests-{digest}.lock"
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        # A worker left over from an interrupted run would take this run's jobs.
        strays = [
            c
            for c in client.client_list()
            if c["db"] == str(TEST_DB) and ("b" in c["flags"] or c["cmd"] == "subscribe")
        ]
        if strays:
            pytest.fail(
                f"RQ workers left over from another run use {url}: "
                f"{[(c['addr'], c['name'], c['cmd']) for c in strays]}; stop them."
            )
        client.flushdb()
        yield url
        client.flushdb()
        client.close()


@pytest.fixture
def backend(settings: Settings, redis_url: str) -> RQBackend:
    settings.TASKS = {
        "default": {
            "BACKEND": "agora.core.rq_backend.RQBackend",
            "QUEUES": ["default", "slow"],
            "OPTIONS": {"url": redis_url},
        }
    }
    configured = task_backends["default"]
    assert isinstance(configured, RQBackend)
    return configured


@pytest.fixture(autouse=True)
def _restore_signal_handlers() -> Iterator[None]:
    # An RQ worker run in this process installs its own SIGINT/SIGTERM handlers.
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


def work(backend: RQBackend, *queues: str) -> None:
    """Runs every job ready (or scheduled and due) in `queues`, in this process, then returns."""
    worker = SimpleWorker(
        [backend.queue(name) for name in queues or ("default",)],
        connection=backend.connection,
        serializer=SERIALIZER,
    )
    worker.work(burst=True, with_scheduler=True)


@pytest.mark.django_db
def test_enqueue_creates_a_job_with_the_result_id(backend: RQBackend) -> None:
    result = double.enqueue(21)

    assert result.status == TaskResultStatus.READY
    assert result.backend == "default"
    assert backend.queue("default").job_ids == [result.id]
    fetched = backend.get_result(result.id)
    assert (fetched.status, fetched.args, fetched.task) == (TaskResultStatus.READY, [21], double)
    run = TaskRun.objects.get(task_id=result.id)
    assert (run.status, run.task_name, run.queue) == ("READY", double.module_path, "default")


@pytest.mark.django_db
def test_a_worker_runs_the_job_and_get_result_reports_success(backend: RQBackend) -> None:
    result = double.enqueue(21)
    work(backend)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 42
    assert result.errors == []
    assert result.worker_ids
    assert result.enqueued_at is not None
    assert result.started_at is not None
    assert result.finished_at is not None
    assert result.enqueued_at <= result.started_at <= result.finished_at
    run = TaskRun.objects.get(task_id=result.id)
    assert (run.status, run.error) == (TaskResultStatus.SUCCESSFUL, "")
    assert run.finished_at is not None


@pytest.mark.django_db
def test_a_failing_job_reports_its_error(backend: RQBackend) -> None:
    result = fail_to_harvest.enqueue()
    work(backend)

    result = fail_to_harvest.get_result(result.id)
    assert result.status == TaskResultStatus.FAILED
    [error] = result.errors
    assert error.exception_class_path == "builtins.ValueError"
    assert error.exception_class is ValueError
    assert "the archive at example.org is unreachable" in error.traceback
    with pytest.raises(ValueError, match="Task failed"):
        result.return_value  # noqa: B018  the property raises
    run = TaskRun.objects.get(task_id=result.id)
    assert run.status == TaskResultStatus.FAILED
    assert "ValueError: the archive at example.org is unreachable" in run.error


@pytest.mark.django_db
def test_a_task_taking_context_sees_its_own_result(backend: RQBackend) -> None:
    result = introduce.enqueue()
    work(backend)
    result.refresh()
    assert result.return_value == {"id": result.id, "attempt": 1}


@pytest.mark.django_db
def test_jobs_go_to_the_queue_of_their_task(backend: RQBackend) -> None:
    result = double.using(queue_name="slow").enqueue(1)
    assert backend.queue("slow").job_ids == [result.id]
    assert backend.queue("default").job_ids == []
    work(backend, "default")
    assert backend.get_result(result.id).status == TaskResultStatus.READY
    work(backend, "slow")
    assert backend.get_result(result.id).status == TaskResultStatus.SUCCESSFUL
    with pytest.raises(InvalidTask, match="Queue 'elsewhere' is not valid"):
        double.using(queue_name="elsewhere").enqueue(1)


@pytest.mark.django_db
def test_run_after_defers_the_job_until_then(backend: RQBackend) -> None:
    later = double.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(1)
    due = double.using(run_after=timezone.now() - timedelta(seconds=1)).enqueue(2)
    registry = ScheduledJobRegistry(queue=backend.queue("default"))  # type: ignore[no-untyped-call]  # rq
    assert set(registry.get_job_ids()) == {later.id, due.id}

    work(backend)

    assert backend.get_result(later.id).status == TaskResultStatus.READY
    assert backend.get_result(due.id).return_value == 4
    assert backend.get_result(later.id).task.run_after == later.task.run_after


@pytest.mark.django_db
def test_an_unknown_result_does_not_exist(backend: RQBackend) -> None:
    with pytest.raises(TaskResultDoesNotExist):
        backend.get_result("no-such-job")


@pytest.mark.django_db
def test_agora_worker_once_runs_schedules_and_jobs_on_rq(
    backend: RQBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduling, "_schedules", {})
    periodic(every=timedelta(hours=1), name="digest")(publish_digest)
    queued = double.enqueue(5)

    call_command("worker", "--once")

    assert default_task_backend.get_result(queued.id).return_value == 10
    claimed = ScheduledRun.objects.get(name="digest")
    assert publish_digest.get_result(claimed.task_id).return_value == "digest"
    assert TaskRun.objects.get(task_id=claimed.task_id).status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db(transaction=True)
def test_a_running_rq_worker_forks_each_job_and_stops_on_sigterm(
    backend: RQBackend, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The production path: a forking RQ worker in a process of its own, with its scheduler.
    # Passes every 5 ms keep the scheduler thread busy while jobs fork: a child forked in
    # the middle of a pass used to hang or lose its database writes.
    jobs = 30
    results = [double.enqueue(n) for n in range(jobs)]
    worker = worker_process("--tick", "0.005", REDIS_URL=redis_url)
    try:
        deadline = time.monotonic() + WAIT
        while not all(backend.get_result(r.id).is_finished for r in results):
            if time.monotonic() > deadline or worker.poll() is not None:
                pytest.fail("the RQ worker did not run the jobs:\n" + worker_output(worker))
            time.sleep(0.1)
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=WAIT)[0]
    finally:
        end_session(worker)

    assert worker.returncode == 0, output
    assert [backend.get_result(r.id).return_value for r in results] == [2 * n for n in range(jobs)]
    # Each forked job wrote its own TaskRun rows through its own database connection.
    statuses = TaskRun.objects.filter(task_id__in=[r.id for r in results]).values_list(
        "status", flat=True
    )
    assert list(statuses) == [TaskResultStatus.SUCCESSFUL] * jobs, output


def worker_output(worker: Any) -> str:
    end_session(worker)
    return str(worker.communicate(timeout=WAIT)[0])


def test_ping_reaches_redis(backend: RQBackend) -> None:
    backend.ping()


@pytest.mark.django_db
def test_readyz_checks_redis_through_the_rq_backend(backend: RQBackend) -> None:
    tasks = Client().get("/readyz").json()["checks"]["tasks"]
    assert (tasks["status"], tasks["detail"]) == ("ok", "RQBackend")


@pytest.mark.django_db
def test_readyz_fails_when_redis_is_unreachable(settings: Settings) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "agora.core.rq_backend.RQBackend",
            "OPTIONS": {"url": "redis://127.0.0.1:1/0"},  # nothing listens on port 1
        }
    }
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"]["status"] == "failing"
    assert "ConnectionError" in response.json()["checks"]["tasks"]["detail"]
