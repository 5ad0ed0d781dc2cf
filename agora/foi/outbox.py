"""Sending a request's messages by email, from the request's own address."""

from __future__ import annotations

import logging
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from agora.foi import selectors
from agora.foi.choices import Delivery, Direction
from agora.foi.models import FoiMessage, FoiRequest

logger = logging.getLogger(__name__)


def loop_marker() -> str:
    """Stamped on every message we send: if one comes back to us, it is a loop."""
    return f"agora@{settings.FOI_EMAIL_DOMAIN}"


def _thread_headers(message: FoiMessage) -> dict[str, str]:
    earlier = list(
        message.request.messages.exclude(pk=message.pk)
        .exclude(message_id="")
        .filter(created__lte=message.created)
        .order_by("created", "pk")
        .values_list("message_id", "direction")
    )
    headers = {"Message-ID": message.message_id, "X-Loop": loop_marker(), "Auto-Submitted": "no"}
    if earlier:
        replied = [mid for mid, direction in earlier if direction == Direction.INCOMING] or [
            earlier[-1][0]
        ]
        headers["In-Reply-To"] = replied[-1]
        headers["References"] = " ".join(mid for mid, _d in earlier[-10:])
    return headers


def message_deliver(message_id: int) -> str:
    """Sends one queued message; a refusal by the mail server is recorded, not raised."""
    message = FoiMessage.objects.select_related("request", "request__body").get(pk=message_id)
    if message.delivery != Delivery.QUEUED:
        return str(message.delivery)  # already sent: a task that runs twice sends once
    request = message.request
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "foi/email/outgoing.txt",
            {
                "message": message,
                "request": request,
                "answer_url": settings.SITE_URL
                + reverse("foi:answer", kwargs={"token": selectors.answer_token(request)}),
                "request_url": settings.SITE_URL + request.get_absolute_url(),
            },
        )
    email = EmailMessage(
        subject=message.subject,
        body=body,
        from_email=formataddr((message.from_name, message.from_address)),
        to=[message.to_address],
        headers=_thread_headers(message),
    )
    try:
        email.send()
    except Exception as error:
        logger.warning("foi message %s not sent: %s", message.pk, type(error).__name__)
        message.delivery = Delivery.FAILED
        message.delivery_detail = f"{type(error).__name__}: {error}"[:500]
    else:
        message.delivery = Delivery.SENT
    message.save(update_fields=["delivery", "delivery_detail"])
    return str(message.delivery)


def requester_notify(request: FoiRequest, template: str, **context: object) -> None:
    """An email to the requester, in their language: a new reply, a reminder, a deadline."""
    requester = request.requester
    if not requester.is_active or requester.deleted_at is not None:
        return
    with translation.override(requester.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "request": request,
            "request_url": settings.SITE_URL + request.get_absolute_url(),
            "site_name": settings.SITE_NAME,
            **context,
        }
        subject = render_to_string(f"foi/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"foi/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [requester.email])
