"""A resource file's format name and media type, from the kind its content was recognised as."""

from __future__ import annotations

FORMATS = {
    "csv": ("CSV", "text/csv"),
    "json": ("JSON", "application/json"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ods": ("ODS", "application/vnd.oasis.opendocument.spreadsheet"),
    "parquet": ("Parquet", "application/vnd.apache.parquet"),
    "zip": ("ZIP", "application/zip"),
    "pdf": ("PDF", "application/pdf"),
    "png": ("PNG", "image/png"),
    "jpeg": ("JPEG", "image/jpeg"),
    "docx": ("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "odt": ("ODT", "application/vnd.oasis.opendocument.text"),
}
# Text kinds whose extension says more than the content can.
BY_EXTENSION = {
    ".tsv": ("TSV", "text/tab-separated-values"),
    ".txt": ("TXT", "text/plain"),
    ".geojson": ("GeoJSON", "application/geo+json"),
    ".ndjson": ("NDJSON", "application/x-ndjson"),
}


def file_format(kind: str, filename: str) -> tuple[str, str]:
    """(format, media type) of a file of a recognised `kind` named `filename`."""
    lower = filename.lower()
    for extension, described in BY_EXTENSION.items():
        if lower.endswith(extension):
            return described
    return FORMATS[kind]
