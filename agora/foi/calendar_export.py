"""A request's legal dates as iCalendar (RFC 5545), for the requester's own calendar."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from agora.foi import selectors, services
from agora.foi.models import FoiRequest


def _event(uid: str, day: datetime.date, summary: str, url: str) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{settings.FOI_EMAIL_DOMAIN}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def request_ics(request: FoiRequest) -> bytes:
    """The answer due date, the long-overdue date, and the last day of each next step."""
    calendar = Calendar()
    calendar.add("prodid", "-//Agora//Access to information//EN")
    calendar.add("version", "2.0")
    url = settings.SITE_URL + request.get_absolute_url()
    stage = request.stage
    if stage is not None and stage.status == "open":
        reading = selectors.stage_clock(stage)
        if reading.due is not None:
            calendar.add_component(
                _event(
                    f"request-{request.pk}-{stage.key}-due",
                    reading.due,
                    _("Answer due: %(title)s (%(step)s)")
                    % {"title": request.title, "step": reading.stage.label},
                    url,
                )
            )
        if reading.very_overdue_on is not None:
            calendar.add_component(
                _event(
                    f"request-{request.pk}-{stage.key}-late",
                    reading.very_overdue_on,
                    _("Long overdue: %(title)s") % {"title": request.title},
                    url,
                )
            )
    for step in services.next_steps(request):
        if step["deadline"] is not None:
            calendar.add_component(
                _event(
                    f"request-{request.pk}-{step['key']}-file",
                    step["deadline"],
                    _("Last day to file: %(step)s — %(title)s")
                    % {"step": step["title"], "title": request.title},
                    url,
                )
            )
    return bytes(calendar.to_ical())
