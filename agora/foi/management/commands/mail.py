"""`agora mail serve` (the SMTP/LMTP receiver) and `agora mail ingest < message.eml`."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

EX_TEMPFAIL = 75  # what a mail server's pipe understands as "try again later"


class Command(BaseCommand):
    help = "Access-to-information mail: run the receiver, or take one message from a pipe."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve", help="receive mail over SMTP (or LMTP) on a port")
        serve.add_argument("--host", default=settings.FOI_MAIL_HOST)
        serve.add_argument("--port", type=int, default=settings.FOI_MAIL_PORT)
        serve.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")
        ingest = sub.add_parser("ingest", help="read one raw message on standard input")
        ingest.add_argument("--sender", default="", help="the envelope sender")
        ingest.add_argument(
            "--recipient", action="append", default=[], help="an envelope recipient (repeatable)"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "serve":
            self._serve(options["host"], options["port"], options["lmtp"])
        else:
            self._ingest(options["sender"], options["recipient"])

    def _serve(self, host: str, port: int, lmtp: bool) -> None:
        from agora.foi.receiver import controller

        server = controller(host=host, port=port, lmtp=lmtp)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        server.start()
        protocol = "LMTP" if lmtp else "SMTP"
        self.stdout.write(
            f"Receiving {protocol} mail for @{settings.FOI_EMAIL_DOMAIN} on {host}:{port}",
        )
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            server.stop()

    def _ingest(self, sender: str, recipients: list[str]) -> None:
        from agora.foi.inbox import mail_receive

        raw = sys.stdin.buffer.read()
        try:
            incoming = mail_receive(raw, envelope_from=sender, envelope_to=recipients, via="pipe")
        except Exception as error:
            self.stderr.write(f"Could not store the message: {error}")
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(f"Stored message {incoming.pk}: {incoming.status}")
