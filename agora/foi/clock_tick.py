"""The periodic walk over open requests: overdue marks, reminders, deemed refusals."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from agora.foi import outbox, selectors, services
from agora.foi.choices import EventKind, MessageKind, Outcome, RequestStatus, StageStatus
from agora.foi.laws import law
from agora.foi.models import FoiRequest
from agora.foi.search import request_reindex

CLASSIFY_REMINDER_AFTER = datetime.timedelta(days=3)
EMBARGO_CATCH_UP = datetime.timedelta(days=7)


@dataclass
class TickReport:
    checked: int = 0
    overdue: list[int] = field(default_factory=list)
    very_overdue: list[int] = field(default_factory=list)
    deemed_refusals: list[int] = field(default_factory=list)
    classify_reminders: list[int] = field(default_factory=list)


def _already(request: FoiRequest, kind: str) -> bool:
    return request.events.filter(stage=request.stage, kind=kind).exists()


@transaction.atomic
def _tick_one(request: FoiRequest, today: datetime.date, report: TickReport) -> None:
    request = (
        # Only the request's row is locked: PostgreSQL cannot lock the nullable side of a join.
        FoiRequest.objects.select_for_update(of=("self",))
        .select_related("stage", "body")
        .get(pk=request.pk)
    )
    stage = request.stage
    if stage is None or stage.status != StageStatus.OPEN:
        return
    reading = selectors.stage_clock(stage, today)
    rule = law(request.law_code).stage(stage.key)
    services.refresh_clock(request, today)
    if reading.refusal_on is not None and today > reading.refusal_on and reading.state != "paused":
        if not _already(request, EventKind.DEEMED_REFUSAL):
            services.event_add(
                request,
                EventKind.DEEMED_REFUSAL,
                on=reading.refusal_on + datetime.timedelta(days=1),
            )
            if rule.silence == "refusal":
                services.close_stage(
                    stage, outcome=Outcome.REFUSED, deemed=True, on=reading.refusal_on
                )
                request.outcome = Outcome.REFUSED
                request.save(update_fields=["outcome"])
                services.touch(request, RequestStatus.ANSWERED)
                services.refresh_clock(request, today)
            report.deemed_refusals.append(request.pk)
            steps = services.next_steps(request, today)
            due = reading.due
            transaction.on_commit(
                lambda: outbox.requester_notify(request, "overdue", steps=steps, due=due)
            )
        return
    if reading.state == "very_overdue" and not _already(request, EventKind.VERY_OVERDUE):
        services.event_add(request, EventKind.VERY_OVERDUE, on=reading.very_overdue_on)
        _remind_body(request, today)
        report.very_overdue.append(request.pk)
    elif reading.state == "overdue" and not _already(request, EventKind.OVERDUE):
        # The first day past the due date, as a deemed refusal is dated the day after silence.
        assert reading.due is not None
        services.event_add(request, EventKind.OVERDUE, on=reading.due + datetime.timedelta(days=1))
        _remind_body(request, today)
        steps = services.next_steps(request, today)
        due = reading.due
        transaction.on_commit(
            lambda: outbox.requester_notify(request, "overdue", steps=steps, due=due)
        )
        report.overdue.append(request.pk)


def _remind_body(request: FoiRequest, today: datetime.date) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(
            "foi/email/body_reminder.txt",
            {"request": request, "law": law(request.law_code).full_title},
        ).strip()
    handler = request.stage.handler if request.stage else None
    if handler is None:
        return
    message = services.outgoing_add(
        request,
        kind=MessageKind.REMINDER,
        text=text,
        subject=f"Re: {request.title}",
        to_address=services.handler_address(handler),
        author=None,
    )
    services.event_add(request, EventKind.REMINDER, message=message, on=today)


def foi_clock_tick(today: datetime.date | None = None) -> TickReport:
    """Runs every open request's clock as of `today` (tests pass a date instead of waiting)."""
    today = today or timezone.localdate()
    report = TickReport()
    open_requests = FoiRequest.objects.filter(stage__status=StageStatus.OPEN).exclude(
        status__in=[RequestStatus.WITHDRAWN, RequestStatus.CLOSED]
    )
    for request in open_requests.iterator():
        report.checked += 1
        _tick_one(request, today, report)
    cutoff = timezone.now() - CLASSIFY_REMINDER_AFTER
    waiting = (
        FoiRequest.objects.filter(
            awaiting_classification=True,
            messages__needs_classification=True,
            messages__created__lt=cutoff,
        )
        .exclude(status__in=[RequestStatus.WITHDRAWN, RequestStatus.CLOSED])
        .distinct()
    )
    for request in waiting:
        # One reminder per reply waiting, not one every few days for ever.
        latest = request.messages.filter(needs_classification=True).latest("created").created
        if not request.events.filter(
            kind=EventKind.REMINDER, data__to="requester", created__gte=latest
        ).exists():
            services.event_add(request, EventKind.REMINDER, to="requester")
            outbox.requester_notify(request, "classify")
            report.classify_reminders.append(request.pk)
    # Requests whose embargo ended this past week enter search (again: indexing is idempotent,
    # and a missed run is caught up).
    for request in FoiRequest.objects.filter(
        hidden=False,
        embargo_until__gt=today - EMBARGO_CATCH_UP,
        embargo_until__lte=today,
    ):
        request_reindex(request, today)
    return report
