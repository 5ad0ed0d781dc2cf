"""`agora worker`: runs background tasks and the periodic scheduler.

The task worker is the one of the configured backend: django-tasks-db's for the database
backend, an RQ worker for RQBackend. The scheduler runs beside it in a thread; any number of
workers may run, each tick is still claimed once (see agora.core.scheduling).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from rq import SimpleWorker
from rq import Worker as RQWorker

from agora.core import scheduling
from agora.core.rq_backend import SERIALIZER, RQBackend

logger = logging.getLogger("agora.worker")


# Held by the scheduler thread for a whole pass, and by the RQ worker while it forks. A child
# forked in the middle of a pass would inherit the thread's half-used database client (for
# SQLite, its locks and mutexes: the child then blocks, or never gets to write).
FORK_LOCK = threading.Lock()


class ForkingRQWorker(RQWorker):
    """RQ's worker runs each job in a forked child: the child must not share the parent's
    database connections, and closes its own before it exits without cleaning up."""

    def fork_work_horse(self, job: Any, queue: Any) -> None:
        with FORK_LOCK:
            connections.close_all()
            super().fork_work_horse(job, queue)

    def perform_job(self, job: Any, queue: Any, execution: Any) -> bool:
        try:
            return bool(super().perform_job(job, queue, execution))
        finally:
            connections.close_all()


class GracefulDatabaseWorker(DatabaseWorker):
    """The database worker, stopped by SIGTERM only between two polls: django-tasks-db's own
    handler exits at once when no task runs, which may be in the middle of the transaction
    that claims the next task (the exit then fails, with a non-zero status)."""

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            super().shutdown(signum, frame)  # a second signal stops the task too
            return
        logger.warning("Received %s: stopping after the current poll", signal.strsignal(signum))
        self.running = False


class Scheduler(threading.Thread):
    """Runs the due periodic tasks every `tick` seconds until stopped."""

    def __init__(self, *, tick: float, worker_name: str) -> None:
        super().__init__(name="agora-scheduler", daemon=True)
        self.tick = tick
        self.worker_name = worker_name
        self.stopping = threading.Event()

    def run(self) -> None:
        logger.info(
            "Scheduler started: %d schedule(s), every %ss", len(scheduling.schedules()), self.tick
        )
        while not self.stopping.is_set():
            with FORK_LOCK:
                try:
                    scheduling.run_due_schedules(worker=self.worker_name)
                except Exception:  # the database may be away for a while; try next tick
                    logger.exception("Scheduler pass failed")
                finally:
                    # This thread's connections are its own: nobody else would close them.
                    connections.close_all()
            self.stopping.wait(self.tick)
        logger.info("Scheduler stopped")


class Command(BaseCommand):
    help = "Runs background tasks and periodic schedules for the configured task backend."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="run the due schedules once, then every ready task, and exit (for cron, tests)",
        )
        parser.add_argument(
            "--queue",
            action="append",
            dest="queues",
            metavar="NAME",
            help="a queue to work on (repeatable; default: every queue of the backend)",
        )
        parser.add_argument(
            "--tick",
            type=float,
            default=10.0,
            help="seconds between two scheduler passes (default: 10)",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="do not run periodic schedules (another worker runs them)",
        )

    def handle(
        self,
        *args: Any,
        once: bool,
        queues: list[str] | None,
        tick: float,
        scheduler: bool,
        **options: Any,
    ) -> None:
        if tick <= 0:
            raise CommandError("--tick must be a positive number of seconds.")
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if not isinstance(backend, DatabaseBackend | RQBackend):
            raise CommandError(
                f"No worker for the task backend {type(backend).__name__}: "
                "use django_tasks_db.DatabaseBackend or agora.core.rq_backend.RQBackend."
            )
        unknown = set(queues or ()) - backend.queues if backend.queues else set()
        if unknown:
            raise CommandError(
                f"Unknown queue(s) {', '.join(sorted(unknown))}: the task backend has "
                f"{', '.join(sorted(backend.queues))} (TASKS['default']['QUEUES'])."
            )
        queue_names = queues or sorted(backend.queues) or ["default"]
        name = f"{socket.gethostname()}:{os.getpid()}"[:64]
        logger.info(
            "Worker %s: %s backend, queues %s%s",
            name,
            type(backend).__name__,
            ", ".join(queue_names),
            "" if scheduler else ", no scheduler",
        )

        if once:
            if scheduler:
                enqueued = scheduling.run_due_schedules(worker=name)
                logger.info("Enqueued %d periodic task(s)", len(enqueued))
            self._work(backend, queue_names, name, burst=True)
            logger.info("Worker %s: no task left, exiting", name)
            return

        thread = Scheduler(tick=tick, worker_name=name) if scheduler else None
        if thread is not None:
            thread.start()
        try:
            self._work(backend, queue_names, name, burst=False)
        finally:
            if thread is not None:
                thread.stopping.set()
                thread.join(timeout=tick)

    def _work(
        self,
        backend: DatabaseBackend | RQBackend,
        queue_names: list[str],
        name: str,
        *,
        burst: bool,
    ) -> None:
        if isinstance(backend, DatabaseBackend):
            worker = GracefulDatabaseWorker(
                queue_names=queue_names,
                interval=0 if burst else 1,
                batch=burst,
                backend_name=backend.alias,
                startup_delay=not burst,
                max_tasks=None,
                worker_id=name,
                excluded_queue_names=[],
            )
            if not burst:
                worker.configure_signals()  # finish the running task on SIGTERM
            worker.run()
        else:
            # --once runs jobs in this process: no fork, nothing left behind when it exits.
            rq_class = SimpleWorker if burst else ForkingRQWorker
            rq_worker = rq_class(
                [backend.queue(queue) for queue in queue_names],
                connection=backend.connection,
                serializer=SERIALIZER,
                name=f"{name}:{os.urandom(4).hex()}",  # RQ wants names unique in Redis
            )
            # with_scheduler moves jobs enqueued with run_after to their queue when due.
            rq_worker.work(
                burst=burst,
                with_scheduler=True,
                logging_level=logging.getLevelName(logger.getEffectiveLevel()),
            )
