"""Reading an incoming mail: its headers, the best plain-text body, its attachments, and the
signs of bounces, auto-replies and mail loops.

Mail comes from anyone and arrives broken in every possible way, so `parse_message` never
raises: what it could not read is listed in `problems` (the caller keeps the raw message).
Headers are read with the standard library's modern parser where it copes and decoded by
hand where it does not; a message it cannot read at all is parsed again with the lenient
legacy policy.
"""

from __future__ import annotations

import base64
import binascii
import logging
import mimetypes
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesParser
from email.policy import EmailPolicy, Policy, compat32, default
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

import charset_normalizer

from agora.foi.textextract import MAX_TEXT, extract_text, html_to_text, text_codec

logger = logging.getLogger(__name__)

MAX_FILENAME = 200
MAX_CONTENT_TYPE = 200
MAX_RECEIVED = 20
# Past these lengths (of one header value, and of all of them) headers are decoded by hand,
# in linear time. Real mail stays far below.
MAX_PARSED_HEADER = 8000
MAX_PARSED_HEADERS = 64_000
# Deeper MIME nesting than any mail client writes; past it, parts are not read.
MAX_DEPTH = 30
RECIPIENT_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")
MESSAGE_TYPES = {"message/rfc822", "message/global"}
REPORT_TYPES = {"message/delivery-status", "message/global-delivery-status"}
EXTENSIONS = {
    "message/rfc822": ".eml",
    "message/global": ".eml",
    "message/delivery-status": ".txt",
    "message/global-delivery-status": ".txt",
    "message/disposition-notification": ".txt",
    "text/rfc822-headers": ".txt",
    "text/plain": ".txt",
    "text/html": ".html",
    "image/jpeg": ".jpg",
    "application/octet-stream": ".bin",
}
# Serialises nested messages as they came: no refolding of long headers.
RAW_POLICY = compat32.clone(max_line_length=0)
# Reading Windows-1252 (a superset of Latin-1) is right for nearly all Western European mail.
WESTERN = {"cp1252", "latin_1", "iso8859_15"}

MEDIA_TYPE = re.compile(r"[a-z0-9][\w.+-]*/[\w.+-]+")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")
SURROGATE_ESCAPES = re.compile("[\udc80-\udcff]")
BODY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]")
NOT_IN_ADDRESS = re.compile(r'[\s<>",;()\[\]\\]')
ADDRESS = re.compile(r"[\w.+'=-]+@[\w-]+(?:\.[\w-]+)+")
DSN_FIELD = re.compile(r"^([A-Za-z][\w-]*)[ \t]*:[ \t]*(.*(?:\n[ \t]+.*)*)", re.MULTILINE)
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery status notification \(failure\)|delivery (has )?failed|"
    r"mail delivery failed|delivery failure|failure notice|returned mail|could not be delivered|"
    r"non remis|non distribu|échec de (la )?(remise|distribution)|unzustellbar|onbestelbaar|"
    r"non recapitabile|no se puede entregar",
    re.IGNORECASE,
)
AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto[- ]?reply|auto[- ]?response|"
    r"r[ée]ponse automatique|message automatique|abwesenheit|automatische antwort|"
    r"respuesta autom[áa]tica|risposta automatica|automatisch antwoord|"
    r"(absence|absent)\b\s*(:|$|du bureau|-|\())",
    re.IGNORECASE,
)
AUTO_REPLY_PRECEDENCE = {"bulk", "auto_reply", "junk"}


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes  # empty when the attachment is over the size limit
    size: int  # decoded size, even when the content was dropped
    text: str = ""
    problems: list[str] = field(default_factory=list)  # "empty", "too_large"


@dataclass
class ParsedMessage:
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_address: str = ""  # lower-cased
    from_name: str = ""
    recipients: list[str] = field(default_factory=list)  # lower-cased, each once
    date: datetime | None = None  # always aware; UTC when the header gave no zone
    text: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    is_bounce: bool = False
    bounced_recipients: list[str] = field(default_factory=list)
    is_auto_reply: bool = False
    loop: bool = False
    problems: list[str] = field(default_factory=list)


def parse_message(
    raw: bytes, *, max_attachment_bytes: int = 50 * 1024 * 1024, loop_marker: str = ""
) -> ParsedMessage:
    """Everything the receiver needs from one raw message. Never raises.

    `loop_marker` is the X-Loop value stamped on our own outgoing mail: a message carrying
    it has come back to us. Attachments over `max_attachment_bytes` keep their name and
    size but not their content.
    """
    try:
        data = bytes(raw)
    except Exception:  # not bytes at all: still an answer, not an error
        return _unparseable()
    if not data.strip():
        return _unparseable()
    for policy in (default, compat32):
        try:
            message = BytesParser(policy=policy).parsebytes(data)
            if not message.keys():
                return _unparseable()  # no header at all: this is not a mail
            return _Reader(message, max_attachment_bytes, loop_marker).read(
                fell_back=policy is compat32
            )
        except Exception:  # the parsers' own bugs included: try the next policy
            logger.warning("mail not read with the %s policy", type(policy).__name__, exc_info=True)
    return _unparseable()


def _unparseable() -> ParsedMessage:
    return ParsedMessage(problems=["unparseable"])


class _Reader:
    def __init__(self, message: Message[Any, Any], max_bytes: int, loop_marker: str) -> None:
        self.message = message
        self.policy: Policy = message.policy
        self.max_bytes = max_bytes
        self.loop_marker = loop_marker.strip().lower()
        self.problems: list[str] = []
        self.visited: list[Message[Any, Any]] = []
        # Leaf parts in MIME order with their role: "plain", "html" (body candidates),
        # "report" (a delivery status) or "file".
        self.leaves: list[tuple[Message[Any, Any], str, str]] = []
        self.reports: list[str] = []
        self.delivery_report = False
        self.parser_budget = MAX_PARSED_HEADERS

    def problem(self, code: str) -> None:
        if code not in self.problems:
            self.problems.append(code)

    def read(self, *, fell_back: bool) -> ParsedMessage:
        parsed = ParsedMessage()
        if fell_back:
            self.problem("broken_mime")
        ids = _message_ids(self.raw_values("message-id"))
        parsed.message_id = ids[0] if ids else ""
        replied = _message_ids(self.raw_values("in-reply-to"))
        parsed.in_reply_to = replied[0] if replied else ""
        parsed.references = _unique(_message_ids(self.raw_values("references")))
        parsed.subject = next(iter(self.texts("subject")), "")
        name, address = next(iter(self.addresses("from")), ("", ""))
        parsed.from_name, parsed.from_address = name, address.lower()
        parsed.recipients = _unique(
            address.lower()
            for header in RECIPIENT_HEADERS
            for _name, address in self.addresses(header)
            if "@" in address
        )
        parsed.date = self.date()

        self.walk()
        parsed.text, parsed.attachments = self.body_and_attachments()
        self.bounce(parsed)
        parsed.is_auto_reply = parsed.is_auto_reply or self.auto_reply(parsed.subject)
        parsed.loop = self.loop()
        if parsed.loop:
            self.problem("loop")
        if any(part.defects for part in self.visited):
            self.problem("broken_mime")
        if not parsed.text.strip() and not parsed.attachments:
            self.problem("no_body")
        parsed.problems = self.problems
        return parsed

    # Headers ---------------------------------------------------------------------------

    def raw_values(self, name: str) -> list[str]:
        """Values as received, unfolded, without decoding encoded words (IDs, keywords)."""
        return [
            _one_line(str(value)) for key, value in self.message.raw_items() if key.lower() == name
        ]

    def texts(self, name: str) -> list[str]:
        """Decoded values, each on one line."""
        found = []
        for key, value in self.message.raw_items():
            if key.lower() != name:
                continue
            raw = str(value)
            unknown = _has_unknown_charset(raw)
            if unknown:
                self.problem("unknown_charset")
            text = None
            # The modern parser reads raw 8-bit text only as UTF-8 and turns the text of
            # unknown charsets into replacement characters: those are read by hand.
            if self.modern(raw) and not unknown and not SURROGATE_ESCAPES.search(raw):
                try:
                    text = _one_line(str(self.policy.header_fetch_parse(key, value)))
                except Exception:  # the modern header parser has its own bugs
                    logger.info("header %s read by hand", key, exc_info=True)
            found.append(text if text is not None else _one_line(_decode_words(_clean(raw))))
        return found

    def addresses(self, name: str) -> list[tuple[str, str]]:
        """(display name, address) pairs of every header of that name."""
        found: list[tuple[str, str]] = []
        for key, value in self.message.raw_items():
            if key.lower() == name:
                found.extend(self._addresses(key, value))
        return found

    def modern(self, value: str) -> bool:
        """Whether the modern header parser reads this value: it takes time quadratic in
        the length of a header, so huge or countless ones could stall the receiver."""
        if not isinstance(self.policy, EmailPolicy) or len(value) > min(
            MAX_PARSED_HEADER, self.parser_budget
        ):
            return False
        self.parser_budget -= len(value)
        return True

    def _addresses(self, key: str, value: Any) -> list[tuple[str, str]]:
        if self.modern(str(value)):
            try:
                header = self.policy.header_fetch_parse(key, value)
                # Delivered-To and the like are not address headers for the parser.
                parsed = getattr(header, "addresses", None)
                if parsed is not None:
                    pairs = [
                        (_one_line(item.display_name), _one_line(item.addr_spec)) for item in parsed
                    ]
                    # On a broken header it may take the whole rest of it for one address.
                    if all(_plausible(address) for _name, address in pairs):
                        return pairs
            except Exception:
                logger.info("header %s read by hand", key, exc_info=True)
        text = _one_line(_clean(str(value)))
        pairs = [(n, a.strip()) for n, a in getaddresses([text]) if _plausible(a.strip())]
        if not pairs:  # the legacy parser rejects the whole header over one bad address
            pairs = [("", match) for match in ADDRESS.findall(text)]
        return [(_one_line(_decode_words(n)), a) for n, a in pairs]

    def date(self) -> datetime | None:
        for key, value in self.message.raw_items():
            if key.lower() != "date":
                continue
            moment = None
            if self.modern(str(value)):
                try:
                    moment = getattr(self.policy.header_fetch_parse(key, value), "datetime", None)
                except Exception:
                    logger.info("date read by hand", exc_info=True)
            if not isinstance(moment, datetime):
                try:
                    moment = parsedate_to_datetime(_one_line(_clean(str(value))))
                except Exception:  # ValueError, and worse on odd input
                    moment = None
            if moment is None:
                return None
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return None

    # Body and attachments --------------------------------------------------------------

    def walk(self) -> None:
        """Sorts the leaf parts. Of a multipart/alternative only the best text is a body
        candidate; the other versions give only their non-text parts (images of an HTML
        version). Nested messages stay whole, as one attachment each."""
        stack: list[tuple[Message[Any, Any], bool, int]] = [(self.message, False, 0)]
        while stack:
            part, other_version, depth = stack.pop()
            self.visited.append(part)
            ctype = _content_type(part)
            if ctype in REPORT_TYPES:
                self.leaves.append((part, ctype, "report"))
            elif ctype.startswith("message/") or not part.is_multipart():
                role = "file"
                if _is_body_candidate(part, ctype):
                    if other_version:
                        continue
                    role = "html" if ctype == "text/html" else "plain"
                self.leaves.append((part, ctype, role))
            elif depth >= MAX_DEPTH:
                self.problem("broken_mime")
            else:
                children = _children(part)
                if ctype == "multipart/report" and _param(part, "report-type") == "delivery-status":
                    self.delivery_report = True
                best = -1
                if ctype == "multipart/alternative" and not other_version and children:
                    ranks = [_text_rank(child, depth + 1) for child in children]
                    best = ranks.index(max(ranks))
                for index in reversed(range(len(children))):
                    alternative = best >= 0 and index != best
                    stack.append((children[index], other_version or alternative, depth + 1))

    def body_and_attachments(self) -> tuple[str, list[ParsedAttachment]]:
        plain = [part for part, _ctype, role in self.leaves if role == "plain"]
        html = [part for part, _ctype, role in self.leaves if role == "html"]
        if plain:
            body = "\n\n".join(filter(None, (_tidy(self.part_text(part)) for part in plain)))
            chosen = {id(part) for part in plain}
        else:
            body = html_to_text("\n".join(self.part_text(part) for part in html))
            chosen = {id(part) for part in html}
        attachments: list[ParsedAttachment] = []
        for part, ctype, role in self.leaves:
            if id(part) in chosen:
                continue
            try:
                if role == "report":
                    report = _report_text(part)
                    self.reports.append(report)
                    content = report.encode("utf-8")
                elif ctype.startswith("message/") and part.is_multipart():
                    content = _message_bytes(part)
                else:
                    content = _payload(part)
                attachments.append(self.attachment(part, ctype, content, len(attachments) + 1))
            except Exception:  # one unreadable part costs that part only
                logger.warning("attachment not read", exc_info=True)
                self.problem("broken_mime")
        return body[:MAX_TEXT], attachments

    def attachment(
        self, part: Message[Any, Any], ctype: str, content: bytes, index: int
    ) -> ParsedAttachment:
        filename = safe_filename(_filename(part), index, ctype)
        attachment = ParsedAttachment(filename, ctype, content, len(content))
        if not content:
            attachment.problems.append("empty")
            self.problem("empty_attachment")
        elif len(content) > self.max_bytes:
            attachment.content = b""
            attachment.problems.append("too_large")
            self.problem("huge_attachment")
        else:
            charset = _charset(part)
            declared = f"{ctype}; charset={charset}" if charset else ctype
            attachment.text = extract_text(content, declared, filename)
        return attachment

    def part_text(self, part: Message[Any, Any]) -> str:
        try:
            return self.decode(_payload(part), _charset(part))
        except Exception:  # a body part that cannot be read leaves the others
            logger.warning("body part not read", exc_info=True)
            self.problem("broken_mime")
            return ""

    def decode(self, data: bytes, label: str | None) -> str:
        """Text in its declared charset; a charset Python does not know is guessed."""
        if not label:
            return _guess(data)
        codec = text_codec(label)
        if codec is None:
            self.problem("unknown_charset")
            return _guess(data)
        if codec == "ascii":
            return _guess(data)  # 8-bit text labelled ASCII is UTF-8 or Windows-1252
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            # Mail labelled UTF-8 is often Windows-1252; other labels are wrong in a few bytes.
            return _guess(data) if codec == "utf-8" else data.decode(codec, "replace")
        except Exception:  # codecs that fail on their own terms
            return _guess(data)

    # Bounces, auto-replies, loops ------------------------------------------------------

    def bounce(self, parsed: ParsedMessage) -> None:
        """A delivery status report is a bounce when a recipient failed; a report only of
        delays or successes is an automatic message, not a bounce."""
        failed: list[str] = []
        reported = 0
        for report in self.reports:
            recipients, count = _failed_recipients(report)
            failed.extend(recipients)
            reported += count
        if self.delivery_report or self.reports:
            if reported and not failed:
                parsed.is_auto_reply = True
            else:
                parsed.is_bounce = True
        elif parsed.from_address.split("@", 1)[0] in BOUNCE_SENDERS and BOUNCE_SUBJECT.search(
            parsed.subject
        ):
            parsed.is_bounce = True
        # Exim names the failed recipients in a header of its bounces.
        for value in self.raw_values("x-failed-recipients"):
            failed.extend(address.lower() for address in ADDRESS.findall(value))
            parsed.is_bounce = True
        parsed.bounced_recipients = _unique(failed)

    def auto_reply(self, subject: str) -> bool:
        submitted = [v.split(";", 1)[0].strip().lower() for v in self.raw_values("auto-submitted")]
        if any(value and value != "no" for value in submitted):
            return True
        for name in ("x-autoreply", "x-autorespond"):
            if any(v.strip().lower() not in ("no", "false", "0") for v in self.raw_values(name)):
                return True
        if any(v.strip().lower() in AUTO_REPLY_PRECEDENCE for v in self.raw_values("precedence")):
            return True
        return bool(AUTO_REPLY_SUBJECT.search(subject))

    def loop(self) -> bool:
        received = sum(1 for key, _value in self.message.raw_items() if key.lower() == "received")
        if received > MAX_RECEIVED:
            return True
        marker = self.loop_marker
        return bool(marker) and any(v.strip().lower() == marker for v in self.raw_values("x-loop"))


def safe_filename(name: str, index: int, content_type: str) -> str:
    """A name safe to store and to offer for download: the last path component only, no
    control or invisible formatting characters (a right-to-left override can make a name
    ending in ".exe" look like one ending in ".jpg"), at most MAX_FILENAME characters with
    the extension kept; "attachment-<index>.<ext>" when nothing is left."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    name = re.split(r"[/\\]", name)[-1]
    name = " ".join(name.split()).strip(" .")  # a leading dot hides a file; ".." is no name
    if not name:
        return f"attachment-{index}{_extension(content_type)}"
    if content_type in MESSAGE_TYPES and not name.lower().endswith(".eml"):
        name += ".eml"
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 16:
            name = stem[: MAX_FILENAME - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:MAX_FILENAME]
    return name


def _extension(content_type: str) -> str:
    return (
        EXTENSIONS.get(content_type)
        or mimetypes.guess_extension(content_type, strict=False)
        or ".bin"
    )


def _clean(text: str) -> str:
    """Raw 8-bit header bytes (kept by the parser as surrogate escapes) read as UTF-8,
    else as Windows-1252."""
    if not SURROGATE_ESCAPES.search(text):
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def _plausible(address: str) -> bool:
    return bool(address) and not NOT_IN_ADDRESS.search(address)


def _has_unknown_charset(value: str) -> bool:
    return any(text_codec(match.group(1)) is None for match in ENCODED_WORD.finditer(value))


def _one_line(text: str) -> str:
    text = BODY_CONTROL.sub("", _clean(text))
    return " ".join(text.split()).encode("utf-8", "replace").decode("utf-8")


def _decode_words(value: str) -> str:
    """RFC 2047 encoded words, decoded by hand: the legacy decoder fails on headers that mix
    them with raw 8-bit text, and on unknown charsets. Adjacent words of one charset are
    decoded together, since a character may be split between them."""
    if "=?" not in value:
        return value
    parts: list[str] = []
    chunk = bytearray()
    charset = ""
    end = last_word_end = 0
    for match in ENCODED_WORD.finditer(value):
        gap = value[end : match.start()]
        data = _word_bytes(match.group(2), match.group(3))
        adjacent = end == last_word_end and end > 0 and not gap.strip()
        word_charset = match.group(1).lower()
        if data is None or not adjacent or word_charset != charset:
            parts.append(_decode_chunk(bytes(chunk), charset))
            chunk.clear()
        if data is None:  # not decodable: kept as written
            parts.append(gap + match.group(0))
            end, last_word_end = match.end(), -1
            continue
        if not adjacent:
            parts.append(gap)  # space between two encoded words is not text
        chunk += data
        charset = word_charset
        end = last_word_end = match.end()
    parts.append(_decode_chunk(bytes(chunk), charset))
    parts.append(value[end:])
    return "".join(parts)


def _word_bytes(encoding: str, text: str) -> bytes | None:
    try:
        if encoding in "bB":
            return base64.b64decode(text + "=" * (-len(text) % 4))
        return binascii.a2b_qp(text.encode("ascii"), header=True)
    except (binascii.Error, ValueError):
        return None


def _decode_chunk(data: bytes, charset: str) -> str:
    if not data:
        return ""
    codec = text_codec(charset)
    if codec is None or codec == "ascii":
        return _guess(data)
    try:
        return data.decode(codec, "replace")
    except Exception:
        return _guess(data)


def _guess(data: bytes) -> str:
    """Text in an unknown charset: UTF-8 when it is valid, else what charset_normalizer
    finds, with Windows-1252 for anything that could be Western European."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        matches = charset_normalizer.from_bytes(data[:200_000])
        best = matches.best()
        plausible = {name for match in matches for name in match.could_be_from_charset}
        if best is not None and not plausible & WESTERN:
            return data.decode(best.encoding, "replace")
    except Exception:  # a guess that fails is no guess
        logger.info("charset not guessed", exc_info=True)
    return data.decode("cp1252", "replace")


def _tidy(text: str) -> str:
    """Plain text as the sender wrote it, minus control characters the database refuses."""
    text = BODY_CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    return text.encode("utf-8", "replace").decode("utf-8")


def _message_ids(values: Iterable[str]) -> list[str]:
    found: list[str] = []
    for value in values:
        # Some clients add comments or dates after the ID; bare IDs have no brackets.
        found.extend(MESSAGE_ID.findall(value) or value.split())
    return found


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _content_type(part: Message[Any, Any]) -> str:
    try:
        ctype = part.get_content_type()
    except Exception:
        return "application/octet-stream"
    if len(ctype) > MAX_CONTENT_TYPE or not MEDIA_TYPE.fullmatch(ctype):
        return "application/octet-stream"
    return ctype


def _param(part: Message[Any, Any], name: str) -> str:
    try:
        value = part.get_param(name)
    except Exception:
        return ""
    return value.strip().lower() if isinstance(value, str) else ""


def _charset(part: Message[Any, Any]) -> str | None:
    try:
        charset = part.get_content_charset()
    except Exception:
        return None
    return charset if isinstance(charset, str) and charset.strip() else None


def _filename(part: Message[Any, Any]) -> str:
    try:
        name = part.get_filename()
    except Exception:
        return ""
    # The legacy policy leaves encoded words in names, as some clients send them.
    return _one_line(_decode_words(_clean(name))) if isinstance(name, str) else ""


def _disposition(part: Message[Any, Any]) -> str:
    try:
        return part.get_content_disposition() or ""
    except Exception:
        return ""


def _is_body_candidate(part: Message[Any, Any], ctype: str) -> bool:
    """Inline text without a file name; a multipart without its boundary is text too, the
    only way to keep what it says."""
    broken_multipart = ctype.startswith("multipart/") and not part.is_multipart()
    if ctype not in ("text/plain", "text/html") and not broken_multipart:
        return False
    return _disposition(part) != "attachment" and not _filename(part)


def _children(part: Message[Any, Any]) -> list[Message[Any, Any]]:
    payload = part.get_payload()
    if not isinstance(payload, list):
        return []
    return [child for child in payload if isinstance(child, Message)]


def _text_rank(part: Message[Any, Any], depth: int) -> int:
    """How good a version of a multipart/alternative is as a body: plain text beats HTML."""
    ctype = _content_type(part)
    if part.is_multipart() and not ctype.startswith("message/"):
        if depth >= MAX_DEPTH:
            return 0
        return max((_text_rank(child, depth + 1) for child in _children(part)), default=0)
    if not _is_body_candidate(part, ctype):
        return 0
    return 1 if ctype == "text/html" else 2


def _payload(part: Message[Any, Any]) -> bytes:
    """The decoded content; bad base64 gives what could be decoded, and a defect."""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _message_bytes(part: Message[Any, Any]) -> bytes:
    chunks = []
    for inner in _children(part):
        try:
            chunks.append(inner.as_bytes(policy=RAW_POLICY))
        except Exception:  # the raw mail keeps it; the attachment is then empty
            logger.warning("nested message not serialised", exc_info=True)
    return b"\n".join(chunks)


def _report_text(part: Message[Any, Any]) -> str:
    """A delivery-status part as text: the parser splits it into blocks of fields."""
    blocks = _children(part)
    if not blocks:
        return _guess(_payload(part))
    return "\n".join(
        "".join(f"{key}: {_clean(str(value))}\n" for key, value in block.raw_items())
        for block in blocks
    )


def _failed_recipients(report: str) -> tuple[list[str], int]:
    """Final-Recipient of each block whose Action is "failed" (or missing), and how many
    recipients the report names."""
    failed: list[str] = []
    named = 0
    for block in re.split(r"\n[ \t]*\n", report.replace("\r\n", "\n")):
        fields: dict[str, str] = {}
        for match in DSN_FIELD.finditer(block):
            fields.setdefault(match.group(1).lower(), " ".join(match.group(2).split()))
        recipient = fields.get("final-recipient") or fields.get("original-recipient")
        if not recipient:
            continue
        named += 1
        action = (fields.get("action", "").split() or [""])[0].lower()
        address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
        if action in ("", "failed") and "@" in address:
            failed.append(address)
    return failed, named
