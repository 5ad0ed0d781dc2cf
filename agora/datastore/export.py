"""Rows written out as CSV, NDJSON, JSON values or an XLSX workbook, batch by batch."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]  # the package ships no type hints

XLSX_MAX_ROWS = 1_048_575  # a worksheet's limit, less the header row
FLUSH_BYTES = 256 * 1024


def plain(value: Any) -> Any:
    """A value JSON can carry: dates and times in ISO 8601."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=plain, allow_nan=False)


def csv_chunks(names: list[str], rows: Iterable[tuple[Any, ...]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow(["true" if v is True else "false" if v is False else plain(v) for v in row])
        if buffer.tell() > FLUSH_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def ndjson_chunks(names: list[str], rows: Iterable[tuple[Any, ...]]) -> Iterator[bytes]:
    lines: list[str] = []
    size = 0
    for row in rows:
        line = dumps(dict(zip(names, row, strict=True))) + "\n"
        lines.append(line)
        size += len(line)
        if size > FLUSH_BYTES:
            yield "".join(lines).encode()
            lines, size = [], 0
    yield "".join(lines).encode()


def write_xlsx(names: list[str], rows: Iterable[tuple[Any, ...]], target: Path) -> None:
    """A one-sheet workbook written row by row (xlsxwriter's constant-memory mode)."""
    workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    try:
        sheet = workbook.add_worksheet("data")
        dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
        stamps = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        sheet.write_row(0, 0, names)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, datetime.datetime):
                    sheet.write_datetime(r, c, value, stamps)
                elif isinstance(value, datetime.date):
                    sheet.write_datetime(r, c, value, dates)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif value is not None:
                    sheet.write(r, c, value)
    finally:
        workbook.close()
