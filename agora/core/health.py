"""Readiness checks: each dependency answers ok or says what is wrong."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.tasks import task_backends

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    duration_ms: float


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _cache() -> str:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the value written could not be read back")
    cache.delete(key)
    return str(settings.CACHES["default"]["BACKEND"]).rsplit(".", 1)[-1]


def _storage() -> str:
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return type(default_storage).__name__


def _task_backend() -> str:
    backend = task_backends["default"]
    ping = getattr(backend, "ping", None)
    if ping is not None:  # the RQ backend: is Redis reachable?
        ping()
    else:  # the database backend: is its queue table there?
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()
    return type(backend).__name__


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "cache": _cache,
    "storage": _storage,
    "tasks": _task_backend,
}


def run_checks() -> list[CheckResult]:
    results = []
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail, ok = check(), True
        except Exception as exc:  # any failure makes the check red, with its reason
            logger.warning("readiness check %s failed: %s", name, exc)
            detail, ok = f"{type(exc).__name__}: {exc}", False
        results.append(
            CheckResult(name, ok, detail, round((time.perf_counter() - started) * 1000, 1))
        )
    return results
