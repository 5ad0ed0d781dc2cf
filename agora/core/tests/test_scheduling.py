"""Periodic schedules: when ticks fall (intervals, cron, daylight saving time in Paris), and
that each tick is enqueued once however many workers race for it."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.tasks import task
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_django import Settings

from agora.core import scheduling
from agora.core.models import ScheduledRun
from agora.core.scheduling import Schedule, periodic, run_due_schedules, schedules

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@task
def hourly_report() -> str:
    return "report"


@task
def nightly_harvest() -> str:
    return "harvest"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def ticks_between(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    found, tick = [], start
    while (tick := schedule.next_tick_after(tick)) <= end:
        found.append(tick)
    return found


@pytest.fixture(autouse=True)
def _paris() -> Iterator[None]:
    # The cron cases below are written for Paris, whatever TIME_ZONE the environment sets.
    with override_settings(TIME_ZONE="Europe/Paris"):
        yield


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> dict[str, Schedule]:
    """An empty schedule registry, on the database task backend whatever REDIS_URL says."""
    settings.TASKS = DB_TASKS
    fresh: dict[str, Schedule] = {}
    monkeypatch.setattr(scheduling, "_schedules", fresh)
    return fresh


# Ticks ------------------------------------------------------------------------------------


def test_interval_ticks_are_aligned_on_the_epoch() -> None:
    schedule = Schedule(name="s", task=hourly_report, every=timedelta(minutes=15))
    assert schedule.latest_tick(utc("2026-05-04T10:07:30")) == utc("2026-05-04T10:00:00")
    assert schedule.latest_tick(utc("2026-05-04T10:15:00")) == utc("2026-05-04T10:15:00")
    assert schedule.latest_tick(utc("2026-05-04T10:14:59.999999")) == utc("2026-05-04T10:00:00")
    assert schedule.next_tick_after(utc("2026-05-04T10:00:00")) == utc("2026-05-04T10:15:00")


def test_a_daily_interval_ignores_daylight_saving_time() -> None:
    schedule = Schedule(name="s", task=hourly_report, every=timedelta(days=1))
    assert ticks_between(schedule, utc("2026-03-28T12:00"), utc("2026-03-31T12:00")) == [
        utc("2026-03-29T00:00"),
        utc("2026-03-30T00:00"),
        utc("2026-03-31T00:00"),
    ]


def test_a_cron_tick_exactly_at_now_is_the_latest() -> None:
    schedule = Schedule(name="s", task=nightly_harvest, cron="0 3 * * *")
    three_in_paris = utc("2026-01-15T02:00:00")  # CET is UTC+1
    assert schedule.latest_tick(three_in_paris) == three_in_paris
    assert schedule.latest_tick(three_in_paris - timedelta(microseconds=1)) == utc(
        "2026-01-14T02:00:00"
    )
    assert schedule.latest_tick(three_in_paris + timedelta(milliseconds=500)) == three_in_paris
    assert schedule.next_tick_after(three_in_paris) == utc("2026-01-16T02:00:00")


def test_a_cron_with_seconds_is_not_ahead_of_now() -> None:
    schedule = Schedule(name="s", task=nightly_harvest, cron="* * * * * */10")
    now = utc("2026-01-15T02:00:09.900000")
    assert schedule.latest_tick(now) == utc("2026-01-15T02:00:00")
    assert schedule.next_tick_after(now) == utc("2026-01-15T02:00:10")


def test_cron_follows_the_paris_wall_clock_across_daylight_saving_time() -> None:
    schedule = Schedule(name="s", task=nightly_harvest, cron="0 3 * * *")
    # 03:00 in Paris is 02:00 UTC in winter and 01:00 UTC in summer.
    assert ticks_between(schedule, utc("2026-03-27T12:00"), utc("2026-03-30T12:00")) == [
        utc("2026-03-28T02:00"),
        utc("2026-03-29T01:00"),
        utc("2026-03-30T01:00"),
    ]
    assert ticks_between(schedule, utc("2026-10-23T12:00"), utc("2026-10-26T12:00")) == [
        utc("2026-10-24T01:00"),
        utc("2026-10-25T02:00"),
        utc("2026-10-26T02:00"),
    ]
    assert schedule.latest_tick(utc("2026-03-29T01:00")) == utc("2026-03-29T01:00")
    assert schedule.latest_tick(utc("2026-03-29T00:59:59")) == utc("2026-03-28T02:00")


def test_a_time_the_clocks_skip_runs_once_when_they_have_jumped() -> None:
    # 29 March 2026: at 02:00 Paris time the clocks jump to 03:00 (01:00 UTC); 02:30 never is.
    schedule = Schedule(name="s", task=nightly_harvest, cron="30 2 * * *")
    assert ticks_between(schedule, utc("2026-03-28T12:00"), utc("2026-03-29T12:00")) == [
        utc("2026-03-29T01:00"),
    ]
    assert schedule.latest_tick(utc("2026-03-29T00:59:59")) == utc("2026-03-28T01:30")
    assert schedule.latest_tick(utc("2026-03-29T01:00")) == utc("2026-03-29T01:00")


def test_a_time_the_clocks_repeat_runs_once_at_its_first_occurrence() -> None:
    # 25 October 2026: at 03:00 Paris time (01:00 UTC) the clocks go back to 02:00.
    schedule = Schedule(name="s", task=nightly_harvest, cron="30 2 * * *")
    assert ticks_between(schedule, utc("2026-10-24T12:00"), utc("2026-10-25T12:00")) == [
        utc("2026-10-25T00:30"),
    ]
    second_half_past_two = utc("2026-10-25T01:45")
    assert schedule.latest_tick(second_half_past_two) == utc("2026-10-25T00:30")
    assert schedule.next_tick_after(second_half_past_two) == utc("2026-10-26T01:30")


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    now=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    cron=st.sampled_from(["30 2 * * *", "0 3 * * *", "*/20 * * * *", "0 2 * * 0", "15 2 1 * *"]),
)
def test_the_latest_tick_is_at_or_before_now_and_the_next_after_it(
    now: datetime, cron: str
) -> None:
    now = now.replace(tzinfo=UTC)
    with override_settings(TIME_ZONE="Europe/Paris"):  # hypothesis runs outside the fixture
        schedule = Schedule(name="s", task=nightly_harvest, cron=cron)
        latest = schedule.latest_tick(now)
        following = schedule.next_tick_after(latest)
        assert latest <= now < following
        assert schedule.latest_tick(following) == following


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "exactly one"),
        ({"every": timedelta(hours=1), "cron": "0 * * * *"}, "exactly one"),
        ({"every": timedelta(milliseconds=10)}, "at least one second"),
        ({"cron": "61 * * * *"}, "invalid cron"),
        ({"cron": "0 0 30 2 *"}, "never happens"),
    ],
)
def test_a_schedule_must_be_well_formed(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Schedule(name="s", task=hourly_report, **options)


def test_schedules_describe_themselves() -> None:
    assert Schedule(name="s", task=hourly_report, every=timedelta(days=1)).describe() == "every day"
    assert (
        Schedule(name="s", task=hourly_report, every=timedelta(minutes=15)).describe()
        == "every 15 minutes"
    )
    assert (
        Schedule(name="s", task=hourly_report, every=timedelta(seconds=90)).describe()
        == "every 90 seconds"
    )
    assert (
        Schedule(name="s", task=hourly_report, cron="0 3 * * *").describe()
        == "cron 0 3 * * * (Europe/Paris)"
    )


def test_the_core_declares_its_daily_pruning() -> None:
    declared = {schedule.name: schedule for schedule in schedules()}
    prune = declared["agora.core.tasks.prune_task_records"]
    assert prune.cron is not None
    assert prune.every is None
    assert len(ticks_between(prune, utc("2026-05-04T12:00"), utc("2026-05-07T12:00"))) == 3


def test_periodic_registers_a_task_under_its_path(registry: dict[str, Schedule]) -> None:
    assert periodic(every=timedelta(hours=1))(hourly_report) is hourly_report
    assert list(registry) == ["agora.core.tests.test_scheduling.hourly_report"]


# Claiming ticks ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_tick_is_enqueued_once_then_again_on_the_next(
    registry: dict[str, Schedule],
) -> None:
    periodic(every=timedelta(hours=1), name="report")(hourly_report)
    now = utc("2026-05-04T10:20")

    assert run_due_schedules(now=now, worker="w1") == ["report"]
    assert run_due_schedules(now=now + timedelta(minutes=30), worker="w2") == []
    assert run_due_schedules(now=now + timedelta(hours=1), worker="w2") == ["report"]

    runs = list(ScheduledRun.objects.order_by("tick_at"))
    assert [(r.tick_at, r.worker) for r in runs] == [
        (utc("2026-05-04T10:00"), "w1"),
        (utc("2026-05-04T11:00"), "w2"),
    ]
    queued = DBTaskResult.objects.filter(task_path=hourly_report.module_path)
    assert sorted(str(r.id) for r in queued) == sorted(r.task_id for r in runs)


@pytest.mark.django_db
def test_a_worker_that_was_down_runs_the_latest_missed_tick_once(
    registry: dict[str, Schedule],
) -> None:
    periodic(every=timedelta(hours=1), name="report")(hourly_report)
    run_due_schedules(now=utc("2026-05-04T10:20"))
    assert run_due_schedules(now=utc("2026-05-04T15:20")) == ["report"]
    assert list(ScheduledRun.objects.values_list("tick_at", flat=True)) == [
        utc("2026-05-04T15:00"),
        utc("2026-05-04T10:00"),
    ]


@pytest.mark.django_db
def test_a_schedule_that_cannot_enqueue_leaves_its_tick_for_the_next_pass(
    registry: dict[str, Schedule], settings: Settings
) -> None:
    settings.TASKS = {
        **DB_TASKS,
        # Nothing listens on port 1: enqueueing fails the way it does when Redis is down.
        "unreachable": {
            "BACKEND": "agora.core.rq_backend.RQBackend",
            "OPTIONS": {"url": "redis://127.0.0.1:1/0"},
        },
    }
    registry["broken"] = Schedule(
        name="broken", task=hourly_report.using(backend="unreachable"), every=timedelta(hours=1)
    )
    periodic(every=timedelta(hours=1), name="report")(hourly_report)

    assert run_due_schedules(now=utc("2026-05-04T10:20")) == ["report"]
    assert list(ScheduledRun.objects.values_list("name", flat=True)) == ["report"]


@pytest.mark.django_db(transaction=True)
def test_threads_racing_for_the_same_tick_enqueue_it_once(
    registry: dict[str, Schedule],
) -> None:
    periodic(every=timedelta(hours=1), name="report")(hourly_report)
    periodic(cron="0 3 * * *", name="harvest")(nightly_harvest)
    now = utc("2026-05-04T10:20")
    racers = 8
    start = threading.Barrier(racers)
    enqueued: list[str] = []
    failures: list[BaseException] = []

    def race(number: int) -> None:
        try:
            start.wait()
            enqueued.extend(run_due_schedules(now=now, worker=f"thread-{number}"))
        except BaseException as exc:  # reported below: an exception in a thread is silent
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(n,)) for n in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert Counter(enqueued) == {"report": 1, "harvest": 1}
    assert Counter(ScheduledRun.objects.values_list("name", flat=True)) == {
        "report": 1,
        "harvest": 1,
    }
    assert (
        DBTaskResult.objects.filter(
            task_path__in=[hourly_report.module_path, nightly_harvest.module_path]
        ).count()
        == 2
    )
