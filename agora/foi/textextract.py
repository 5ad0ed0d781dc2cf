"""Plain text of the files public bodies send, for search: PDF, Word, OpenDocument, text, HTML.

Attachments come from anyone on the internet: every reader is bounded in size, refuses XML
declarations that could expand or fetch entities, and a file that cannot be read yields ""
instead of an error, so one bad attachment never stops the mail that carries it.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import logging
import re
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from html.parser import HTMLParser
from xml.parsers import expat

from pypdf import PdfReader

logger = logging.getLogger(__name__)

MAX_TEXT = 1_000_000
# Uncompressed size of one member of a DOCX or ODT: far above real documents, far below a bomb.
MAX_MEMBER_BYTES = 50 * 1024 * 1024
# Pages read from one PDF: text search gains little past this, and each page costs time.
MAX_PDF_PAGES = 5000

WORD_NAMESPACES = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # "strict" Office Open XML
}
ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
ODT_TYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.text-template",
    "application/vnd.oasis.opendocument.text-master",
}
HTML_TYPES = {"text/html", "application/xhtml+xml"}
# Text types whose markup would drown their words.
MARKUP_TYPES = {"text/rtf", "text/richtext", "text/enriched", "text/xml"}
TEXT_SUFFIXES = {"txt", "csv", "tsv", "md"}

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:+-]+)""", re.IGNORECASE)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:+-]+)""", re.IGNORECASE)
# Codecs that Python knows but that no mail client means by a charset: they would
# reinterpret the bytes rather than decode them.
NOT_CHARSETS = {"unicode-escape", "raw-unicode-escape", "undefined", "idna", "punycode"}

# Page breaks (form feed) and Unicode separators end lines too.
LINE_BREAKS = (("\r\n", "\n"), ("\r", "\n"), ("\x0c", "\n"), ("\u2028", "\n"), ("\u2029", "\n\n"))
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufeff]")
SPACES = re.compile(r"[^\S\n]+")
BLANK_LINES = re.compile(r"\n{3,}")


class _Refused(Exception):
    """An XML document declares a DTD: no format read here needs one."""


class _Enough(Exception):
    """Enough text has been read; the rest of the document is skipped."""


def extract_text(content: bytes, content_type: str, filename: str) -> str:
    """The text of a file, whitespace normalised and at most MAX_TEXT characters; "" when
    the format is not one read here or the file is broken. Never raises."""
    try:
        return normalise(_extract(content, content_type, filename))
    except Exception as error:  # any reader may fail on hostile input
        logger.info("No text from %r (%s): %s", filename, content_type, type(error).__name__)
        return ""


def normalise(text: str) -> str:
    """Lines stripped, runs of spaces made one, at most one blank line in a row, no control
    characters (the database refuses NUL) and no lone surrogates; at most MAX_TEXT characters."""
    text = text[: MAX_TEXT * 4]  # bounds the work below, which only ever shortens the text
    for old, new in LINE_BREAKS:
        text = text.replace(old, new)
    text = SPACES.sub(" ", CONTROL.sub(" ", text))
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = BLANK_LINES.sub("\n\n", text).strip()
    return text.encode("utf-8", "replace").decode("utf-8")[:MAX_TEXT]


def html_to_text(html: str) -> str:
    """Visible text of an HTML document, without scripts and styles, normalised. Never raises."""
    parser = _HtmlText()
    try:
        parser.feed(html[: MAX_TEXT * 10])
        parser.close()
    except _Enough:
        pass
    except Exception as error:  # keep what was read before the parser gave up
        logger.info("HTML only partly read: %s", type(error).__name__)
    return normalise("".join(parser.parts))


def _extract(content: bytes, content_type: str, filename: str) -> str:
    media = content_type.split(";", 1)[0].strip().lower()
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    # The content decides first: mail clients often send documents as application/octet-stream.
    if b"%PDF-" in content[:1024]:
        return _pdf(content)
    if content.startswith(b"PK\x03\x04"):
        return _office(content, media, suffix)
    if media == "application/pdf" or suffix == "pdf":
        return _pdf(content)
    is_html = media in HTML_TYPES or (not _is_plain(media) and suffix in ("html", "htm", "xhtml"))
    if not is_html and not _is_plain(media) and suffix not in TEXT_SUFFIXES:
        return ""
    if b"\x00" in content[:8192] and not content.startswith(tuple(bom for bom, _name in BOMS)):
        return ""  # binary content under a text label
    decoded = _decode(content, content_type, sniff_meta=is_html)
    return html_to_text(decoded) if is_html else decoded


def _is_plain(media: str) -> bool:
    """Text to read as it is: text/plain, and the tables, calendars and cards sent as text."""
    return media.startswith("text/") and media not in HTML_TYPES and media not in MARKUP_TYPES


def _decode(content: bytes, content_type: str, *, sniff_meta: bool) -> str:
    for bom, encoding in BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, "replace")
    declared = CHARSET.search(content_type)
    label: str | None = declared.group(1) if declared else None
    if label is None and sniff_meta:
        meta = META_CHARSET.search(content[:4096])
        label = meta.group(1).decode("ascii") if meta else None
    codec = text_codec(label) if label else None
    if codec == "ascii":
        # Text labelled ASCII that is not: mail clients mean UTF-8 or Windows-1252.
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            return content.decode("cp1252", "replace")
    return content.decode(codec or "utf-8", "replace")


def text_codec(label: str) -> str | None:
    """Python's codec for a charset label, or None when there is no such text encoding."""
    try:
        info = codecs.lookup(label.strip().strip("\"'"))
    except (LookupError, ValueError):
        return None
    if info.name in NOT_CHARSETS or not getattr(info, "_is_text_encoding", True):
        return None
    # Text labelled ISO-8859-1 is nearly always Windows-1252 (its superset), as browsers assume.
    return "cp1252" if info.name == "iso8859-1" else info.name


def _pdf(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    if reader.is_encrypted:
        reader.decrypt("")  # public bodies often "protect" PDFs with an empty user password
    pages: list[str] = []
    size = 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or size > MAX_TEXT:
            break
        try:
            text = page.extract_text()
        except Exception as error:  # one unreadable page leaves the others
            logger.info("PDF page %d not read: %s", number + 1, type(error).__name__)
            text = ""
        pages.append(text)
        size += len(text)
    return "\n\n".join(pages)


def _office(content: bytes, media: str, suffix: str) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = set(archive.namelist())
        if "word/document.xml" in names:
            collector: _WordText | _OdfText = _WordText()
            member = "word/document.xml"
        elif "content.xml" in names and (
            _member(archive, "mimetype", 200).strip().decode("ascii", "replace") in ODT_TYPES
            if "mimetype" in names
            else media in ODT_TYPES or suffix in ("odt", "ott")
        ):
            collector = _OdfText()
            member = "content.xml"
        else:
            return ""
        document = _member(archive, member, MAX_MEMBER_BYTES)
    _parse_xml(document, collector.start, collector.end, collector.chars)
    collector.flush()
    return "\n".join(collector.lines)


def _member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """The member's bytes; refused when its declared or its real size passes the limit."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise ValueError(f"{name} declares {info.file_size} bytes")
    with archive.open(info) as member:
        data = member.read(limit + 1)  # the declared size may lie
    if len(data) > limit:
        raise ValueError(f"{name} expands past {limit} bytes")
    return data


def _parse_xml(
    data: bytes,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    chars: Callable[[str], None],
) -> None:
    """Streams the document into the handlers. Any DTD is refused before it is read, so no
    entity can expand (billion laughs) or point outside (external entities)."""

    def refuse(*args: object) -> None:
        raise _Refused

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    with contextlib.suppress(_Enough):
        parser.Parse(data, True)


class _Collector(ABC):
    """Paragraphs of a document as it streams by, one line each; each format says which
    elements make text (the parser calls start, end and chars)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []
        self.size = 0

    def add(self, text: str) -> None:
        self.current.append(text)
        self.size += len(text)
        if self.size > MAX_TEXT * 2:
            raise _Enough

    def flush(self) -> None:
        if self.current:
            self.lines.append("".join(self.current))
            self.current = []

    @abstractmethod
    def start(self, name: str, attributes: dict[str, str]) -> None: ...

    @abstractmethod
    def end(self, name: str) -> None: ...

    @abstractmethod
    def chars(self, data: str) -> None: ...


class _WordText(_Collector):
    """word/document.xml: text is in w:t; w:tab and w:br count only inside runs (w:r), since
    paragraph properties also hold w:tab elements that define tab stops."""

    def __init__(self) -> None:
        super().__init__()
        self.in_run = 0
        self.in_text = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _sep, local = name.rpartition("}")
        if namespace not in WORD_NAMESPACES:
            return
        if local == "p":
            self.flush()  # a paragraph inside a text box starts a line of its own
        elif local == "r":
            self.in_run += 1
        elif local == "t":
            self.in_text += 1
        elif self.in_run and local == "tab":
            self.add("\t")
        elif self.in_run and local in ("br", "cr"):
            self.add("\n")
        elif self.in_run and local == "noBreakHyphen":
            self.add("-")

    def end(self, name: str) -> None:
        namespace, _sep, local = name.rpartition("}")
        if namespace not in WORD_NAMESPACES:
            return
        if local == "p":
            self.flush()
        elif local == "r":
            self.in_run = max(0, self.in_run - 1)
        elif local == "t":
            self.in_text = max(0, self.in_text - 1)

    def chars(self, data: str) -> None:
        if self.in_text:
            self.add(data)


class _OdfText(_Collector):
    """content.xml: text is in text:p and text:h, with spans, links and notes inside them;
    text:s stands for runs of spaces, which ODF otherwise collapses."""

    def __init__(self) -> None:
        super().__init__()
        self.in_paragraph = 0
        self.skipping = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _sep, local = name.rpartition("}")
        if namespace != ODF_TEXT:
            return
        if local == "tracked-changes":
            self.skipping += 1  # the text of deletions, kept for undo
        elif local in ("p", "h"):
            self.flush()
            self.in_paragraph += 1
        elif self.in_paragraph and not self.skipping:
            if local == "s":
                count = attributes.get(ODF_TEXT + "}c", "1")
                self.add(" " * min(int(count) if count.isdigit() else 1, 100))
            elif local == "tab":
                self.add("\t")
            elif local == "line-break":
                self.add("\n")

    def end(self, name: str) -> None:
        namespace, _sep, local = name.rpartition("}")
        if namespace != ODF_TEXT:
            return
        if local == "tracked-changes":
            self.skipping = max(0, self.skipping - 1)
        elif local in ("p", "h"):
            self.flush()
            self.in_paragraph = max(0, self.in_paragraph - 1)

    def chars(self, data: str) -> None:
        if self.in_paragraph and not self.skipping:
            self.add(data.replace("\n", " "))


class _HtmlText(HTMLParser):
    SKIP = {"script", "style", "template", "title"}
    PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol"}
    LINES = {
        "address", "article", "aside", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "form", "header", "hr", "li", "main", "nav", "section", "tr",
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.size = 0
        self.skipping = 0
        self.preformatted = 0

    def _add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size > MAX_TEXT * 2:
            raise _Enough

    def _block(self, tag: str) -> None:
        if tag in self.PARAGRAPHS:
            self._add("\n\n")
        elif tag in self.LINES:
            self._add("\n")
        elif tag in ("td", "th"):
            self._add(" ")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag == "br":
            self._add("\n")
        else:
            self.preformatted += tag == "pre"
            self._block(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.SKIP:  # <script/> opens nothing
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag != "br":
            self.preformatted = max(0, self.preformatted - (tag == "pre"))
            self._block(tag)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            # Outside <pre>, a line break in the source is a space on screen.
            self._add(data if self.preformatted else data.replace("\n", " "))
