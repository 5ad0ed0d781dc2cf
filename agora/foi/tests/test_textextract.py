"""Text of attachments: real PDF, DOCX and ODT files built here, and broken or hostile ones."""

from __future__ import annotations

import io
import struct
import time
import zipfile

import pytest

from agora.foi import textextract
from agora.foi.textextract import MAX_TEXT, extract_text, html_to_text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
ODF = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(*pages: str) -> bytes:
    """A minimal valid PDF, one Helvetica line of text per page, with a correct xref table."""
    font = 3 + 2 * len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
    ]
    for i, text in enumerate(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {4 + 2 * i} 0 R >>".encode()
        )
        stream = f"BT /F1 12 Tf 72 720 Td ({_pdf_string(text)}) Tj ET".encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes(*paragraphs: str, document: str | None = None) -> bytes:
    """A Word document: each paragraph one run of text; or the given document.xml."""
    body = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    xml = (
        document
        or f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>'
    )
    return _zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            "word/document.xml": xml.encode("utf-8"),
        }
    )


def odt_bytes(content: str, *, doctype: str = "") -> bytes:
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<office:document-content {ODF}>'
        f"<office:body><office:text>{content}</office:text></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # ODF wants the mimetype member first and stored.
        archive.writestr("mimetype", ODT, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", xml.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# PDF ------------------------------------------------------------------------------------


def test_pdf_text_from_every_page() -> None:
    data = pdf_bytes("Budget 2024 of the council", "Second page (annex)")
    assert extract_text(data, "application/pdf", "budget.pdf") == (
        "Budget 2024 of the council\n\nSecond page (annex)"
    )


def test_pdf_is_recognised_by_its_content_whatever_its_label() -> None:
    data = pdf_bytes("Minutes of the meeting")
    assert extract_text(data, "application/octet-stream", "scan") == "Minutes of the meeting"
    assert extract_text(data, "text/plain", "minutes.txt") == "Minutes of the meeting"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(pdf_bytes("Truncated")[:150], id="truncated"),
        pytest.param(b"%PDF-1.7\n" + bytes(range(256)) * 20, id="junk after the header"),
        pytest.param(b"not a pdf at all", id="not a pdf"),
        pytest.param(b"", id="empty"),
    ],
)
def test_a_broken_pdf_gives_no_text(data: bytes) -> None:
    assert extract_text(data, "application/pdf", "broken.pdf") == ""


def test_pdf_text_with_bad_offsets_is_still_read() -> None:
    # A wrong startxref (common in generated PDFs) makes pypdf rebuild the table.
    data = pdf_bytes("Recovered text").replace(b"startxref\n", b"startxref\n9")
    assert extract_text(data, "application/pdf", "x.pdf") == "Recovered text"


# DOCX -----------------------------------------------------------------------------------


def test_docx_paragraphs_tabs_and_breaks() -> None:
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>'
        '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'
        '<w:r><w:t>Réponse</w:t></w:r><w:r><w:t xml:space="preserve"> à votre </w:t></w:r>'
        "<w:r><w:t>demande</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Name</w:t><w:tab/><w:t>Amount</w:t><w:br/><w:t>Roads</w:t></w:r></w:p>"
        "<w:p><w:r><w:delText>deleted words</w:delText><w:instrText>PAGE</w:instrText></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell &amp; table</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "</w:body></w:document>"
    )
    text = extract_text(docx_bytes(document=document), DOCX, "reply.docx")
    assert text == "Réponse à votre demande\nName Amount\nRoads\ncell & table"


def test_docx_is_recognised_by_its_content() -> None:
    data = docx_bytes("First paragraph", "Second paragraph")
    assert extract_text(data, "application/octet-stream", "") == "First paragraph\nSecond paragraph"


def test_a_zip_that_is_no_document_gives_no_text() -> None:
    data = _zip({"notes.txt": b"hello"})
    assert extract_text(data, DOCX, "fake.docx") == ""


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(docx_bytes("Some text")[:60], id="truncated"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 100, id="zip header only"),
        pytest.param(docx_bytes(document="<w:document><w:body><w:p>"), id="broken xml"),
    ],
)
def test_a_broken_docx_gives_no_text(data: bytes) -> None:
    assert extract_text(data, DOCX, "broken.docx") == ""


def _declare_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with the uncompressed size of one member rewritten in its central directory
    entry, as a zip bomb would declare (or hide) it."""
    position = data.index(b"PK\x01\x02")
    while data[position + 46 : position + 46 + len(member)] != member.encode():
        position = data.index(b"PK\x01\x02", position + 4)
    return data[: position + 24] + struct.pack("<I", size) + data[position + 28 :]


def test_a_member_declared_huge_is_not_read() -> None:
    data = _declare_size(docx_bytes("Bomb"), "word/document.xml", 3_000_000_000)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml").file_size == 3_000_000_000
    assert extract_text(data, DOCX, "bomb.docx") == ""


def test_a_member_that_expands_past_the_limit_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textextract, "MAX_MEMBER_BYTES", 10_000)
    padding = " " * 20_000  # compresses to almost nothing
    data = docx_bytes(
        document=f"<w:document {W}><w:body><w:p><w:r><w:t>x{padding}</w:t></w:r></w:p></w:body></w:document>"
    )
    assert len(data) < 2_000
    assert extract_text(data, DOCX, "bomb.docx") == ""


def test_a_member_whose_declared_size_lies_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textextract, "MAX_MEMBER_BYTES", 10_000)
    padding = " " * 20_000
    data = docx_bytes(
        document=f"<w:document {W}><w:body><w:p><w:r><w:t>x{padding}</w:t></w:r></w:p></w:body></w:document>"
    )
    assert extract_text(_declare_size(data, "word/document.xml", 100), DOCX, "liar.docx") == ""


def test_entities_are_refused() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE w:document ['
        '<!ENTITY a "hahahahahahahahahaha">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        f"]><w:document {W}><w:body><w:p><w:r><w:t>&d;</w:t></w:r></w:p></w:body></w:document>"
    )
    started = time.monotonic()
    assert extract_text(docx_bytes(document=laughs), DOCX, "laughs.docx") == ""
    assert time.monotonic() - started < 2


def test_external_entities_are_refused() -> None:
    external = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        f"<w:document {W}><w:body><w:p><w:r><w:t>&secret;</w:t></w:r></w:p></w:body></w:document>"
    )
    assert extract_text(docx_bytes(document=external), DOCX, "xxe.docx") == ""
    odt = odt_bytes(
        "<text:p>x</text:p>", doctype='<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">'
    )
    assert extract_text(odt, ODT, "xxe.odt") == ""


# ODT ------------------------------------------------------------------------------------


def test_odt_paragraphs_headings_spans_and_spaces() -> None:
    content = (
        '<text:h text:outline-level="1">Décision</text:h>'
        '<text:p>La <text:span text:style-name="T1">commune</text:span> accepte.</text:p>'
        '<text:p>A<text:s text:c="3"/>B<text:tab/>C<text:line-break/>D</text:p>'
        "<text:tracked-changes><text:changed-region><text:deletion>"
        "<text:p>removed words</text:p></text:deletion></text:changed-region></text:tracked-changes>"
        "<text:list><text:list-item><text:p>item one</text:p></text:list-item></text:list>"
    )
    text = extract_text(odt_bytes(content), ODT, "decision.odt")
    assert text == "Décision\nLa commune accepte.\nA B C\nD\nitem one"


def test_odt_is_recognised_by_its_mimetype_member() -> None:
    data = odt_bytes("<text:p>Hello</text:p>")
    assert extract_text(data, "application/octet-stream", "file.bin") == "Hello"


def test_a_spreadsheet_is_not_read_as_text() -> None:
    data = odt_bytes("<text:p>cell</text:p>").replace(
        ODT.encode(), b"application/vnd.oasis.opendocument.spreadsheet"
    )
    assert extract_text(data, "application/vnd.oasis.opendocument.spreadsheet", "x.ods") == ""


# Text and HTML --------------------------------------------------------------------------


def test_plain_text_in_its_declared_charset() -> None:
    data = "Réponse à la demande n° 12\r\n\r\n\r\n\r\nCordialement".encode("iso-8859-1")
    text = extract_text(data, "text/plain; charset=ISO-8859-1", "reponse.txt")
    assert text == "Réponse à la demande n° 12\n\nCordialement"


def test_plain_text_without_charset_is_utf8_with_replacement() -> None:
    assert extract_text("Été".encode(), "text/plain", "a.txt") == "Été"
    assert extract_text(b"caf\xe9 ok", "text/plain", "a.txt") == "caf\ufffd ok"
    assert extract_text(b"abc", "text/plain; charset=x-unknown", "a.txt") == "abc"


def test_csv_and_other_text_types_are_read_as_plain_text() -> None:
    data = "commune;montant\nSaïx;1200\n".encode("cp1252")
    assert (
        extract_text(data, "text/csv; charset=windows-1252", "t.csv")
        == "commune;montant\nSaïx;1200"
    )
    assert extract_text(b"a,b", "application/octet-stream", "t.csv") == "a,b"
    assert extract_text(b"{\\rtf1 text}", "text/rtf", "letter.rtf") == ""


def test_utf16_text_with_a_bom() -> None:
    data = "\ufeffBonjour".encode("utf-16-le")
    assert extract_text(data, "text/plain", "a.txt") == "Bonjour"


def test_binary_content_labelled_as_text_gives_no_text() -> None:
    assert extract_text(b"MZ\x90\x00\x03\x00\x00\x00", "text/plain", "setup.txt") == ""


def test_html_without_scripts_and_styles() -> None:
    html = (
        "<html><head><title>Page title</title><style>p { color: red }</style>"
        "<script>var secret = 1;</script></head><body>"
        "<h1>Titre</h1><p>Premier&nbsp;paragraphe avec <b>gras</b> et &eacute;.</p>"
        "<script type='text/javascript'>alert('x')</script>"
        "<div>Ligne<br>suivante</div><table><tr><td>A</td><td>B</td></tr></table>"
        "<pre>  keep\n  lines</pre></body></html>"
    )
    text = extract_text(html.encode("utf-8"), "text/html; charset=utf-8", "page.html")
    assert (
        text
        == "Titre\n\nPremier paragraphe avec gras et é.\n\nLigne\nsuivante\n\nA B\n\nkeep\nlines"
    )
    assert "secret" not in text and "alert" not in text and "color" not in text


def test_html_charset_from_its_meta_tag() -> None:
    html = '<html><head><meta charset="windows-1252"></head><body>“Quotes” €</body></html>'
    assert extract_text(html.encode("cp1252"), "text/html", "page.htm") == "“Quotes” €"


def test_html_to_text_survives_broken_markup() -> None:
    assert html_to_text("<p>open <b>never closed <a href='x").startswith("open never closed")
    assert html_to_text("<script>never closed") == ""
    assert html_to_text("") == ""


# Anything else --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "filename"),
    [("image/png", "photo.png"), ("application/octet-stream", "data.bin"), ("", "")],
)
def test_other_formats_give_no_text(content_type: str, filename: str) -> None:
    assert extract_text(b"\x89PNG\r\n\x1a\n\x00\x00", content_type, filename) == ""


def test_text_is_normalised_and_capped() -> None:
    data = b"a\x01b\tc   d\x0ce\r\nf" + b" word" * (MAX_TEXT // 4)
    text = extract_text(data, "text/plain", "long.txt")
    assert text.startswith("a b c d\ne\nf word")
    assert len(text) == MAX_TEXT


def test_normalise_drops_what_the_database_refuses() -> None:
    assert textextract.normalise("a\x00b \ud800 c\u2028d") == "a b ? c\nd"
