"""`agora worker` on the database backend: it runs tasks and records their outcome, runs the
periodic schedules, and two worker processes never run the same tick twice."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.backends.signals import connection_created
from django.tasks import TaskResultStatus, default_task_backend, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

import agora
from agora.core import scheduling
from agora.core.management.commands.worker import Scheduler
from agora.core.models import ScheduledRun, TaskRun
from agora.core.scheduling import Schedule, periodic
from agora.core.task_log import task_run_record
from agora.core.tasks import prune_task_records, task_records_prune

ROOT = Path(agora.__file__).resolve().parent.parent
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
PRUNE = prune_task_records.module_path
WAIT = 120  # seconds before a test gives up on a worker process: a hang guard, not a timing


@task
def double(number: int) -> int:
    return number * 2


@task
def publish_digest() -> str:
    return "digest"


@task
def fail_to_harvest() -> None:
    raise ValueError("the archive at example.org is unreachable")


@pytest.fixture(autouse=True)
def _database_backend(settings: Settings) -> None:
    settings.TASKS = DB_TASKS  # REDIS_URL in the environment would otherwise pick RQ


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, Schedule]:
    fresh: dict[str, Schedule] = {}
    monkeypatch.setattr(scheduling, "_schedules", fresh)
    return fresh


def database_url_for_other_processes() -> str:
    """A DATABASE_URL with which another process opens the database this test uses."""
    options = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(options['NAME']).resolve()}"
    assert connection.vendor == "postgresql", f"no URL for {connection.vendor}"
    user = quote(options["USER"] or "", safe="")
    password = f":{quote(options['PASSWORD'], safe='')}" if options["PASSWORD"] else ""
    host = options["HOST"] or "localhost"
    port = f":{options['PORT']}" if options["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(options['NAME'], safe='')}"


def worker_process(*args: str, **env: str) -> subprocess.Popen[str]:
    """`agora worker ARGS` in a process of its own, on the test database."""
    environment = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    environment.update(DATABASE_URL=database_url_for_other_processes(), LOG_LEVEL="INFO", **env)
    return subprocess.Popen(
        [sys.executable, "-m", "agora.cli", "worker", *args],
        cwd=ROOT,
        env=environment,
        text=True,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def end_session(worker: subprocess.Popen[str]) -> None:
    """Kills what is left of a worker's session: RQ's job and scheduler processes outlive a
    worker that had to be killed. (Linux: elsewhere there is no /proc and nothing is done.)"""
    if worker.poll() is None:
        worker.kill()
        worker.wait()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            session = int(stat.read_text().rsplit(")", 1)[1].split()[3])
        except (OSError, IndexError, ValueError):
            continue
        if session == worker.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(stat.parent.name), signal.SIGKILL)


def wait_for(predicate: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.1)


# Running tasks ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_tasks_and_records_their_outcome() -> None:
    succeeding = double.enqueue(21)
    failing = fail_to_harvest.enqueue()
    assert TaskRun.objects.get(task_id=succeeding.id).status == TaskResultStatus.READY

    call_command("worker", "--once", "--no-scheduler")

    succeeding.refresh()
    assert succeeding.status == TaskResultStatus.SUCCESSFUL
    assert succeeding.return_value == 42
    done = TaskRun.objects.get(task_id=succeeding.id)
    assert (done.task_name, done.status, done.error) == (
        double.module_path,
        TaskResultStatus.SUCCESSFUL,
        "",
    )
    assert done.enqueued_at is not None
    assert done.started_at is not None
    assert done.finished_at is not None
    assert done.enqueued_at <= done.started_at <= done.finished_at

    failed = TaskRun.objects.get(task_id=failing.id)
    assert failed.status == TaskResultStatus.FAILED
    assert "ValueError: the archive at example.org is unreachable" in failed.error
    assert failed.finished_at is not None
    failing.refresh()
    assert failing.errors[0].exception_class_path == "builtins.ValueError"


@pytest.mark.django_db(transaction=True)
def test_once_runs_the_due_schedules_then_their_tasks(registry: dict[str, Schedule]) -> None:
    periodic(every=timedelta(hours=1), name="digest")(publish_digest)

    call_command("worker", "--once")

    claimed = ScheduledRun.objects.get(name="digest")
    assert claimed.tick_at <= timezone.now()
    assert TaskRun.objects.get(task_id=claimed.task_id).status == TaskResultStatus.SUCCESSFUL
    assert publish_digest.get_result(claimed.task_id).return_value == "digest"

    call_command("worker", "--once")  # the same tick (unless the hour turned): nothing new
    assert set(ScheduledRun.objects.values_list("name", "tick_at")) <= {
        ("digest", claimed.tick_at),
        ("digest", claimed.tick_at + timedelta(hours=1)),
    }


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_never_run_the_same_tick_twice() -> None:
    workers = [worker_process("--once") for _ in range(2)]
    try:
        outputs = [worker.communicate(timeout=WAIT)[0] for worker in workers]
    finally:
        for worker in workers:
            end_session(worker)
    assert [worker.returncode for worker in workers] == [0, 0], outputs

    ticks = Counter(ScheduledRun.objects.values_list("name", "tick_at"))
    assert ticks, outputs
    assert set(ticks.values()) == {1}
    assert PRUNE in {name for name, _ in ticks}
    for claim in ScheduledRun.objects.all():
        ran = DBTaskResult.objects.get(id=claim.task_id)
        assert ran.status == TaskResultStatus.SUCCESSFUL, ran.traceback
        assert TaskRun.objects.get(task_id=claim.task_id).status == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.filter(task_path=PRUNE).count() == ticks_of(PRUNE)


def ticks_of(name: str) -> int:
    return ScheduledRun.objects.filter(name=name).count()


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_schedules_runs_and_stops_on_sigterm() -> None:
    worker = worker_process("--tick", "0.2")
    try:
        wait_for(
            lambda: TaskRun.objects.filter(
                task_name=PRUNE, status=TaskResultStatus.SUCCESSFUL
            ).exists(),
            "the worker to run the pruning task",
        )
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=WAIT)[0]
    finally:
        end_session(worker)
    assert worker.returncode == 0, output
    assert ticks_of(PRUNE) == 1


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_thread_closes_its_database_connections(
    registry: dict[str, Schedule],
) -> None:
    periodic(every=timedelta(hours=1), name="double-later")(double)
    opened: list[Any] = []

    def remember(sender: Any, connection: Any, **kwargs: Any) -> None:
        if threading.current_thread().name == "agora-scheduler":
            opened.append(connection)

    connection_created.connect(remember)
    try:
        scheduler = Scheduler(tick=0.05, worker_name="test")
        scheduler.start()
        wait_for(lambda: ScheduledRun.objects.exists(), "the scheduler to claim a tick")
        scheduler.stopping.set()
        scheduler.join(timeout=WAIT)
    finally:
        connection_created.disconnect(remember)

    assert not scheduler.is_alive()
    assert opened
    assert all(wrapper.connection is None for wrapper in opened)


@pytest.mark.django_db
def test_a_backend_without_a_worker_is_refused(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with pytest.raises(CommandError, match="No worker for the task backend DummyBackend"):
        call_command("worker", "--once", "--no-scheduler")


@pytest.mark.django_db
def test_an_unknown_queue_is_refused() -> None:
    with pytest.raises(CommandError, match="Unknown queue"):
        call_command("worker", "--once", "--queue", "nowhere")


@pytest.mark.django_db(transaction=True)
def test_a_worker_only_runs_the_queues_it_is_given(settings: Settings) -> None:
    settings.TASKS = {"default": {**DB_TASKS["default"], "QUEUES": ["default", "slow"]}}
    slow = double.using(queue_name="slow").enqueue(1)
    quick = double.enqueue(2)

    call_command("worker", "--once", "--no-scheduler", "--queue", "default")
    slow.refresh()
    quick.refresh()
    assert (slow.status, quick.status) == (TaskResultStatus.READY, TaskResultStatus.SUCCESSFUL)

    call_command("worker", "--once", "--no-scheduler")  # every queue of the backend
    slow.refresh()
    assert slow.status == TaskResultStatus.SUCCESSFUL


# The task log -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_late_enqueued_signal_does_not_undo_a_finished_run() -> None:
    # With RQ a quick job can finish before the enqueuing transaction records it.
    result = default_task_backend.enqueue(double, [1], {})
    finished = default_task_backend.get_result(result.id)
    object.__setattr__(finished, "status", TaskResultStatus.SUCCESSFUL)
    object.__setattr__(finished, "finished_at", timezone.now())
    TaskRun.objects.all().delete()

    task_run_record(task_result=finished)
    task_run_record(task_result=result)

    run = TaskRun.objects.get(task_id=result.id)
    assert run.status == TaskResultStatus.SUCCESSFUL
    assert run.finished_at == finished.finished_at


# Pruning ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pruning_keeps_recent_records_and_the_latest_tick_of_each_schedule() -> None:
    now = timezone.now()
    old, recent = now - timedelta(days=31), now - timedelta(days=1)
    for task_id, status, finished in [
        ("old-done", TaskResultStatus.SUCCESSFUL, old),
        ("old-failed", TaskResultStatus.FAILED, old),
        ("recent-done", TaskResultStatus.SUCCESSFUL, recent),
        ("old-still-running", TaskResultStatus.RUNNING, None),
    ]:
        TaskRun.objects.create(
            task_id=task_id,
            task_name="t",
            backend="default",
            queue="default",
            status=status,
            enqueued_at=old,
            finished_at=finished,
        )
    for name, tick in [
        ("daily", old - timedelta(days=1)),
        ("daily", old),
        ("daily", recent),
        ("yearly", old),
    ]:
        ScheduledRun.objects.create(name=name, tick_at=tick)
    for status, finished in [
        (TaskResultStatus.SUCCESSFUL, old),
        (TaskResultStatus.FAILED, old),
        (TaskResultStatus.SUCCESSFUL, recent),
        (TaskResultStatus.READY, None),
    ]:
        DBTaskResult.objects.create(
            task_path=double.module_path,
            backend_name="default",
            args_kwargs={"args": [1], "kwargs": {}},
            status=status,
            finished_at=finished,
        )

    pruned = task_records_prune(finished_before=now - timedelta(days=30))

    assert (pruned.task_runs, pruned.scheduled_runs, pruned.db_task_results) == (2, 2, 2)
    assert set(TaskRun.objects.values_list("task_id", flat=True)) == {
        "recent-done",
        "old-still-running",
    }
    # The yearly schedule's only tick stays, or a worker would claim and run it again.
    assert set(ScheduledRun.objects.values_list("name", "tick_at")) == {
        ("daily", recent),
        ("yearly", old),
    }
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == [
        TaskResultStatus.READY,
        TaskResultStatus.SUCCESSFUL,
    ]


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
def test_the_pruning_task_runs_on_the_worker() -> None:
    ScheduledRun.objects.create(name="gone", tick_at=datetime(2020, 1, 1, tzinfo=UTC))
    ScheduledRun.objects.create(name="gone", tick_at=datetime(2020, 1, 2, tzinfo=UTC))
    result = prune_task_records.enqueue()
    call_command("worker", "--once", "--no-scheduler")
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"task_runs": 0, "scheduled_runs": 1, "db_task_results": 0}
