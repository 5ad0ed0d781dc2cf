"""Upload limits: size and type, checked on the content, not on what the client claims.

A module that accepts files registers its upload addresses (`register_upload_path`), which
alone take bodies up to MAX_UPLOAD_SIZE (everything else stops at MAX_REQUEST_SIZE), and
checks each file with `validate_upload(file, kinds=...)`: the type is recognised from the
first bytes (a PDF renamed .csv is refused as a PDF).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

SNIFF_BYTES = 8192
_upload_paths: list[tuple[re.Pattern[str], int | None]] = []


def register_upload_path(pattern: str, *, max_size: int | None = None) -> None:
    """Lets requests whose path matches `pattern` (a regex) carry large bodies."""
    _upload_paths.append((re.compile(pattern), max_size))


def upload_limit(path: str) -> int | None:
    """The body limit of an upload address, or None when `path` is not one."""
    for pattern, max_size in _upload_paths:
        if pattern.match(path):
            return max_size or settings.MAX_UPLOAD_SIZE
    return None


@dataclass(frozen=True)
class FileKind:
    name: str
    extensions: tuple[str, ...]
    magic: tuple[bytes, ...] = ()  # empty: a text format


KINDS = {
    k.name: k
    for k in [
        FileKind("pdf", (".pdf",), (b"%PDF-",)),
        FileKind("png", (".png",), (b"\x89PNG\r\n\x1a\n",)),
        FileKind("jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
        FileKind("zip", (".zip",), (b"PK\x03\x04", b"PK\x05\x06")),
        # Office Open XML and OpenDocument files are ZIP archives.
        FileKind("xlsx", (".xlsx",), (b"PK\x03\x04",)),
        FileKind("ods", (".ods",), (b"PK\x03\x04",)),
        FileKind("docx", (".docx",), (b"PK\x03\x04",)),
        FileKind("odt", (".odt",), (b"PK\x03\x04",)),
        FileKind("parquet", (".parquet",), (b"PAR1",)),
        FileKind("csv", (".csv", ".tsv", ".txt")),
        FileKind("json", (".json", ".geojson", ".ndjson")),
    ]
}
_BINARY_MAGIC = {m for k in KINDS.values() for m in k.magic}


class UploadRejected(ValueError):
    pass


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with its byte-order mark: NUL bytes are expected
    return b"\x00" not in head and not any(head.startswith(m) for m in _BINARY_MAGIC)


def detect_kind(name: str, head: bytes, allowed: set[str]) -> str | None:
    """The allowed kind that both the extension and the content agree on, if any."""
    lower = name.lower()
    for kind_name in sorted(allowed):
        kind = KINDS[kind_name]
        if not lower.endswith(kind.extensions):
            continue
        if kind.magic and any(head.startswith(m) for m in kind.magic):
            return kind.name
        if not kind.magic and _looks_like_text(head):
            return kind.name
    return None


def validate_upload(
    file: UploadedFile[Any], *, kinds: set[str], max_size: int | None = None
) -> str:
    """Returns the file's kind, or raises UploadRejected with a message saying what to fix."""
    limit = settings.MAX_UPLOAD_SIZE if max_size is None else max_size
    size = file.size or 0
    if size == 0:
        raise UploadRejected(_("The file is empty."))
    if size > limit:
        raise UploadRejected(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    kind = detect_kind(file.name or "", head, kinds)
    if kind is None:
        accepted = ", ".join(ext for k in sorted(kinds) for ext in KINDS[k].extensions)
        raise UploadRejected(
            _(
                "This file's type is not accepted here, or its content does not match its name. Accepted: %(types)s."
            )
            % {"types": accepted}
        )
    return kind
