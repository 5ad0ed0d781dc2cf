"""Building a table version: typed DuckDB file, Parquet file, column profile, Table Schema.

Everything is written in a work directory first; the caller moves the finished files into
storage, so a failure at any step leaves nothing half-published.
"""

from __future__ import annotations

import datetime
import decimal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.utils.translation import gettext as _

from agora.datastore import readers, search, types
from agora.datastore.errors import IngestError, SchemaMismatch
from agora.datastore.types import literal, quote

TABLE = "data"  # the name of the table inside each table file
MAX_PROBLEMS = 100
CENSUS_BATCH = 4
SAMPLES = (1_000, 20_000)  # rows on which formats are ruled out before any whole-table pass
TOP_VALUES = 5
LONG_TEXT = 200  # average length above which a column's top values say nothing
SMALL_TABLE = 250_000  # rows under which string columns are written without dictionary+FSST


@dataclass(frozen=True)
class ColumnSpec:
    """A column as the publisher confirmed it: which header cell, what name, what type."""

    source: str
    name: str
    type: str


@dataclass
class BuiltColumn:
    name: str
    source: str
    type: str
    format: str
    profile: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "type": self.type,
            "format": self.format,
            "profile": self.profile,
        }


@dataclass
class BuiltTable:
    name: str
    database: Path
    parquet: Path
    row_count: int
    columns: list[BuiltColumn]


Progress = Callable[[int, str], None]
Chosen = tuple[str, str, types.Format]  # the column read, the name written, its format


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, str) and len(value) > LONG_TEXT:
        return value[:LONG_TEXT] + "…"
    return value


def connect(path: Path | str, workdir: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute(f"SET memory_limit = {literal(settings.DATASTORE_MEMORY_LIMIT)}")
    con.execute(f"SET threads = {int(settings.DATASTORE_THREADS)}")
    con.execute(f"SET temp_directory = {literal(str(workdir / 'spill'))}")
    con.execute("SET preserve_insertion_order = true")
    return con


class _Careful(Exception):
    """The direct reading cannot be used: the table is read the careful way instead."""


def _count(
    con: duckdb.DuckDBPyConnection, candidates: dict[str, list[types.Format]], source: str
) -> dict[str, types.Census]:
    result: dict[str, types.Census] = {}
    names = list(candidates)
    # A few columns per query: planning one expression over hundreds of columns is slow.
    for start in range(0, len(names), CENSUS_BATCH):
        batch = {name: candidates[name] for name in names[start : start + CENSUS_BATCH]}
        row = con.execute(types.census_sql(batch, source)).fetchone()
        assert row is not None
        result |= types.read_census(row, batch)
    return result


def _merge(
    earlier: dict[str, types.Census], later: dict[str, types.Census]
) -> dict[str, types.Census]:
    """Counts of a later, larger pass over the formats still standing; a format ruled out
    earlier keeps its earlier count, which is below the later number of values."""
    merged = dict(earlier)
    for name, census in later.items():
        merged[name] = types.Census(census.present, earlier[name].matching | census.matching)
    return merged


def _sample_census(
    con: duckdb.DuckDBPyConnection, names: list[str], source: str
) -> dict[str, types.Census]:
    """Every format tried on the first rows, those still standing on more of them: most
    formats fail on the first values they meet, so few are tried on many rows."""
    candidates = {name: list(types.FORMATS) for name in names}
    result: dict[str, types.Census] = {}
    for rows in SAMPLES:
        counted = _count(con, candidates, f"(SELECT * FROM {source} LIMIT {rows})")
        result = _merge(result, counted) if result else counted
        candidates = {name: census.passing() for name, census in counted.items()}
    return result


def _census(con: duckdb.DuckDBPyConnection, raw: readers.RawTable) -> dict[str, types.Census]:
    """The formats standing after the sample are checked on the whole table, so the type
    holds for every value at the cost of about one test each."""
    table = quote(raw.table)
    sample = _sample_census(con, raw.names, table)
    total = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
    if total <= SAMPLES[-1]:
        return sample
    result = {name: types.Census(0, dict(census.matching)) for name, census in sample.items()}
    # The preferred surviving format of each column first; the others only where it fails.
    pending = {name: census.passing() for name, census in sample.items() if census.passing()}
    while pending:
        first = {name: formats[:1] for name, formats in pending.items()}
        checked = _count(con, first, table)
        result = _merge(result, checked)
        pending = {
            name: formats[1:]
            for name, formats in pending.items()
            if formats[1:] and checked[name].passing() != formats[:1]
        }
    return result


def _first_named(raw: readers.RawTable) -> dict[str, str]:
    """The column read from each header cell; of two cells alike, the first."""
    found: dict[str, str] = {}
    for source, name in zip(raw.sources, raw.names, strict=True):
        found.setdefault(source, name)
    return found


def _pick(
    censuses: dict[str, types.Census], raw: readers.RawTable, specs: list[ColumnSpec] | None
) -> tuple[list[Chosen], list[ColumnSpec]]:
    """(column read, name written, format) per output column, and the confirmed columns that
    are missing or have values without their type."""
    by_source = _first_named(raw)
    chosen: list[Chosen] = []
    failed: list[ColumnSpec] = []
    for spec in specs or []:
        column = by_source.get(spec.source)
        try:
            if column is None:
                raise LookupError(spec.source)
            chosen.append((column, spec.name, types.choose(censuses[column], wanted=spec.type)))
        except LookupError:
            failed.append(spec)
    confirmed = {column for column, _name, _fmt in chosen}
    chosen.extend(
        (name, name, types.choose(censuses[name])) for name in raw.names if name not in confirmed
    )
    return chosen, failed


def _choose_formats(
    con: duckdb.DuckDBPyConnection, raw: readers.RawTable, specs: list[ColumnSpec] | None
) -> list[Chosen]:
    """(column read, name written, format) per output column; raises SchemaMismatch when a
    confirmed column is missing or some of its values do not have its type."""
    censuses = _census(con, raw)
    chosen, failed = _pick(censuses, raw, specs)
    by_source = _first_named(raw)
    problems: list[dict[str, Any]] = []
    total = 0
    for spec in failed:
        column = by_source.get(spec.source)
        if column is None:
            problems.append(
                {
                    "row": None,
                    "column": spec.source,
                    "value": None,
                    "expected": _("a column named “%(name)s”") % {"name": spec.source},
                }
            )
            total += 1
            continue
        attempt = types.best_attempt(censuses[column], spec.type)
        where = types.invalid(column, attempt)
        total += con.execute(f"SELECT count(*) FROM {quote(raw.table)} WHERE {where}").fetchone()[0]  # type: ignore[index]
        rows = con.execute(
            f"SELECT rowid + 1, {quote(column)} FROM {quote(raw.table)} WHERE {where} "
            f"ORDER BY rowid LIMIT {MAX_PROBLEMS}"
        ).fetchall()
        problems.extend(
            {"row": row, "column": spec.source, "value": value, "expected": spec.type}
            for row, value in rows
        )
    if problems:
        raise SchemaMismatch(
            _("This version does not fit the confirmed schema: %(count)d problem(s).")
            % {"count": total},
            problems[:MAX_PROBLEMS],
            total,
        )
    return chosen


def _profile(con: duckdb.DuckDBPyConnection, columns: list[BuiltColumn]) -> None:
    if not columns:
        return
    parts = []
    for column in columns:
        q = quote(column.name)
        parts += [f"count(*) - count({q})", f"approx_count_distinct({q})"]
        if column.type == "string":
            parts += [f"avg(length({q}))", "NULL", "NULL"]
        else:
            parts += ["NULL", f"min({q})", f"max({q})"]
    stats = con.execute(f"SELECT {', '.join(parts)} FROM {TABLE}").fetchone()
    assert stats is not None
    for i, column in enumerate(columns):
        nulls, distinct, length, low, high = stats[i * 5 : i * 5 + 5]
        q = quote(column.name)
        profile: dict[str, Any] = {"nulls": nulls, "distinct": distinct}
        if column.type != "string":
            profile |= {"min": _plain(low), "max": _plain(high)}
        if column.type == "string" and (length or 0) > LONG_TEXT:
            top: list[Any] = []
        else:
            top = con.execute(
                f"SELECT {q}, count(*) AS n FROM {TABLE} WHERE {q} IS NOT NULL "
                f"GROUP BY ALL ORDER BY n DESC, {q} LIMIT {TOP_VALUES}"
            ).fetchall()
        profile["top"] = [{"value": _plain(v), "count": n} for v, n in top]
        examples = con.execute(f"SELECT {q} FROM {TABLE} WHERE {q} IS NOT NULL LIMIT 3").fetchall()
        profile["examples"] = [_plain(v) for (v,) in examples]
        column.profile = profile


def build_tables(
    source: Path,
    file_format: str,
    workdir: Path,
    *,
    specs: dict[str, list[ColumnSpec]] | None = None,
    progress: Progress | None = None,
) -> list[BuiltTable]:
    """Reads `source` and writes, per table, `<n>.duckdb` and `<n>.parquet` in `workdir`."""
    report = progress or (lambda percent, stage: None)
    specs = specs or {}
    (workdir / "spill").mkdir(parents=True, exist_ok=True)
    scratch_path = workdir / "scratch.duckdb"
    scratch_path.unlink(missing_ok=True)
    scratch = connect(scratch_path, workdir)
    timer = threading.Timer(settings.DATASTORE_INGEST_TIMEOUT, scratch.interrupt)
    timer.start()
    try:
        report(5, "read")
        raws = readers.read_tables(scratch, source, file_format, workdir)
        built = []
        for position, raw in enumerate(raws):
            report(30 + 60 * position // len(raws), "types")
            built.append(_build_one(scratch, raw, workdir, position, specs.get(raw.name)))
        report(100, "done")
        return built
    except duckdb.InterruptException as error:
        raise IngestError(
            "timeout",
            _("Reading the file took longer than %(seconds)d seconds and was stopped.")
            % {"seconds": settings.DATASTORE_INGEST_TIMEOUT},
        ) from error
    except duckdb.Error as error:
        raise readers.unreadable(error) from error
    finally:
        timer.cancel()
        scratch.close()
        scratch_path.unlink(missing_ok=True)  # the text copy of the source is no longer needed


def _write(scratch: duckdb.DuckDBPyConnection, select: str, database: Path, *, small: bool) -> int:
    """Writes the typed table into a new table file; returns its number of rows."""
    database.unlink(missing_ok=True)
    # DuckDB's dictionary+FSST string compression costs about a millisecond per column and
    # query to open, whatever the rows read: on a small table that is most of a query's time
    # (a filter on 39 000 rows: 7 ms with it, 1.5 ms without), on a large one its smaller
    # files and dictionary-aware grouping win (a group-by on 10⁶ rows: 3 ms against 19 ms).
    scratch.execute(f"SET disabled_compression_methods = '{'dict_fsst' if small else ''}'")
    scratch.execute(f"ATTACH {literal(str(database))} AS out")
    try:
        scratch.execute(f"CREATE TABLE out.{TABLE} AS {select}")
        counted = scratch.execute(f"SELECT count(*) FROM out.{TABLE}").fetchone()
        assert counted is not None
        return int(counted[0])
    finally:
        scratch.execute("DETACH out")


def _write_direct(
    scratch: duckdb.DuckDBPyConnection,
    raw: readers.RawTable,
    database: Path,
    specs: list[ColumnSpec] | None,
) -> tuple[list[Chosen], int]:
    """Reads the source once, straight into its typed table, with the formats its first
    rows have; a later value without its column's format stops the reading (_Careful).

    Only a serial reading keeps the file's order here: DuckDB 2.0's parallel CSV reader,
    under a projection this size, wrote the first rows of a 143 MB file after the others."""
    if raw.serial is None:
        raise _Careful
    try:
        source = f"({raw.serial})"
        chosen, failed = _pick(_sample_census(scratch, raw.names, source), raw, specs)
        if failed:
            raise _Careful
        # Each value is cleaned once, then tested and converted.
        cleaned = ", ".join(
            types.cleaned(column) + f" AS {quote(column)}"
            if fmt.type != "string"
            else quote(column)
            for column, _name, fmt in chosen
        )
        converted = ", ".join(
            f"{types.checked_conversion(column, fmt)} AS {quote(name)}"
            for column, name, fmt in chosen
        )
        select = f"SELECT {converted} FROM (SELECT {cleaned} FROM {source})"
        # A file shorter than the sample is known to be small; one between the sample and
        # SMALL_TABLE rows is only known once written, and written again.
        sampled = scratch.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {source} LIMIT {SAMPLES[-1]})"
        ).fetchone()
        small = sampled is not None and sampled[0] < SAMPLES[-1]
        rows = _write(scratch, select, database, small=small)
        if not small and rows < SMALL_TABLE:
            rows = _write(scratch, select, database, small=True)
        return chosen, rows
    except duckdb.InterruptException:
        raise
    except duckdb.Error as error:
        raise _Careful from error


def _build_one(
    scratch: duckdb.DuckDBPyConnection,
    raw: readers.RawTable,
    workdir: Path,
    position: int,
    specs: list[ColumnSpec] | None,
) -> BuiltTable:
    database = workdir / f"{position}.duckdb"
    parquet = workdir / f"{position}.parquet"
    parquet.unlink(missing_ok=True)
    try:
        chosen, row_count = _write_direct(scratch, raw, database, specs)
    except _Careful:
        # A type that changes after the first rows, a mismatch to report row by row, or a
        # file that only the serial reader can read: a text copy of the table is checked.
        readers.load(scratch, raw)
        chosen = _choose_formats(scratch, raw, specs)
        select = ", ".join(
            f"{types.conversion(column, fmt)} AS {quote(name)}" for column, name, fmt in chosen
        )
        count = scratch.execute(f"SELECT count(*) FROM {quote(raw.table)}").fetchone()
        # ORDER BY rowid: DuckDB 2.0 writes columns converted from a table row group by row
        # group as the threads finish them, whatever preserve_insertion_order says, and the
        # file's order is the order of pages without a sort.
        row_count = _write(
            scratch,
            f"SELECT {select} FROM {quote(raw.table)} ORDER BY rowid",
            database,
            small=count is not None and count[0] < SMALL_TABLE,
        )
    source_of = dict(zip(raw.names, raw.sources, strict=True))
    columns = [
        BuiltColumn(name, source_of[column], fmt.type, fmt.name) for column, name, fmt in chosen
    ]
    table = connect(database, workdir)
    try:
        table.execute(f"COPY {TABLE} TO {literal(str(parquet))} (FORMAT parquet, COMPRESSION zstd)")
        if row_count < SMALL_TABLE:  # the search index too
            table.execute("SET disabled_compression_methods = 'dict_fsst'")
        _profile(table, columns)
        search.build_index(table, TABLE, columns)
        table.execute("CHECKPOINT")
    finally:
        table.close()
    return BuiltTable(raw.name, database, parquet, row_count, columns)


def table_schema(columns: list[dict[str, Any]], title: str = "") -> dict[str, Any]:
    """A Frictionless Table Schema for the columns of a built table."""
    fields = []
    for column in columns:
        described: dict[str, Any] = {"name": column["name"], "type": column["type"]}
        if column["source"] != column["name"]:
            described["title"] = column["source"]
        profile = column.get("profile") or {}
        if profile.get("nulls") == 0:
            described["constraints"] = {"required": True}
        fields.append(described)
    schema: dict[str, Any] = {"fields": fields, "missingValues": list(types.NULL_MARKERS)}
    if title:
        schema["title"] = title
    return schema
