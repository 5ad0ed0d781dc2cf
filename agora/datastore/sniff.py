"""Recognising how a delimited text file is written: its encoding, delimiter and header.

Only the start of the file is read to guess the dialect; the encoding check reads the whole
file in fixed-size chunks, because a single cp1252 byte on the last line must not be missed.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
from django.utils.translation import gettext as _

from agora.datastore.errors import IngestError

SAMPLE_BYTES = 256 * 1024
CHUNK_BYTES = 4 * 1024 * 1024
DELIMITERS = (";", ",", "\t", "|")
MAX_COLUMNS = 2000


@dataclass(frozen=True)
class Dialect:
    encoding: str  # a Python codec name; "utf-8" once transcoded
    delimiter: str
    header: bool


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as file:
        try:
            while chunk := file.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_encoding(path: Path) -> str:
    """The file's encoding, or an IngestError when it is not text at all."""
    with path.open("rb") as file:
        head = file.read(SAMPLE_BYTES)
    if not head.strip():
        raise IngestError("empty", _("The file is empty: there is no row to read."))
    if head.startswith((b"PK\x03\x04", b"\x1f\x8b", b"%PDF", b"\x89PNG")):
        raise IngestError(
            "not_text",
            _("The file is not a text table: it looks like an archive, a PDF or an image."),
        )
    if bom := _bom_encoding(head):
        return bom
    controls = sum(1 for byte in head if byte < 0x20 and byte not in (0x09, 0x0A, 0x0D))
    if b"\x00" in head or controls > len(head) // 100:
        raise IngestError(
            "binary",
            _(
                "The file contains binary data (NUL bytes): save it as CSV, UTF-8, and upload it again."
            ),
        )
    if _is_utf8(path):
        return "utf-8"
    return _legacy_encoding(path)


def _non_ascii_lines(path: Path, limit: int = SAMPLE_BYTES) -> bytes:
    """Lines holding non-ASCII bytes, from anywhere in the file: the only ones that tell
    legacy encodings apart."""
    found: list[bytes] = []
    size = 0
    with path.open("rb") as file:
        for line in file:
            if any(byte > 0x7F for byte in line):
                found.append(line[:2000])
                size += len(found[-1])
                if size >= limit:
                    break
    return b"".join(found)


def _legacy_encoding(path: Path) -> str:
    sample = _non_ascii_lines(path)
    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    if best is None:
        return "cp1252"
    # Western European files are nearly always Windows' cp1252 (a superset of Latin-1 with €
    # and typographic quotes): prefer it whenever it is one of the plausible readings.
    plausible = {name for match in matches for name in match.could_be_from_charset}
    if plausible & {"cp1252", "latin_1", "iso8859_15"}:
        try:
            sample.decode("cp1252")
        except UnicodeDecodeError:
            return best.encoding
        return "cp1252"
    return best.encoding


def transcode(path: Path, encoding: str, target: Path) -> None:
    """Writes the file as UTF-8 without a BOM, in chunks; NUL characters become nothing."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := source.read(CHUNK_BYTES):
            out.write(decoder.decode(chunk).replace("\x00", "").lstrip("\ufeff"))
        out.write(decoder.decode(b"", final=True))


def _records(sample: str, delimiter: str) -> list[list[str]]:
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may end inside a line
    try:
        return list(csv.reader(io.StringIO("".join(lines)), delimiter=delimiter))
    except csv.Error:
        return []


def _score(records: list[list[str]]) -> tuple[int, int]:
    """How well a delimiter explains the sample: rows agreeing on one width, and that width."""
    widths = [len(row) for row in records if row]
    if not widths:
        return (0, 0)
    width = max(set(widths), key=widths.count)
    if width < 2:
        return (0, 1)
    # Rows one wider than the header (a trailing delimiter) count as agreeing.
    agreeing = sum(1 for w in widths if w in (width, width - 1, width + 1))
    return (agreeing, width)


def _looks_like_data(row: list[str]) -> bool:
    cells = [cell.strip() for cell in row if cell.strip()]
    return bool(cells) and all(
        cell.replace(",", "").replace(".", "").replace("-", "").replace(" ", "").isdigit()
        for cell in cells
    )


def detect_dialect(path: Path, encoding: str, *, delimiter: str | None = None) -> Dialect:
    with path.open("rb") as file:
        sample = file.read(SAMPLE_BYTES).decode(encoding, errors="replace").lstrip("\ufeff")
    candidates = (delimiter,) if delimiter else DELIMITERS
    scored = {candidate: _score(_records(sample, candidate)) for candidate in candidates}
    best = max(candidates, key=lambda c: scored[c])
    records = _records(sample, best)
    if not records or (scored[best][1] < 2 and len(records[0]) < 2):
        # One column: still a table, as long as there is something in it.
        best = delimiter or ","
    if records and len(records[0]) > MAX_COLUMNS:
        raise IngestError(
            "too_many_columns",
            _("The header has %(count)d columns; a table can have at most %(limit)d.")
            % {"count": len(records[0]), "limit": MAX_COLUMNS},
        )
    return Dialect(
        encoding=encoding,
        delimiter=best,
        header=not (records and _looks_like_data(records[0])),
    )


def header_names(path: Path, dialect: Dialect) -> list[str]:
    """The first record's cells as written (multi-line headers included)."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as file:
        for row in csv.reader(file, delimiter=dialect.delimiter):
            return row
    return []
