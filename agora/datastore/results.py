"""Running a checked query on a table file: a page of rows, or every row for an export."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings

from agora.datastore import engine
from agora.datastore.build import TABLE
from agora.datastore.query import (
    TableQuery,
    count_sql,
    encode_cursor,
    facets_sql,
    select_sql,
)
from agora.datastore.types import literal, quote

BATCH = 10_000
_counts: OrderedDict[tuple[str, str], int] = OrderedDict()
_counts_lock = threading.Lock()


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
    table, index = table_name(path), engine.search_index(path)
    cur = engine.cursor(path)
    try:
        fetched: list[tuple[Any, ...]] = []
        if query.limit != 0:  # limit=0 asks only for the total or the facets
            sql, params = select_sql(query, table, extra=1, index=index)
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
        if not (query.filtered or grouped):
            total = row_count
        elif (
            query.limit != 0 and not has_more and query.after is None and (rows or not query.offset)
        ):
            total = query.offset + len(rows)  # the last page: the count is in hand
        else:
            total = _count(cur, query, table, index)
        result = Page(query.columns, rows, total, next_cursor, has_more)
        if query.facets:
            sql, params = facets_sql(query, table, index=index)
            for number, *values, count in cur.execute(sql, params).fetchall():
                name = query.facets[number]
                result.facets.setdefault(name, []).append({"value": values[number], "count": count})
            for name in query.facets:
                result.facets.setdefault(name, [])
        return result
    finally:
        cur.close()


def _count(cur: duckdb.DuckDBPyConnection, query: TableQuery, table: str, index: str | None) -> int:
    sql, params = count_sql(query, table, index=index)
    # Table files never change, so a count never goes stale: the next pages of a result
    # (and the same query from anyone else) skip the scan.
    key = (sql, repr(params))
    with _counts_lock:
        if key in _counts:
            _counts.move_to_end(key)
            return _counts[key]
    row = cur.execute(sql, params).fetchone()
    total = int(row[0]) if row else 0
    with _counts_lock:
        _counts[key] = total
        while len(_counts) > settings.DATASTORE_COUNT_CACHE:
            _counts.popitem(last=False)
    return total


def count(path: Path, query: TableQuery) -> int:
    """How many rows (or groups) the query has, before limit and offset."""
    cur = engine.cursor(path)
    try:
        return _count(cur, query, table_name(path), engine.search_index(path))
    finally:
        cur.close()


def stream(path: Path, query: TableQuery) -> Iterator[tuple[Any, ...]]:
    """Every row of the result, fetched in batches: memory stays flat whatever the size."""
    cur = engine.cursor(path)
    try:
        sql, params = select_sql(query, table_name(path), index=engine.search_index(path))
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
        sql, params = select_sql(query, table_name(path), index=engine.search_index(path))
        columns = ", ".join(quote(c["name"]) for c in query.columns)
        cur.execute(
            f"COPY (SELECT {columns} FROM ({sql})) TO {literal(str(target))} "
            f"({COPY_OPTIONS[file_format]})",
            params,
        )
    finally:
        cur.close()
