"""Reading incoming mail: replies as clients write them, and everything broken that arrives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import default

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agora.foi import mailparse
from agora.foi.mailparse import ParsedMessage, parse_message, safe_filename
from agora.foi.tests.test_textextract import docx_bytes, pdf_bytes

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def reply(**headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Records Officer <Records@Valmont.example>")
    message["To"] = headers.pop("To", "Request-12-abc@FOI.example")
    message["Subject"] = headers.pop("Subject", "RE: Road budget 2024")
    message["Message-ID"] = "<reply-1@valmont.example>"
    message["Date"] = "Tue, 03 Jun 2025 10:15:00 +0200"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Dear Jane,\n\nPlease find the budget attached.\n\nRecords Office\n")
    return message


def raw(*lines: str, body: bytes = b"", charset: str = "utf-8") -> bytes:
    """A message written byte by byte, as a broken or legacy client would send it."""
    return "\r\n".join(lines).encode(charset) + b"\r\n\r\n" + body


# Headers and body -----------------------------------------------------------------------


def test_a_simple_reply() -> None:
    message = reply(
        In_Reply_To="<request-12@foi.example>",
        References="<first@foi.example> <request-12@foi.example>",
        Cc="Clerk <clerk@valmont.example>, records@valmont.example",
    )
    parsed = parse_message(message.as_bytes())
    assert parsed.message_id == "<reply-1@valmont.example>"
    assert parsed.in_reply_to == "<request-12@foi.example>"
    assert parsed.references == ["<first@foi.example>", "<request-12@foi.example>"]
    assert parsed.subject == "RE: Road budget 2024"
    assert (parsed.from_name, parsed.from_address) == ("Records Officer", "records@valmont.example")
    assert parsed.recipients == [
        "request-12-abc@foi.example",
        "clerk@valmont.example",
        "records@valmont.example",
    ]
    assert parsed.date == datetime(2025, 6, 3, 8, 15, tzinfo=UTC)
    assert parsed.date.utcoffset() == timedelta(hours=2)
    assert parsed.text == "Dear Jane,\n\nPlease find the budget attached.\n\nRecords Office"
    assert parsed.attachments == []
    assert not (parsed.is_bounce or parsed.is_auto_reply or parsed.loop)
    assert parsed.problems == []


def test_recipients_from_every_routing_header_lower_cased_once() -> None:
    message = raw(
        "From: a@b.example",
        "To: undisclosed-recipients:;",
        'Cc: "Broken <x@y.example>, Good@Z.example',
        "Delivered-To: REQUEST-1-abc@foi.example",
        "X-Original-To: request-1-abc@foi.example",
        "Envelope-To: <other-2-def@foi.example>",
        "Subject: hi",
        body=b"hello",
    )
    assert parse_message(message).recipients == [
        "x@y.example",
        "good@z.example",
        "request-1-abc@foi.example",
        "other-2-def@foi.example",
    ]


def test_a_date_without_zone_is_utc_and_a_bad_one_is_none() -> None:
    naive = raw("From: a@b.example", "Date: Tue, 3 Jun 2025 10:00:00 -0000", body=b"x")
    assert parse_message(naive).date == datetime(2025, 6, 3, 10, 0, tzinfo=UTC)
    bad = raw("From: a@b.example", "Date: yesterday at noon", body=b"x")
    assert parse_message(bad).date is None


def test_message_ids_with_comments_and_without_brackets() -> None:
    message = raw(
        "From: a@b.example",
        "Message-ID: <id-1@b.example> (sent by Outlook)",
        "In-Reply-To: bare-id@foi.example",
        "References: <a@x>\r\n <b@x>  <a@x>",
        body=b"x",
    )
    parsed = parse_message(message)
    assert parsed.message_id == "<id-1@b.example>"
    assert parsed.in_reply_to == "bare-id@foi.example"
    assert parsed.references == ["<a@x>", "<b@x>"]


def test_multipart_alternative_gives_the_plain_text_and_no_attachment() -> None:
    message = reply()
    message.add_alternative(
        "<html><body><p>Dear Jane,</p><p>HTML version</p></body></html>", subtype="html"
    )
    parsed = parse_message(message.as_bytes())
    assert parsed.text.startswith("Dear Jane,\n\nPlease find")
    assert parsed.attachments == []


def test_html_only_is_converted_to_text() -> None:
    message = EmailMessage()
    message["From"] = "a@b.example"
    message.set_content(
        "<html><head><style>p {margin: 0}</style></head><body><p>Bonjour <b>Jane</b>,</p>"
        "<script>track()</script><p>Voici la r&eacute;ponse.</p></body></html>",
        subtype="html",
    )
    parsed = parse_message(message.as_bytes())
    assert parsed.text == "Bonjour Jane,\n\nVoici la réponse."
    assert parsed.attachments == []


def test_images_of_the_html_version_are_attachments() -> None:
    message = reply()
    message.add_alternative("<p>Logo: <img src='cid:logo'></p>", subtype="html")
    message.get_payload()[1].add_related(
        b"\x89PNG\r\n\x1a\nimage", maintype="image", subtype="png", cid="<logo>"
    )
    parsed = parse_message(message.as_bytes())
    assert parsed.text.startswith("Dear Jane")
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("attachment-1.png", "image/png")
    ]


def test_body_parts_around_an_inline_image_are_joined() -> None:
    message = raw(
        "From: a@b.example",
        'Content-Type: multipart/mixed; boundary="b"',
        body=(
            b"--b\r\nContent-Type: text/plain\r\n\r\nBefore the photo.\r\n"
            b"--b\r\nContent-Type: image/jpeg\r\nContent-Disposition: inline\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n"
            b"--b\r\nContent-Type: text/plain\r\n\r\nAfter the photo.\r\n--b--\r\n"
        ),
    )
    parsed = parse_message(message)
    assert parsed.text == "Before the photo.\n\nAfter the photo."
    assert [a.filename for a in parsed.attachments] == ["attachment-1.jpg"]
    assert parsed.attachments[0].content == b"\xff\xd8\xff\xe0\x00\x10"


# Attachments ----------------------------------------------------------------------------


def test_pdf_and_docx_attachments_with_their_text() -> None:
    message = reply()
    message.add_attachment(
        pdf_bytes("Road budget 2024: 1.2 million"),
        maintype="application",
        subtype="pdf",
        filename="budget.pdf",
    )
    message.add_attachment(
        docx_bytes("Décision du conseil", "Adoptée à l'unanimité"),
        maintype="application",
        subtype="octet-stream",  # as many clients label every file
        filename="décision.docx",
    )
    parsed = parse_message(message.as_bytes())
    assert parsed.text.startswith("Dear Jane")
    pdf, docx = parsed.attachments
    assert (pdf.filename, pdf.content_type, pdf.text) == (
        "budget.pdf",
        "application/pdf",
        "Road budget 2024: 1.2 million",
    )
    assert pdf.content.startswith(b"%PDF-") and pdf.size == len(pdf.content)
    assert docx.filename == "décision.docx"
    assert docx.text == "Décision du conseil\nAdoptée à l'unanimité"
    assert parsed.problems == []


def test_a_text_attachment_is_not_the_body() -> None:
    message = reply()
    message.add_attachment("name;amount\nroads;1200\n", subtype="csv", filename="table.csv")
    message.add_attachment("Minutes of the meeting", filename="minutes.txt")
    parsed = parse_message(message.as_bytes())
    assert parsed.text.startswith("Dear Jane") and "Minutes" not in parsed.text
    assert [(a.filename, a.text) for a in parsed.attachments] == [
        ("table.csv", "name;amount\nroads;1200"),
        ("minutes.txt", "Minutes of the meeting"),
    ]


def test_a_zero_byte_attachment() -> None:
    message = reply()
    message.add_attachment(b"", maintype="application", subtype="pdf", filename="empty.pdf")
    parsed = parse_message(message.as_bytes())
    (attachment,) = parsed.attachments
    assert (attachment.filename, attachment.size, attachment.content) == ("empty.pdf", 0, b"")
    assert attachment.problems == ["empty"]
    assert parsed.problems == ["empty_attachment"]


def test_an_attachment_over_the_limit_keeps_its_size_not_its_content() -> None:
    message = reply()
    message.add_attachment(
        pdf_bytes("Big"), maintype="application", subtype="pdf", filename="big.pdf"
    )
    message.add_attachment(
        b"small", maintype="application", subtype="octet-stream", filename="ok.bin"
    )
    parsed = parse_message(message.as_bytes(), max_attachment_bytes=100)
    big, small = parsed.attachments
    assert big.content == b"" and big.size == len(pdf_bytes("Big")) and big.text == ""
    assert big.problems == ["too_large"]
    assert small.content == b"small" and small.problems == []
    assert parsed.problems == ["huge_attachment"]


def test_a_forwarded_message_is_an_eml_attachment() -> None:
    original = EmailMessage()
    original["From"] = "jane@example.org"
    original["Subject"] = "My request"
    original.set_content("Please send the road budget.")
    message = reply()
    message.add_attachment(original)
    parsed = parse_message(message.as_bytes())
    assert parsed.text.startswith("Dear Jane") and "Please send" not in parsed.text
    (attachment,) = parsed.attachments
    assert (attachment.filename, attachment.content_type) == ("attachment-1.eml", "message/rfc822")
    assert b"Subject: My request" in attachment.content
    assert b"Please send the road budget." in attachment.content


def test_encoded_subject_and_filenames() -> None:
    message = raw(
        "From: =?utf-8?q?Jos=C3=A9_P=C3=A9rez?= <jose@b.example>",
        "Subject: =?UTF-8?B?UsOpcG9uc2Ug4oCUIGTDqWNpc2lvbg==?= =?ISO-8859-1?Q?_n=B0_12?=",
        'Content-Type: multipart/mixed; boundary="b"',
        body=(
            b"--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
            b'--b\r\nContent-Type: application/pdf; name="=?utf-8?q?d=C3=A9cision_finale=2Epdf?="\r\n'
            b"Content-Disposition: attachment;\r\n"
            b' filename="=?utf-8?q?d=C3=A9cision_finale=2Epdf?="\r\n\r\n%PDF-broken\r\n'
            b"--b\r\nContent-Type: text/plain\r\n"
            b"Content-Disposition: attachment; filename*=iso-8859-1''r%E9sum%E9.txt\r\n\r\n"
            b"summary\r\n--b--\r\n"
        ),
    )
    parsed = parse_message(message)
    assert parsed.subject == "Réponse — décision n° 12"
    assert parsed.from_name == "José Pérez"
    assert [a.filename for a in parsed.attachments] == ["décision finale.pdf", "résumé.txt"]
    assert parsed.attachments[1].text == "summary"


def test_a_path_in_a_filename_is_dropped() -> None:
    message = reply()
    message.add_attachment(
        b"root:x:0:0", maintype="text", subtype="plain", filename="../../etc/passwd"
    )
    message.add_attachment(
        b"x", maintype="application", subtype="octet-stream", filename="..\\..\\boot.ini"
    )
    parsed = parse_message(message.as_bytes())
    assert [a.filename for a in parsed.attachments] == ["passwd", "boot.ini"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\budget.xlsx", "budget.xlsx"),
        ("..", "attachment-3.pdf"),
        ("", "attachment-3.pdf"),
        ("  .hidden  ", "hidden"),
        ("line\r\nbreak\x00.pdf", "linebreak.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # a right-to-left override disguises .exe
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
        ("y" * 300, "y" * 200),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name, 3, "application/pdf") == expected


def test_default_filenames_follow_the_type() -> None:
    assert safe_filename("", 1, "application/octet-stream") == "attachment-1.bin"
    assert safe_filename("", 2, "message/rfc822") == "attachment-2.eml"
    assert safe_filename("Re: budget", 2, "message/rfc822") == "Re: budget.eml"
    assert safe_filename("", 4, "application/x-unheard-of") == "attachment-4.bin"


# Charsets -------------------------------------------------------------------------------


def test_a_french_message_in_iso_8859_1() -> None:
    message = raw(
        "From: =?ISO-8859-1?Q?Mairie_de_Sa=EFx?= <mairie@saix.example>",
        "Subject: =?ISO-8859-1?Q?R=E9ponse_=E0_votre_demande?=",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=ISO-8859-1",
        "Content-Transfer-Encoding: 8bit",
        body="Madame,\r\n\r\nVoilà la réponse à votre demande d'accès.\r\n".encode("iso-8859-1"),
    )
    parsed = parse_message(message)
    assert parsed.subject == "Réponse à votre demande"
    assert parsed.from_name == "Mairie de Saïx"
    assert parsed.text == "Madame,\n\nVoilà la réponse à votre demande d'accès."
    assert parsed.problems == []


def test_a_french_message_in_windows_1252() -> None:
    message = raw(
        "From: mairie@saix.example",
        "Subject: =?windows-1252?Q?=AB_Co=FBt_=BB_du_projet?=",
        "Content-Type: text/plain; charset=windows-1252",
        "Content-Transfer-Encoding: quoted-printable",
        body=b"=93Le co=FBt total=94 est de 10 000 =80 =96 sign=E9 : l=92adjoint.\r\n",
    )
    parsed = parse_message(message)
    assert parsed.subject == "« Coût » du projet"
    assert parsed.text == "“Le coût total” est de 10 000 € \u2013 signé : l\u2019adjoint."


def test_latin_1_labels_are_read_as_windows_1252() -> None:
    message = raw(
        "From: a@b.example",
        "Content-Type: text/plain; charset=iso-8859-1",
        body=b"\x93Citation\x94 \x80 \xe9t\xe9",
    )
    assert parse_message(message).text == "“Citation” € été"


def test_an_unknown_charset_is_guessed_and_reported() -> None:
    message = raw(
        "From: a@b.example",
        "Subject: =?x-unknown?q?caf=E9?=",
        "Content-Type: text/plain; charset=x-unknown",
        body="Le café est froid, la réponse arrivera après l'été.".encode("cp1252"),
    )
    parsed = parse_message(message)
    assert parsed.subject == "café"
    assert parsed.text == "Le café est froid, la réponse arrivera après l'été."
    assert parsed.problems == ["unknown_charset"]


def test_an_unknown_charset_holding_utf8_is_read_as_utf8() -> None:
    message = raw(
        "From: a@b.example",
        "Content-Type: text/plain; charset=x-unknown",
        body="Ελληνικά και français".encode(),
    )
    parsed = parse_message(message)
    assert parsed.text == "Ελληνικά και français"
    assert parsed.problems == ["unknown_charset"]


def test_raw_8bit_headers_in_utf8_or_latin_1() -> None:
    utf8 = raw("From: Élise Dupré <elise@b.example>", "Subject: Réponse", body=b"ok")
    latin = raw(
        "From: Élise Dupré <elise@b.example>", "Subject: Réponse", body=b"ok", charset="latin-1"
    )
    for message in (utf8, latin):
        parsed = parse_message(message)
        assert (parsed.from_name, parsed.subject) == ("Élise Dupré", "Réponse")


def test_utf8_declared_but_windows_1252_sent() -> None:
    message = raw(
        "From: a@b.example", "Content-Type: text/plain; charset=utf-8", body=b"r\xe9ponse"
    )
    assert parse_message(message).text == "réponse"


def test_nul_and_control_characters_are_dropped_from_the_body() -> None:
    message = raw("From: a@b.example", "Subject: a\x00b", body=b"one\x00two\x07\r\nthree")
    parsed = parse_message(message)
    assert parsed.text == "onetwo\nthree"
    assert parsed.subject == "ab"


# Broken messages ------------------------------------------------------------------------


def test_a_missing_closing_boundary() -> None:
    message = raw(
        "From: a@b.example",
        "Subject: broken",
        'Content-Type: multipart/mixed; boundary="XX"',
        body=(
            b"--XX\r\nContent-Type: text/plain\r\n\r\nThe text survives.\r\n"
            b"--XX\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
            b'filename="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n'
        ),
    )
    parsed = parse_message(message)
    assert parsed.text == "The text survives."
    assert [(a.filename, a.content) for a in parsed.attachments] == [("a.pdf", b"%PDF-1.4\n")]
    assert parsed.problems == ["broken_mime"]


def test_bad_base64() -> None:
    message = raw(
        "From: a@b.example",
        "Content-Type: text/plain",
        "Content-Transfer-Encoding: base64",
        body=b"SGVsbG8gd29ybGQ=@@@\r\n!!*\r\n",
    )
    parsed = parse_message(message)
    assert parsed.text == "Hello world"
    assert parsed.problems == ["broken_mime"]


def test_a_multipart_without_boundary_keeps_its_text() -> None:
    message = raw("From: a@b.example", "Content-Type: multipart/mixed", body=b"Plain words.")
    parsed = parse_message(message)
    assert parsed.text == "Plain words."
    assert "broken_mime" in parsed.problems


def test_the_legacy_parser_takes_over_when_the_modern_one_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A policy that raises on the first defect stands in for a bug of the modern parser.
    monkeypatch.setattr(mailparse, "default", default.clone(raise_on_defect=True))
    message = raw(
        "From: =?utf-8?q?Jos=C3=A9?= <jose@b.example>",
        "To: Request-1-abc@foi.example",
        "Subject: =?iso-8859-1?q?R=E9ponse?= and raw é",
        "Date: Tue, 3 Jun 2025 10:00:00 +0200",
        'Content-Type: multipart/mixed; boundary="XX"',
        body=(
            b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello \xc3\xa9\r\n"
            b'--XX\r\nContent-Type: application/pdf; name="=?utf-8?q?d=C3=A9.pdf?="\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
        ),
    )
    parsed = parse_message(message)
    assert (parsed.from_name, parsed.from_address) == ("José", "jose@b.example")
    assert parsed.subject == "Réponse and raw é"
    assert parsed.recipients == ["request-1-abc@foi.example"]
    assert parsed.date == datetime(2025, 6, 3, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    assert parsed.text == "hello é"
    assert [a.filename for a in parsed.attachments] == ["dé.pdf"]
    assert parsed.problems == ["broken_mime"]


def test_a_message_with_no_body() -> None:
    parsed = parse_message(raw("From: a@b.example", "Subject: (nothing)"))
    assert parsed.subject == "(nothing)" and parsed.text == ""
    assert parsed.problems == ["no_body"]
    assert parse_message(b"From: a@b.example\r\nSubject: cut").problems == ["no_body"]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"  \r\n\r\n ", id="blank"),
        pytest.param(bytes(range(256)) * 10, id="binary junk"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", id="an image"),
    ],
)
def test_what_is_no_mail_is_unparseable(data: bytes) -> None:
    assert parse_message(data) == ParsedMessage(problems=["unparseable"])


def test_a_wrong_type_is_unparseable_not_an_error() -> None:
    assert parse_message("From: a@b.example\r\n\r\nhi").problems == ["unparseable"]  # type: ignore[arg-type]


def test_every_truncation_of_a_rich_message_is_read() -> None:
    message = reply()
    message.add_alternative("<p>HTML</p>", subtype="html")
    message.add_attachment(
        pdf_bytes("Budget"), maintype="application", subtype="pdf", filename="b.pdf"
    )
    message.add_attachment(
        docx_bytes("Word"),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="d.docx",
    )
    data = message.as_bytes()
    for end in range(0, len(data), 41):
        parsed = parse_message(data[:end])
        assert isinstance(parsed, ParsedMessage)
        assert parsed.problems or parsed.text


def assert_storable(parsed: ParsedMessage) -> None:
    """What the database refuses (NUL, lone surrogates) never reaches a text field."""
    texts = [parsed.subject, parsed.from_name, parsed.text] + [
        value for a in parsed.attachments for value in (a.filename, a.text)
    ]
    for text in texts:
        assert "\x00" not in text
        text.encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_parse_message_never_raises(data: bytes) -> None:
    assert_storable(parse_message(data))


# Lines that make parsers stumble, shuffled into messages by hypothesis.
MIME_FRAGMENTS = [
    b"From: a@b.example\r\n",
    b"Subject: =?utf-8?q?x=C3?=\r\n",
    b"Content-Type: multipart/mixed; boundary=b\r\n",
    b"Content-Type: text/plain; charset=x-unknown\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Disposition: attachment; filename*=utf-8''%E9\r\n",
    b"\r\n",
    b"--b\r\n",
    b"--b--\r\n",
    b"Content-Type: message/rfc822\r\n",
    b"Content-Type: message/delivery-status\r\n",
    b"Final-Recipient: rfc822; x@y.example\r\n",
    b'To: "<,>" <@>\r\n',
    b"\xe9\xff\x00\r\n",
    b"SGVsbG8=\r\n",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(MIME_FRAGMENTS), max_size=40))
def test_parse_message_never_raises_on_mime_fragments(lines: list[bytes]) -> None:
    assert_storable(parse_message(b"".join(lines)))


# Bounces, auto-replies, loops -----------------------------------------------------------


def dsn(action: str = "failed", status: str = "5.1.1") -> bytes:
    """An RFC 3464 delivery status notification, as Postfix writes them."""
    return raw(
        "From: Mail Delivery System <MAILER-DAEMON@mx.valmont.example>",
        "To: request-12-abc@foi.example",
        "Subject: Undelivered Mail Returned to Sender",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"',
        body=(
            b"--dsn\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            b"I'm sorry to have to inform you that your message could not be delivered.\r\n"
            b"--dsn\r\nContent-Type: message/delivery-status\r\n\r\n"
            b"Reporting-MTA: dns; mx.valmont.example\r\n"
            b"Arrival-Date: Tue,  3 Jun 2025 10:00:00 +0200 (CEST)\r\n\r\n"
            b"Final-Recipient: rfc822; FOI@valmont.example\r\n"
            b"Original-Recipient: rfc822;foi@valmont.example\r\n"
            + f"Action: {action}\r\nStatus: {status}\r\n".encode()
            + b"Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
            b"--dsn\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            b"From: request-12-abc@foi.example\r\nSubject: Road budget 2024\r\n"
            b"--dsn--\r\n"
        ),
    )


def test_a_delivery_status_notification_is_a_bounce() -> None:
    parsed = parse_message(dsn())
    assert parsed.is_bounce
    assert parsed.bounced_recipients == ["foi@valmont.example"]
    assert parsed.text.startswith("I'm sorry to have to inform you")
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("attachment-1.txt", "message/delivery-status"),
        ("attachment-2.txt", "text/rfc822-headers"),
    ]
    assert "Final-Recipient: rfc822; FOI@valmont.example" in parsed.attachments[0].text
    assert parsed.problems == []


def test_a_delay_notice_is_no_bounce() -> None:
    parsed = parse_message(dsn(action="delayed", status="4.4.1"))
    assert not parsed.is_bounce and parsed.bounced_recipients == []
    assert parsed.is_auto_reply


def test_a_bounce_without_report_from_the_mailer_daemon() -> None:
    message = raw(
        "From: Mail Delivery System <Mailer-Daemon@mx.example>",
        "Subject: Mail delivery failed: returning message to sender",
        "X-Failed-Recipients: foi@valmont.example",
        body=b"This message was created automatically by mail delivery software.",
    )
    parsed = parse_message(message)
    assert parsed.is_bounce and parsed.bounced_recipients == ["foi@valmont.example"]
    postmaster = raw(
        "From: postmaster@mx.example", "Subject: Undeliverable: Road budget", body=b"x"
    )
    assert parse_message(postmaster).is_bounce
    not_a_bounce = raw("From: postmaster@mx.example", "Subject: Road budget", body=b"x")
    assert not parse_message(not_a_bounce).is_bounce


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Auto_Submitted": "auto-generated; owner-email=x@y.example"},
        {"X_Autoreply": "yes"},
        {"X_Autorespond": "Away"},
        {"Precedence": "auto_reply"},
        {"Precedence": "bulk"},
        {"Subject": "Out of Office: RE: Road budget 2024"},
        {"Subject": "Automatic reply: Road budget 2024"},
        {"Subject": "Réponse automatique : Road budget 2024"},
        {"Subject": "Absence du bureau"},
        {"Subject": "Absence"},
    ],
)
def test_auto_replies(headers: dict[str, str]) -> None:
    parsed = parse_message(reply(**headers).as_bytes())
    assert parsed.is_auto_reply and not parsed.is_bounce


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "no"},
        {"Precedence": "list"},
        {"Subject": "RE: Absence of records on the road budget"},
        {"Subject": "Absences of staff in 2024"},
    ],
)
def test_replies_that_are_not_automatic(headers: dict[str, str]) -> None:
    assert not parse_message(reply(**headers).as_bytes()).is_auto_reply


def test_25_received_headers_are_a_loop() -> None:
    hops = [
        f"Received: from mx{i}.example by mx{i + 1}.example; Tue, 3 Jun 2025 10:00:00 +0200"
        for i in range(25)
    ]
    parsed = parse_message(raw(*hops, "From: a@b.example", body=b"again"))
    assert parsed.loop and parsed.problems == ["loop"]
    twenty = parse_message(raw(*hops[:20], "From: a@b.example", body=b"again"))
    assert not twenty.loop


def test_our_own_loop_marker() -> None:
    message = reply(X_Loop="Agora@FOI.example").as_bytes()
    assert parse_message(message, loop_marker="agora@foi.example").loop
    assert not parse_message(message, loop_marker="other@foi.example").loop
    assert not parse_message(message).loop
