"""Receiving mail: every message is stored raw first, then routed to its request or held.

Whatever arrives — broken MIME, a bounce, a loop, a message for no request — is kept as
received and either lands on its request or waits in the moderation queue; nothing raises
out of `mail_receive`, so the receiver never drops a message or stops.
"""

from __future__ import annotations

import hashlib
import logging
import re
from email.parser import BytesHeaderParser
from email.policy import compat32
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from agora.accounts.models import Organisation, User
from agora.core.errors import PermissionDenied, ValidationError
from agora.core.official_actions import public_text
from agora.foi import permissions, selectors
from agora.foi.choices import (
    Delivery,
    Direction,
    EventKind,
    HoldReason,
    MailStatus,
    MessageKind,
)
from agora.foi.mailparse import ParsedMessage, parse_message
from agora.foi.models import FoiAttachment, FoiMessage, FoiRequest, IncomingMail
from agora.foi.outbox import loop_marker
from agora.foi.services import event_add, public_copy, record_official, touch

logger = logging.getLogger(__name__)
# What the mail server in front (SpamAssassin, rspamd) says about a message.
SPAM_HEADERS = {"x-spam-flag": "yes", "x-spam-status": "yes", "x-spam": "yes"}
# A sender domain that fails DMARC (or SPF) may not be the body at all: a forged From would
# otherwise pass the known-sender check.
FORGED = re.compile(r"\b(?:dmarc|spf)=fail\b", re.IGNORECASE)


def mail_receive(
    raw: bytes, *, envelope_from: str = "", envelope_to: list[str] | None = None, via: str = "smtp"
) -> IncomingMail:
    """Stores the message, then routes it; returns what was stored and where it went."""
    incoming = _store(raw, envelope_from, envelope_to or [], via)
    try:
        with transaction.atomic():
            _route(incoming, raw)
    except Exception:
        logger.exception("incoming mail %s could not be routed", incoming.pk)
        IncomingMail.objects.filter(pk=incoming.pk).update(
            status=MailStatus.HELD, hold_reason=HoldReason.MALFORMED
        )
        incoming.refresh_from_db()
    return incoming


def _store(raw: bytes, envelope_from: str, envelope_to: list[str], via: str) -> IncomingMail:
    incoming = IncomingMail(
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        envelope_from=envelope_from[:300],
        envelope_to=[address.lower()[:300] for address in envelope_to][:100],
        received_via=via,
        status=MailStatus.HELD,
    )
    incoming.raw.save("message.eml", ContentFile(raw), save=False)
    incoming.save()
    return incoming


def _spam_flagged(raw: bytes) -> bool:
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw[:200_000])
    if any(FORGED.search(str(value)) for value in headers.get_all("Authentication-Results", [])):
        return True
    return any(
        str(headers.get(name, "")).strip().lower().startswith(flag)
        for name, flag in SPAM_HEADERS.items()
    )


def _domains(organisation: Organisation) -> set[str]:
    details = selectors.body_details(organisation)
    addresses = [organisation.email, details.request_email if details else ""]
    found = {address.rsplit("@", 1)[-1].lower() for address in addresses if "@" in address}
    if organisation.website:
        host = (urlsplit(organisation.website).hostname or "").lower()
        found.add(host.removeprefix("www."))
    return {domain for domain in found if domain}


def _sender_known(request: FoiRequest, sender: str) -> bool:
    """Mail from the domains of the body (or of whoever handles the current step)."""
    if "@" not in sender:
        return False
    domain = sender.rsplit("@", 1)[-1].lower()
    handlers = {request.body}
    if request.stage is not None and request.stage.handler is not None:
        handlers.add(request.stage.handler)
    known = set().union(*(_domains(handler) for handler in handlers))
    return any(domain == k or domain.endswith("." + k) for k in known)


def _hold(incoming: IncomingMail, reason: str, request: FoiRequest | None = None) -> None:
    incoming.status = MailStatus.HELD
    incoming.hold_reason = reason
    incoming.request = request
    incoming.save()


def _route(incoming: IncomingMail, raw: bytes) -> None:
    parsed = parse_message(
        raw, max_attachment_bytes=settings.FOI_MAIL_MAX_BYTES, loop_marker=loop_marker()
    )
    incoming.message_id = parsed.message_id[:500]
    incoming.from_address = parsed.from_address[:300]
    incoming.subject = parsed.subject[:500]
    incoming.problems = list(parsed.problems)
    if "unparseable" in parsed.problems:
        return _hold(incoming, HoldReason.MALFORMED)
    if parsed.loop:
        return _hold(incoming, HoldReason.LOOP)
    request = selectors.request_by_address(incoming.envelope_to + parsed.recipients)
    if request is None:
        return _hold(incoming, HoldReason.UNMATCHED)
    if _spam_flagged(raw):
        return _hold(incoming, HoldReason.SPAM, request)
    if parsed.is_bounce:
        return _deliver(incoming, parsed, request, kind=MessageKind.BOUNCE)
    if not _sender_known(request, parsed.from_address):
        return _hold(incoming, HoldReason.UNKNOWN_SENDER, request)
    kind = MessageKind.AUTO_REPLY if parsed.is_auto_reply else MessageKind.REPLY
    return _deliver(incoming, parsed, request, kind=kind)


def _deliver(
    incoming: IncomingMail, parsed: ParsedMessage, request: FoiRequest, *, kind: str
) -> None:
    """Puts the message on its request: bounces flag the address, replies await classification."""
    incoming.status = (
        MailStatus.RELEASED if incoming.status == MailStatus.RELEASED else MailStatus.ROUTED
    )
    incoming.request = request
    incoming.save()
    reply = kind == MessageKind.REPLY
    message = FoiMessage.objects.create(
        request=request,
        stage=request.stage,
        direction=Direction.INCOMING,
        kind=kind,
        from_address=parsed.from_address[:300],
        from_name=parsed.from_name[:200],
        to_address=request.reply_address,
        subject=parsed.subject[:500],
        text=parsed.text,
        public_text=public_copy(request, parsed.text),
        message_id=parsed.message_id[:500],
        delivery=Delivery.RECEIVED,
        incoming=incoming,
        needs_classification=reply,
    )
    for attachment in parsed.attachments:
        stored = FoiAttachment(
            message=message,
            filename=attachment.filename,
            content_type=attachment.content_type[:200],
            size=attachment.size,
            sha256=hashlib.sha256(attachment.content).hexdigest(),
            text=attachment.text,
            public_text=public_copy(request, attachment.text),
            problems=list(attachment.problems),
        )
        if attachment.content:
            stored.file.save("attachment", ContentFile(attachment.content), save=False)
        stored.save()
    if kind == MessageKind.BOUNCE:
        _bounced(request, parsed, message)
        return
    if not reply:
        touch(request)
        return
    event_add(request, EventKind.MESSAGE_RECEIVED, message=message, as_body=True)
    request.awaiting_classification = True
    request.save(update_fields=["awaiting_classification"])
    touch(request)
    sender = selectors.replying_body(request, message)
    record_official(
        request,
        sender,
        "foi.request.reply",
        public_text(
            gettext_lazy("%(body)s replied to request %(id)d"), body=sender.name, id=request.pk
        ),
        None,
        message=message.pk,
        # A moderator vouched for a message from an address the body is not known to use.
        released_by_moderator=incoming.status == MailStatus.RELEASED,
    )
    from agora.foi.tasks import notify_requester

    transaction.on_commit(lambda: notify_requester.enqueue(request.pk, "reply"))


def _bounced(request: FoiRequest, parsed: ParsedMessage, message: FoiMessage) -> None:
    last = (
        request.messages.filter(direction=Direction.OUTGOING, delivery=Delivery.SENT)
        .order_by("-created", "-pk")
        .first()
    )
    if last is not None:
        last.delivery = Delivery.BOUNCED
        last.delivery_detail = (parsed.subject or "bounce")[:500]
        last.save(update_fields=["delivery", "delivery_detail"])
        details = selectors.body_details(request.body)
        bounced = {address.lower() for address in parsed.bounced_recipients}
        if details is not None and (not bounced or details.request_email.lower() in bounced):
            details.bounced_at = timezone.now()
            details.bounce_detail = (parsed.text or parsed.subject)[:500]
            details.save(update_fields=["bounced_at", "bounce_detail"])
    event_add(request, EventKind.BOUNCED, message=message)
    touch(request)


# Moderation ---------------------------------------------------------------------------------


def incoming_raw(incoming: IncomingMail) -> bytes:
    with incoming.raw.open("rb") as handle:
        data: bytes = handle.read()
    return data


@transaction.atomic
def incoming_release(*, actor: User, incoming: IncomingMail, request: FoiRequest) -> None:
    """A moderator puts a held message on the request it belongs to."""
    if not permissions.can_moderate(actor):
        raise PermissionDenied(gettext_lazy("Only moderators can release held mail."))
    if incoming.status != MailStatus.HELD:
        raise ValidationError(gettext_lazy("This message is not held."))
    raw = incoming_raw(incoming)
    parsed = parse_message(raw, max_attachment_bytes=settings.FOI_MAIL_MAX_BYTES)
    incoming.status = MailStatus.RELEASED
    incoming.handled_by = actor
    incoming.handled_at = timezone.now()
    kind = MessageKind.BOUNCE if parsed.is_bounce else MessageKind.REPLY
    _deliver(incoming, parsed, request, kind=kind)


@transaction.atomic
def incoming_reject(*, actor: User, incoming: IncomingMail) -> None:
    """Spam or junk: it stays stored (nothing is deleted) but goes nowhere."""
    if not permissions.can_moderate(actor):
        raise PermissionDenied(gettext_lazy("Only moderators can reject held mail."))
    incoming.status = MailStatus.REJECTED
    incoming.handled_by = actor
    incoming.handled_at = timezone.now()
    incoming.save(update_fields=["status", "handled_by", "handled_at"])
