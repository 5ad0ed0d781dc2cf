"""From an uploaded file to tables of text: one per CSV, one per spreadsheet sheet.

Every source is read as a table whose columns are all text, named after the file's header;
types are inferred afterwards from every value (agora.datastore.types), whatever the format.
A source is described here and read where it is used: straight into its typed table when its
first rows tell the types and it can be read in order, or first copied whole into the scratch
database (`load`).
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from agora.datastore import sniff
from agora.datastore.errors import IngestError
from agora.datastore.types import literal, quote

# Formats read as tables, by the catalog's format name.
TABULAR_FORMATS = (
    "CSV",
    "TSV",
    "TXT",
    "XLSX",
    "ODS",
    "XLS",
    "JSON",
    "NDJSON",
    "GeoJSON",
    "Parquet",
)
MAX_NAME = 120
# A line may hold 8 MB (a huge cell, or a header of 10 000 columns); each reading thread
# holds a buffer of four lines. DuckDB's default buffer is 16 lines, 320 MB per thread with
# a 20 MB line: more than the memory limit on any file over 300 MB.
LINE_LIMITS = "max_line_size=8000000, buffer_size=32000000"
MAX_JSON_RECORD = 16 * 1024**2  # one record of a JSON array or line of NDJSON
MAX_GEOJSON = 128 * 1024**2


@dataclass(frozen=True)
class RawTable:
    """A source table read as text. `reads` are the SELECTs that give its columns, tried in
    order until one works; `serial` is the one that reads rows in one thread, in the file's
    order, if there is one; `table` is its name in the scratch database once loaded;
    `sources[i]` is the header cell that column `names[i]` came from."""

    name: str
    table: str
    names: list[str]
    sources: list[str]
    reads: tuple[str, ...]
    serial: str | None


def column_names(header: list[str]) -> list[str]:
    """Unique, non-empty, single-line names, in the header's order."""
    names: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(header, start=1):
        name = re.sub(r"\s+", " ", cell.replace("\ufeff", "")).strip()[:MAX_NAME]
        name = name or f"column_{position}"
        unique, suffix = name, 2
        while unique.lower() in seen:
            unique, suffix = f"{name}_{suffix}", suffix + 1
        seen.add(unique.lower())
        names.append(unique)
    return names


def _describe(
    con: duckdb.DuckDBPyConnection,
    table: str,
    sources_sql: tuple[str, ...],
    header: list[str] | None,
    name: str | None = None,
    *,
    serial: bool = False,
) -> RawTable:
    for position, source_sql in enumerate(sources_sql):
        try:
            columns = con.sql(f"SELECT * FROM {source_sql} LIMIT 0").columns
            break
        except duckdb.Error as error:
            if position == len(sources_sql) - 1:
                raise unreadable(error) from error
    if len(columns) > sniff.MAX_COLUMNS:
        raise IngestError(
            "too_many_columns",
            _("The header has %(count)d columns; a table can have at most %(limit)d.")
            % {"count": len(columns), "limit": sniff.MAX_COLUMNS},
        )
    sources = list(header[: len(columns)]) if header else []
    sources += [str(c) for c in columns[len(sources) :]]
    names = column_names(sources)
    select = ", ".join(
        f"CAST({quote(c)} AS VARCHAR) AS {quote(n)}" for c, n in zip(columns, names, strict=True)
    )
    reads = tuple(f"SELECT {select} FROM {source_sql}" for source_sql in sources_sql)
    return RawTable(name or table, table, names, sources, reads, reads[-1] if serial else None)


def load(con: duckdb.DuckDBPyConnection, raw: RawTable) -> None:
    """Copies the source table whole into the scratch database, as `raw.table`."""
    for position, select in enumerate(raw.reads):
        try:
            con.execute(f"CREATE TABLE {quote(raw.table)} AS {select}")
            return
        except duckdb.InterruptException:
            raise
        except duckdb.Error as error:
            con.execute(f"DROP TABLE IF EXISTS {quote(raw.table)}")
            if position == len(raw.reads) - 1:
                raise unreadable(error) from error


def unreadable(error: Exception) -> IngestError:
    text = str(error)
    if "Maximum line size" in text:
        return IngestError(
            "line_too_long",
            _(
                "A line is longer than %(limit)s, the most a line may hold. Check the file's "
                "quotes: an unclosed quote makes the rest of the file one line."
            )
            % {"limit": "8 MB"},
        )
    detail = text.strip().splitlines()[0][:300] if text.strip() else ""
    return IngestError(
        "unreadable",
        _("The file could not be read as a table (%(detail)s). Check that it is a %(kind)s file.")
        % {"detail": detail, "kind": "CSV, XLSX, ODS, JSON or Parquet"},
    )


def read_delimited(
    con: duckdb.DuckDBPyConnection, path: Path, workdir: Path, *, delimiter: str | None = None
) -> list[RawTable]:
    encoding = sniff.detect_encoding(path)
    if encoding not in {"utf-8", "utf-8-sig"}:
        utf8 = workdir / "source.utf8.csv"
        sniff.transcode(path, encoding, utf8)
        path = utf8
    dialect = sniff.detect_dialect(path, "utf-8", delimiter=delimiter)
    header = sniff.header_names(path, dialect) if dialect.header else None

    def source(parallel: bool) -> str:
        return (
            f"read_csv({literal(str(path))}, delim={literal(dialect.delimiter)}, quote='\"', "
            f"escape='\"', header={str(dialect.header).lower()}, all_varchar=true, "
            f"null_padding=true, parallel={str(parallel).lower()}, strict_mode=false, "
            f"{LINE_LIMITS})"
        )

    # The parallel reader cannot pad short rows in a file with line breaks inside quoted
    # values; the serial one can.
    return [_describe(con, "data", (source(True), source(False)), header, serial=True)]


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # spreadsheets store every number as a float
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value)
    return "" if value is None else str(value)


def _sheet_rows(rows: Iterator[list[Any]]) -> Iterator[list[str]]:
    for row in rows:
        yield [_cell(value) for value in row]


def read_workbook(con: duckdb.DuckDBPyConnection, path: Path, workdir: Path) -> list[RawTable]:
    """Each non-empty sheet is a table, named after the sheet; its first row is the header."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own, undocumented exception types
        raise unreadable(error) from error
    tables = []
    for position, sheet_name in enumerate(workbook.sheet_names):
        sheet = workbook.get_sheet_by_name(sheet_name)
        target = workdir / f"sheet-{position}.csv"
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            written = 0
            for row in _sheet_rows(sheet.iter_rows()):
                if any(row):
                    writer.writerow(row)
                    written += 1
        if written == 0:
            continue
        dialect = sniff.Dialect("utf-8", ",", True)
        header = sniff.header_names(target, dialect)
        source = (
            f"read_csv({literal(str(target))}, delim=',', quote='\"', escape='\"', header=true, "
            f"all_varchar=true, null_padding=true, parallel=false, {LINE_LIMITS})"
        )
        tables.append(
            _describe(
                con, f"sheet_{position}", (source,), header, sheet_name[:MAX_NAME], serial=True
            )
        )
    if not tables:
        raise IngestError("empty", _("The workbook has no sheet with data."))
    return tables


def _json_text(con: duckdb.DuckDBPyConnection, source_sql: str) -> str:
    """Nested values (objects, lists) become JSON text; the rest stays as read."""
    described = con.sql(f"SELECT * FROM {source_sql} LIMIT 0")
    parts = []
    for column, kind in zip(described.columns, described.types, strict=True):
        nested = str(kind).startswith(("STRUCT", "MAP", "JSON")) or str(kind).endswith("]")
        if str(kind).startswith("GEOMETRY"):
            parts.append(f"st_asgeojson({quote(column)}) AS {quote(column)}")
        else:
            parts.append(
                f"to_json({quote(column)}) AS {quote(column)}" if nested else quote(column)
            )
    return f"(SELECT {', '.join(parts)} FROM {source_sql})"


def read_json(con: duckdb.DuckDBPyConnection, path: Path, *, geo: bool = False) -> list[RawTable]:
    size = path.stat().st_size
    if size == 0:
        raise IngestError("empty", _("The file is empty: there is no row to read."))
    try:
        if geo:
            # A FeatureCollection is one JSON object, read whole: its size is bounded.
            if size > MAX_GEOJSON:
                raise IngestError(
                    "too_large",
                    _(
                        "GeoJSON files are read whole, up to %(size)d MB; publish a larger one "
                        "as newline-delimited JSON or Parquet."
                    )
                    % {"size": MAX_GEOJSON // 1024**2},
                )
            # DuckDB reads a FeatureCollection as rows: properties and a geometry column.
            source = f"read_json({literal(str(path))}, maximum_object_size={size + 1})"
        else:
            source = (
                f"read_json({literal(str(path))}, format='auto', records='auto', "
                f"maximum_object_size={MAX_JSON_RECORD})"
            )
        return [_describe(con, "data", (_json_text(con, source),), None)]
    except duckdb.Error as error:
        raise unreadable(error) from error


def read_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> list[RawTable]:
    try:
        source = _json_text(con, f"read_parquet({literal(str(path))})")
        return [_describe(con, "data", (source,), None)]
    except duckdb.Error as error:
        raise unreadable(error) from error


def read_tables(
    con: duckdb.DuckDBPyConnection, path: Path, file_format: str, workdir: Path
) -> list[RawTable]:
    if file_format in {"XLSX", "ODS", "XLS"}:
        return read_workbook(con, path, workdir)
    if file_format in {"JSON", "NDJSON", "GeoJSON"}:
        return read_json(con, path, geo=file_format == "GeoJSON")
    if file_format == "Parquet":
        return read_parquet(con, path)
    return read_delimited(con, path, workdir, delimiter="\t" if file_format == "TSV" else None)
