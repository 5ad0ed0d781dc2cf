"""Incoming mail: real SMTP on loopback to the receiver, the pipe, routing and moderation."""

from __future__ import annotations

import smtplib
import socket
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from django.conf import settings
from django.core.management import call_command

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.foi import inbox, services
from agora.foi.choices import (
    Delivery,
    HoldReason,
    MailStatus,
    MessageKind,
    RequestStatus,
)
from agora.foi.models import FoiBody, FoiMessage, FoiRequest, IncomingMail
from agora.foi.outbox import message_deliver
from agora.foi.receiver import controller
from agora.foi.tests import factories
from agora.ledger.models import LedgerEntry


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def citizen(db: None) -> User:
    return UserFactory(display_name="Jane Citizen", email="jane@example.org")


@pytest.fixture
def request_(citizen: User) -> FoiRequest:
    council = factories.body(website="https://www.valmont.example")
    request = factories.request(citizen, council)
    for message in FoiMessage.objects.filter(request=request):
        message_deliver(message.pk)
    return request


def reply(request: FoiRequest, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Records Officer <records@valmont.example>")
    message["To"] = headers.pop("To", request.reply_address)
    message["Subject"] = headers.pop("Subject", f"RE: {request.title}")
    message["Message-ID"] = "<reply-1@valmont.example>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(
        "Dear Jane Citizen,\n\nPlease find the contracts attached. Call 01632 960123 with any "
        "question, or write to clerk@valmont.example.\n"
    )
    message.add_attachment(
        b"contract,amount\nA-road,1200\n", maintype="text", subtype="csv", filename="contracts.csv"
    )
    return message


@pytest.fixture
def receiver(transactional_db: None) -> Iterator[int]:
    """Agora's SMTP receiver on a free loopback port, for the duration of a test."""
    port = _free_port()
    server = controller(host="127.0.0.1", port=port)
    server.start()
    try:
        yield port
    finally:
        server.stop()


def test_a_reply_sent_over_smtp_lands_on_its_request(receiver: int, citizen: User) -> None:
    council = factories.body()
    request = factories.request(citizen, council)
    raw = reply(request).as_bytes()
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        refused = smtp.sendmail("records@valmont.example", [request.reply_address], raw)
    assert refused == {}
    stored = IncomingMail.objects.get()
    assert stored.status == MailStatus.ROUTED and stored.request == request
    kept = inbox.incoming_raw(stored).replace(b"\r\n", b"\n").rstrip(b"\n")
    assert kept == raw.replace(b"\r\n", b"\n").rstrip(b"\n")  # as sent (SMTP ends lines)
    message = FoiMessage.objects.get(request=request, kind=MessageKind.REPLY)
    assert "Please find the contracts attached" in message.public_text
    assert "01632 960123" not in message.public_text and "Jane Citizen" not in message.public_text
    attachment = message.attachments.get()
    assert attachment.filename == "contracts.csv" and not attachment.approved
    assert "A-road" in attachment.text
    request.refresh_from_db()
    assert request.awaiting_classification
    assert LedgerEntry.objects.filter(action="foi.request.reply").count() == 1


def test_lmtp_answers_once_per_recipient(transactional_db: None, citizen: User) -> None:
    """RFC 2033: after DATA, one reply per accepted recipient (Python's smtplib.LMTP reads only
    one, so the conversation is spoken line by line, as Postfix's LMTP client speaks it)."""
    port = _free_port()
    server = controller(host="127.0.0.1", port=port, lmtp=True)
    server.start()
    try:
        council = factories.body()
        first, second = (factories.request(citizen, council, title=t) for t in ("Roads", "Parks"))
        raw = reply(first).as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            replies = sock.makefile("rb")

            def say(line: bytes) -> bytes:
                sock.sendall(line + b"\r\n")
                answer = replies.readline()
                while answer[3:4] == b"-":  # a multi-line reply
                    answer = replies.readline()
                return answer

            assert replies.readline().startswith(b"220")
            assert say(b"LHLO mx.example").startswith(b"250")
            assert say(b"MAIL FROM:<records@valmont.example>").startswith(b"250")
            for address in (first.reply_address, second.reply_address):
                assert say(f"RCPT TO:<{address}>".encode()).startswith(b"250")
            assert say(b"DATA").startswith(b"354")
            sock.sendall(raw + b"\r\n.\r\n")
            answers = [replies.readline(), replies.readline()]
            assert all(a.startswith(b"250 ") for a in answers), answers
            assert say(b"QUIT").startswith(b"221")
    finally:
        server.stop()
    assert IncomingMail.objects.get().status == MailStatus.ROUTED


def test_the_receiver_is_not_a_relay(receiver: int) -> None:
    with (
        smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp,
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        smtp.sendmail("x@spam.example", ["victim@elsewhere.example"], b"Subject: hi\r\n\r\nhi")
    assert not IncomingMail.objects.exists()


def test_mail_for_no_request_is_held_not_lost(receiver: int) -> None:
    raw = b"From: someone@example.org\r\nSubject: hello\r\n\r\nAnyone there?\r\n"
    address = f"request-999-0123456789ab@{settings.FOI_EMAIL_DOMAIN}"
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        smtp.sendmail("someone@example.org", [address], raw)
    stored = IncomingMail.objects.get()
    assert (stored.status, stored.hold_reason) == (MailStatus.HELD, HoldReason.UNMATCHED)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"From": "Someone <someone@gmail.example>"}, HoldReason.UNKNOWN_SENDER),
        ({"X_Spam_Flag": "YES"}, HoldReason.SPAM),
        ({"X_Spam": "Yes"}, HoldReason.SPAM),
        # From the body's domain, but its DMARC check failed at the mail server: forged.
        (
            {
                "Authentication_Results": "mx.agora.example; spf=pass; dmarc=fail header.from=valmont.example"
            },
            HoldReason.SPAM,
        ),
    ],
)
def test_suspicious_replies_wait_for_a_moderator(
    request_: FoiRequest, headers: dict[str, str], reason: str
) -> None:
    stored = inbox.mail_receive(reply(request_, **headers).as_bytes())
    assert (stored.status, stored.hold_reason) == (MailStatus.HELD, reason)
    assert not FoiMessage.objects.filter(kind=MessageKind.REPLY).exists()
    staff = UserFactory(is_staff=True)
    inbox.incoming_release(actor=staff, incoming=stored, request=request_)
    stored.refresh_from_db()
    assert stored.status == MailStatus.RELEASED and stored.handled_by == staff
    assert FoiMessage.objects.filter(kind=MessageKind.REPLY, request=request_).count() == 1
    entry = LedgerEntry.objects.filter(action="foi.request.reply").latest("pk")
    assert entry.data["released_by_moderator"] is True


@pytest.mark.django_db
def test_a_loop_and_garbage_are_stored_raw_and_held(request_: FoiRequest) -> None:
    looped = reply(request_, X_Loop="agora@foi.localhost").as_bytes()
    assert inbox.mail_receive(looped).hold_reason == HoldReason.LOOP
    junk = bytes(range(256)) * 10
    stored = inbox.mail_receive(junk, envelope_to=[request_.reply_address])
    assert stored.status == MailStatus.HELD
    assert inbox.incoming_raw(stored) == junk
    empty = inbox.mail_receive(b"")
    assert empty.status == MailStatus.HELD and inbox.incoming_raw(empty) == b""


@pytest.mark.django_db
def test_a_bounce_flags_the_bodys_address(request_: FoiRequest) -> None:
    dsn = (
        "From: Mail Delivery System <MAILER-DAEMON@valmont.example>\r\n"
        f"To: {request_.reply_address}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThe mailbox does not exist.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.valmont.example\r\n\r\n"
        "Final-Recipient: rfc822; foi@valmont.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--b--\r\n"
    ).encode()
    stored = inbox.mail_receive(dsn)
    assert stored.status == MailStatus.ROUTED
    assert (
        FoiMessage.objects.get(request=request_, kind=MessageKind.REQUEST).delivery
        == Delivery.BOUNCED
    )
    assert FoiBody.objects.get(organisation=request_.body).bounced_at is not None
    request_.refresh_from_db()
    assert not request_.awaiting_classification  # a bounce is not a reply


@pytest.mark.django_db
def test_an_out_of_office_is_kept_but_needs_no_classification(request_: FoiRequest) -> None:
    inbox.mail_receive(
        reply(request_, Auto_Submitted="auto-replied", Subject="Out of office").as_bytes()
    )
    message = FoiMessage.objects.get(request=request_, direction="incoming")
    assert message.kind == MessageKind.AUTO_REPLY and not message.needs_classification


@pytest.mark.django_db
def test_classifying_the_reply_clears_the_wait(request_: FoiRequest, citizen: User) -> None:
    inbox.mail_receive(reply(request_).as_bytes())
    services.foi_request_classify(actor=citizen, request=request_, classification="successful")
    request_.refresh_from_db()
    assert request_.status == RequestStatus.ANSWERED and not request_.awaiting_classification
    assert not FoiMessage.objects.filter(needs_classification=True).exists()


@pytest.mark.django_db
def test_mail_ingest_reads_a_message_from_a_pipe(request_: FoiRequest, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io

    raw = reply(request_).as_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("mail", "ingest", "--recipient", request_.reply_address, stdout=out)
    assert "routed" in out.getvalue()
    assert IncomingMail.objects.get().received_via == "pipe"


def test_mail_serve_runs_as_a_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`agora mail serve` listens, answers SMTP, and stops on SIGTERM."""
    port = _free_port()
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "VAR_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "agora.cli", "mail", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        assert server.stdout is not None
        lines = iter(server.stdout.readline, b"")
        assert any(f"127.0.0.1:{port}" in line.decode() for line in lines)
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            code, _banner = smtp.noop()
            assert code == 250
    finally:
        server.terminate()
        assert server.wait(timeout=20) == 0
