"""Rows written out as JSON values or an XLSX workbook (CSV, NDJSON and Parquet are written by
DuckDB itself: agora.datastore.results.copy_to)."""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]  # the package ships no type hints

XLSX_MAX_ROWS = 1_048_575  # a worksheet's limit, less the header row


def plain(value: Any) -> Any:
    """A value JSON can carry: dates and times in ISO 8601."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=plain, allow_nan=False)


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
