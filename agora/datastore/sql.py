"""Read-only SQL over published tables, in a sandbox.

Two independent locks: the query is parsed (sqlglot) and must be one SELECT whose tables
are all published ones, with no file, system or recursive construct; then it runs in a
fresh DuckDB connection that can reach nothing but the tables attached for it, with
external access disabled, configuration locked, a memory limit, a time limit and a row cap.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from django.conf import settings
from django.utils.translation import gettext as _
from sqlglot import exp
from sqlglot.errors import SqlglotError

from agora.datastore.build import TABLE
from agora.datastore.errors import QueryError
from agora.datastore.types import literal

MAX_SQL = 10_000
MAX_TABLES = 10
SQL_MEMORY = "256MB"
# Functions that read files or the system, or run SQL of their own: refused by name, on top
# of DuckDB's own lock, so that the error says what is wrong.
FORBIDDEN_FUNCTION = re.compile(
    r"^(read_\w+|\w+_scan|glob|sniff_csv|getenv|duckdb_\w+|pragma_\w+|query|query_table|"
    r"current_setting|which_secret|load_aws_credentials|sql_auto_complete|icu_\w+|"
    r"parquet_\w+|json_execute_serialized_sql|checkpoint|force_checkpoint|enable_\w+|"
    r"disable_\w+|set_\w+|summary|test_\w+|repeat_row)$",
    re.IGNORECASE,
)
FORBIDDEN_NODES = (
    exp.Command,
    exp.Pragma,
    exp.Set,
    exp.Copy,
    exp.Attach,
    exp.Detach,
    exp.Install,
    exp.Create,
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Drop,
    exp.Alter,
    exp.Merge,
    exp.Use,
    exp.Describe,
    exp.Summarize,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
)


@dataclass
class SqlResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool


def _refuse(message: str) -> QueryError:
    return QueryError("sql", message)


def check(sql: str) -> tuple[exp.Query, list[str]]:
    """The parsed query and the names of the tables it reads; QueryError if not allowed."""
    if not sql.strip():
        raise _refuse(_("Give a query in “sql”."))
    if len(sql) > MAX_SQL:
        raise _refuse(_("The query is longer than %(limit)d characters.") % {"limit": MAX_SQL})
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except (SqlglotError, RecursionError) as error:
        detail = str(error).splitlines()[0][:200] if str(error) else ""
        raise _refuse(_("The query could not be read: %(detail)s") % {"detail": detail}) from None
    if len(statements) != 1:
        raise _refuse(_("Send exactly one statement."))
    (tree,) = statements
    if not isinstance(tree, exp.Query):
        raise _refuse(_("Only SELECT queries are allowed."))
    ctes = set()
    for node in tree.walk():
        if isinstance(node, FORBIDDEN_NODES):
            raise _refuse(_("Only SELECT queries are allowed."))
        if isinstance(node, exp.With) and node.args.get("recursive"):
            raise _refuse(_("Recursive queries are not allowed."))
        if isinstance(node, exp.CTE):
            ctes.add(node.alias_or_name)
        if isinstance(node, exp.Func):
            name = node.sql_name() if not isinstance(node, exp.Anonymous) else node.name
            if FORBIDDEN_FUNCTION.match(name or ""):
                raise _refuse(_("The function “%(name)s” is not allowed.") % {"name": name})
    names = []
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise _refuse(_("Read published tables only, by their name."))
        if table.args.get("db") or table.args.get("catalog"):
            raise _refuse(_("Name a table as “dataset/resource”, in double quotes."))
        if table.name in ctes:
            continue
        names.append(table.name)
    if len(set(names)) > MAX_TABLES:
        raise _refuse(_("A query may read at most %(count)d tables.") % {"count": MAX_TABLES})
    return tree, sorted(set(names))


def run(
    sql: str,
    resolve: Callable[[str], Path],
) -> SqlResult:
    """Runs a checked query; `resolve` maps a table name to its file or raises QueryError."""
    tree, names = check(sql)
    aliases = {name: f"t{i}" for i, name in enumerate(names)}
    for table in tree.find_all(exp.Table):
        if table.name in aliases:
            alias = table.alias_or_name if table.alias else None
            table.replace(
                exp.Table(
                    this=exp.to_identifier(TABLE),
                    db=exp.to_identifier(aliases[table.name]),
                    alias=exp.TableAlias(this=exp.to_identifier(alias or table.name)),
                )
            )
    paths = {aliases[name]: resolve(name) for name in names}
    con = duckdb.connect(":memory:")
    timer = threading.Timer(settings.DATASTORE_SQL_TIMEOUT, con.interrupt)
    try:
        for alias, path in paths.items():
            con.execute(f"ATTACH {literal(str(path))} AS {alias} (READ_ONLY)")
        con.execute(f"SET memory_limit = {literal(SQL_MEMORY)}")
        con.execute("SET threads = 1")
        con.execute("SET max_temp_directory_size = '0KiB'")
        con.execute("SET enable_external_access = false")
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        con.execute("SET lock_configuration = true")
        timer.start()
        cursor = con.execute(tree.sql(dialect="duckdb"))
        columns = [d[0] for d in cursor.description or []]
        cap = settings.DATASTORE_SQL_MAX_ROWS
        rows = cursor.fetchmany(cap + 1)
        return SqlResult(columns, rows[:cap], len(rows) > cap)
    except duckdb.InterruptException:
        raise _refuse(
            _("The query took longer than %(seconds)s seconds and was stopped.")
            % {"seconds": settings.DATASTORE_SQL_TIMEOUT}
        ) from None
    except duckdb.OutOfMemoryException:
        raise _refuse(_("The query needs more memory than a query may use.")) from None
    except duckdb.Error as error:
        detail = str(error).splitlines()[0][:300]
        raise _refuse(_("The query failed: %(detail)s") % {"detail": detail}) from None
    finally:
        timer.cancel()
        con.close()
