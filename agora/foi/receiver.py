"""Agora's own mail receiver: SMTP or LMTP on a port, for the FOI domain only.

Each accepted message is stored raw before the server answers 250, so a message the server
acknowledged is never lost; if storing fails (a full disk), the answer is a temporary
failure and the sending server tries again later. Mail for other domains is refused: this
is not a relay.
"""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings

from agora.foi.inbox import mail_receive

logger = logging.getLogger(__name__)


class FoiMailHandler:
    def __init__(self, via: str) -> None:
        self.via = via

    async def handle_RCPT(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        domain = address.rsplit("@", 1)[-1].lower()
        if domain != settings.FOI_EMAIL_DOMAIN.lower():
            return "550 5.7.1 Relaying denied: this server only takes mail for its own domain"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        sender = envelope.mail_from or ""
        try:
            await sync_to_async(mail_receive, thread_sensitive=False)(
                raw, envelope_from=sender, envelope_to=list(envelope.rcpt_tos), via=self.via
            )
        except Exception:
            logger.exception("could not store an incoming message")
            return self._per_recipient(
                envelope, "451 4.3.0 Could not store the message; try again later"
            )
        return self._per_recipient(envelope, "250 2.0.0 Message accepted")

    def _per_recipient(self, envelope: Envelope, status: str) -> str:
        # LMTP answers DATA once per accepted recipient (RFC 2033, 4.2); SMTP once.
        if self.via != "lmtp":
            return status
        return "\r\n".join([status] * max(len(envelope.rcpt_tos), 1))


class LmtpController(Controller):
    def factory(self) -> LMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


def controller(*, host: str, port: int, lmtp: bool = False) -> Controller:
    options: dict[str, Any] = {"data_size_limit": settings.FOI_MAIL_MAX_BYTES}
    kind = LmtpController if lmtp else Controller
    return kind(
        FoiMailHandler("lmtp" if lmtp else "smtp"),
        hostname=host,
        port=port,
        server_hostname=settings.FOI_EMAIL_DOMAIN,
        **options,
    )
