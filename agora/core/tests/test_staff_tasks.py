"""The staff page of background tasks, and the task check of /readyz."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus, task
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from agora.core.models import ScheduledRun, TaskRun
from agora.core.tasks import prune_task_records

URL = "/staff/tasks/"


@task
def fail_to_harvest() -> None:
    raise ValueError("the archive at example.org is unreachable")


@task
def harvest() -> int:
    return 3


@pytest.fixture
def immediate_tasks(settings: Settings) -> None:
    # Runs each task as it is enqueued, sending the same signals a worker sends.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "citizen", "member", "editor", "admin"])
def test_only_staff_may_see_the_tasks(client_as: Callable[[str], Client], role: str) -> None:
    response = client_as(role).get(URL)
    if role == "anonymous" and response.status_code == 302:
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
    assert b"unreachable" not in response.content


@pytest.mark.django_db
@pytest.mark.usefixtures("immediate_tasks")
def test_staff_see_schedules_and_a_failed_task_with_its_error(
    client_as: Callable[[str], Client],
) -> None:
    failed = fail_to_harvest.enqueue()
    harvest.enqueue()
    assert failed.status == TaskResultStatus.FAILED

    response = client_as("staff").get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert prune_task_records.module_path in page
    assert fail_to_harvest.module_path in page
    assert harvest.module_path in page
    assert "ValueError: the archive at example.org is unreachable" in page
    assert failed.id in page


@pytest.mark.django_db
@pytest.mark.usefixtures("immediate_tasks")
def test_staff_filter_tasks_by_status(client_as: Callable[[str], Client]) -> None:
    fail_to_harvest.enqueue()
    harvest.enqueue()
    staff = client_as("staff")

    successful = staff.get(URL, {"status": TaskResultStatus.SUCCESSFUL}).content.decode()
    assert harvest.module_path in successful
    assert fail_to_harvest.module_path not in successful

    failed = staff.get(URL, {"status": TaskResultStatus.FAILED}).content.decode()
    assert fail_to_harvest.module_path in failed
    assert harvest.module_path not in failed


@pytest.mark.django_db
@pytest.mark.usefixtures("immediate_tasks")
def test_staff_see_the_outcome_of_a_schedule_last_tick(
    client_as: Callable[[str], Client],
) -> None:
    result = prune_task_records.enqueue()
    tick = timezone.now() - timedelta(minutes=1)
    ScheduledRun.objects.create(
        name=prune_task_records.module_path, tick_at=tick, task_id=result.id
    )
    assert TaskRun.objects.get(task_id=result.id).status == TaskResultStatus.SUCCESSFUL

    page = client_as("staff").get(URL).content.decode()

    row = page[page.index(prune_task_records.module_path) :]
    row = row[: row.index("</tr>")]
    assert "Successful" in row


@pytest.mark.django_db
def test_readyz_reports_the_task_backend(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    tasks = Client().get("/readyz").json()["checks"]["tasks"]
    assert (tasks["status"], tasks["detail"]) == ("ok", "DatabaseBackend")
