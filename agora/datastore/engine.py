"""DuckDB connections kept per process: one database instance with every table file attached
read-only, and a cursor per request.

Attaching costs tens of milliseconds; a query on an attached file costs a few. Files are
immutable, so an attachment never goes stale; the alias is derived from the path.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import duckdb
from django.conf import settings

from agora.datastore.search import INDEX
from agora.datastore.types import literal

_lock = threading.Lock()
_state: dict[str, object] = {}
_attached: set[str] = set()


def _database() -> duckdb.DuckDBPyConnection:
    con = _state.get("con")
    if con is None:
        con = duckdb.connect(":memory:")
        con.execute(f"SET memory_limit = {literal(settings.DATASTORE_MEMORY_LIMIT)}")
        con.execute(f"SET threads = {int(settings.DATASTORE_THREADS)}")
        # Unsorted queries return rows in the file's order: paging by row id relies on it.
        con.execute("SET preserve_insertion_order = true")
        _state["con"] = con
    assert isinstance(con, duckdb.DuckDBPyConnection)
    return con


def alias(path: Path) -> str:
    return "t_" + hashlib.sha256(str(path).encode()).hexdigest()[:16]


def cursor(*paths: Path) -> duckdb.DuckDBPyConnection:
    """A cursor that sees each file's database under `alias(path)`."""
    with _lock:
        con = _database()
        for path in paths:
            name = alias(path)
            if name not in _attached:
                con.execute(f"ATTACH {literal(str(path))} AS {name} (READ_ONLY)")
                _attached.add(name)
        return con.cursor()


_indexes: dict[str, str | None] = {}


def search_index(path: Path) -> str | None:
    """The qualified name of the file's search index, or None for a file written without one."""
    name = alias(path)
    if name not in _indexes:
        cur = cursor(path)
        try:
            found = cur.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
                [name, INDEX],
            ).fetchone()
        finally:
            cur.close()
        _indexes[name] = f"{name}.{INDEX}" if found and found[0] else None
    return _indexes[name]
