"""Running a checked query on a table file: a page of rows, or every row for an export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from agora.datastore import engine
from agora.datastore.build import TABLE
from agora.datastore.query import (
    TableQuery,
    count_sql,
    encode_cursor,
    facet_of,
    facets_sql,
    select_sql,
)
from agora.datastore.types import literal, quote

BATCH = 10_000


@dataclass
class Page:
    columns: list[dict[str, Any]]
    rows: list[tuple[Any, ...]]
    total: int
    next_cursor: str | None = None
    has_more: bool = False
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def table_name(path: Path) -> str:
    return f"{engine.alias(path)}.{TABLE}"


def page(path: Path, query: TableQuery, *, row_count: int) -> Page:
    """One page of the result, with its total and, for rows, the cursor of the next page."""
    table = table_name(path)
    cur = engine.cursor(path)
    try:
        sql, params = select_sql(query, table, extra=1)
        fetched = cur.execute(sql, params).fetchall()
        limit = query.limit if query.limit is not None else len(fetched)
        has_more = len(fetched) > limit > 0
        fetched = fetched[:limit]
        width = len(query.columns)
        grouped = bool(query.group_by or query.aggregates)
        rows = [row[:width] for row in fetched]
        next_cursor = None
        if has_more and not grouped and not query.offset:
            last = fetched[-1]
            next_cursor = encode_cursor(list(last[width:]))
        total = _count(cur, query, table) if query.filtered or grouped else row_count
        result = Page(query.columns, rows, total, next_cursor, has_more)
        if query.facets:
            sql, params = facets_sql(query, table)
            for grouping, *values, count in cur.execute(sql, params).fetchall():
                name = facet_of(grouping, query.facets)
                value = values[query.facets.index(name)]
                result.facets.setdefault(name, []).append({"value": value, "count": count})
            for name in query.facets:
                result.facets.setdefault(name, [])
        return result
    finally:
        cur.close()


def _count(cur: duckdb.DuckDBPyConnection, query: TableQuery, table: str) -> int:
    sql, params = count_sql(query, table)
    row = cur.execute(sql, params).fetchone()
    return int(row[0]) if row else 0


def count(path: Path, query: TableQuery) -> int:
    """How many rows (or groups) the query has, before limit and offset."""
    cur = engine.cursor(path)
    try:
        return _count(cur, query, table_name(path))
    finally:
        cur.close()


def stream(path: Path, query: TableQuery) -> Iterator[tuple[Any, ...]]:
    """Every row of the result, fetched in batches: memory stays flat whatever the size."""
    cur = engine.cursor(path)
    try:
        sql, params = select_sql(query, table_name(path))
        cur.execute(sql, params)
        width = len(query.columns)
        while batch := cur.fetchmany(BATCH):
            for row in batch:
                yield row[:width]
    finally:
        cur.close()


COPY_OPTIONS = {
    "parquet": "FORMAT parquet, COMPRESSION zstd",
    "csv": "FORMAT csv, HEADER true",
    "ndjson": "FORMAT json",
}


def copy_to(path: Path, query: TableQuery, target: Path, file_format: str) -> None:
    """Writes the whole result to `target` in DuckDB's own writer: as fast as the engine, and
    in constant memory (rows are written as they are produced)."""
    cur = engine.cursor(path)
    try:
        sql, params = select_sql(query, table_name(path))
        columns = ", ".join(quote(c["name"]) for c in query.columns)
        cur.execute(
            f"COPY (SELECT {columns} FROM ({sql})) TO {literal(str(target))} "
            f"({COPY_OPTIONS[file_format]})",
            params,
        )
    finally:
        cur.close()
