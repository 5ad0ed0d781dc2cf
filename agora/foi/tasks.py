"""The access-to-information background work: sending mail, notifying, running the clocks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.tasks import task

from agora.core.scheduling import periodic


@task
def send_message(message_id: int) -> str:
    from agora.foi.outbox import message_deliver

    return message_deliver(message_id)


@task
def notify_requester(request_id: int, template: str) -> None:
    from agora.foi.models import FoiRequest
    from agora.foi.outbox import requester_notify

    request = FoiRequest.objects.select_related("requester", "body").get(pk=request_id)
    requester_notify(request, template)


@periodic(every=timedelta(hours=1))
@task
def foi_clock_tick() -> dict[str, Any]:
    """Marks requests overdue, reminds bodies and requesters, applies deemed refusals."""
    from agora.foi.clock_tick import foi_clock_tick as tick

    report = tick()
    return {
        "checked": report.checked,
        "overdue": len(report.overdue),
        "very_overdue": len(report.very_overdue),
        "deemed_refusals": len(report.deemed_refusals),
        "classify_reminders": len(report.classify_reminders),
    }
