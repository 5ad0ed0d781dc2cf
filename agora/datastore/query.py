"""The data API's query language, checked against a table's columns and turned into SQL.

`col=v`, `col__op=v` filter; `q` searches the text columns; `sort`, `fields`, `limit`,
`offset`, `cursor` page; `group_by` with `sum`/`avg`/`min`/`max`/`count_distinct` aggregates;
`facet` counts top values. Every value is a bound parameter; every name is a known column.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from agora.datastore import search
from agora.datastore.errors import QueryError
from agora.datastore.types import quote

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_FACETS = 5
FACET_SIZE = 10
AGGREGATES = ("sum", "avg", "min", "max", "count_distinct")
FORMATS = ("json", "ndjson", "csv", "parquet", "xlsx")
RESERVED = {
    "q",
    "sort",
    "fields",
    "limit",
    "offset",
    "cursor",
    "group_by",
    "facet",
    "format",
    "shape",
    "version",
    "as_of",
    *AGGREGATES,
}
TEXT_OPERATORS = ("contains", "icontains", "startswith")
OPERATORS = (
    "exact",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "notin",
    *TEXT_OPERATORS,
    "isnull",
    "notnull",
)
COMPARISON = {"exact": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
NUMERIC = {"integer", "number"}


def operators_for(column_type: str) -> tuple[str, ...]:
    if column_type == "string":
        return OPERATORS
    return tuple(op for op in OPERATORS if op not in TEXT_OPERATORS)


@dataclass
class TableQuery:
    """A checked query: SQL fragments and their parameters, in order."""

    columns: list[dict[str, Any]]  # the output columns: [{name, type}]
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (column, descending)
    group_by: list[str] = field(default_factory=list)
    aggregates: list[tuple[str, str]] = field(default_factory=list)  # (function, column)
    facets: list[str] = field(default_factory=list)
    limit: int | None = DEFAULT_LIMIT
    offset: int = 0
    after: list[Any] | None = None  # decoded cursor: sort values, then the row id
    format: str = "json"
    shape: str = "objects"
    words: list[search.Word] = field(default_factory=list)  # of `q`
    text_columns: list[str] = field(default_factory=list)  # where `q` looks

    @property
    def filtered(self) -> bool:
        return bool(self.where or self.words)

    def conditions(self, index: str | None) -> tuple[list[str], list[Any]]:
        """Every WHERE clause and its parameters; `index` is the table's search index."""
        clauses, params = search.condition(self.words, self.text_columns, index)
        return [*self.where, *clauses], [*self.params, *params]


def _single(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise QueryError(name, _("Give “%(name)s” once.") % {"name": name})
    return values[-1]


def _names(params: Mapping[str, Sequence[str]], name: str) -> list[str]:
    value = _single(params, name)
    return [part.strip() for part in value.split(",") if part.strip()] if value else []


def _column(types: dict[str, str], parameter: str, name: str) -> str:
    if name not in types:
        raise QueryError(
            parameter,
            _("“%(name)s” is not a column of this table.") % {"name": name},
            list(types),
        )
    return name


def _integer(
    params: Mapping[str, Sequence[str]], name: str, default: int | None, low: int, high: int | None
) -> int | None:
    value = _single(params, name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if number < low or (high is not None and number > high):
        raise QueryError(
            name,
            _("“%(name)s” must be a whole number from %(low)d to %(high)s.")
            % {"name": name, "low": low, "high": high if high is not None else "∞"},
        )
    return number


def convert(value: str, column_type: str, parameter: str) -> Any:
    """A filter value as the column's type, or a QueryError saying what was expected."""
    try:
        if column_type == "integer":
            return int(value)
        if column_type == "number":
            return float(value)
        if column_type == "boolean":
            lowered = value.lower()
            if lowered in {"true", "1", "yes"}:
                return True
            if lowered in {"false", "0", "no"}:
                return False
            raise ValueError(value)
        if column_type == "date":
            return datetime.date.fromisoformat(value)
        if column_type == "datetime":
            return datetime.datetime.fromisoformat(value)
    except ValueError:
        expected = {
            "integer": _("a whole number"),
            "number": _("a number"),
            "boolean": _("true or false"),
            "date": _("a date as YYYY-MM-DD"),
            "datetime": _("a date and time as YYYY-MM-DDTHH:MM:SS"),
        }[column_type]
        raise QueryError(
            parameter,
            _("“%(value)s” is not %(expected)s.") % {"value": value[:100], "expected": expected},
        ) from None
    return value


def _filter(query: TableQuery, types: dict[str, str], key: str, value: str) -> None:
    name, _sep, operator = key.rpartition("__")
    if not name or name not in types or operator not in OPERATORS:
        name, operator = key, "exact"
    column = _column(types, key, name)
    allowed = operators_for(types[column])
    if operator not in allowed:
        raise QueryError(
            key,
            _("“%(operator)s” cannot be used on the column “%(column)s”.")
            % {"operator": operator, "column": column},
            [f"{column}__{op}" for op in allowed],
        )
    sql = quote(column)
    kind = types[column]
    if operator in COMPARISON:
        query.where.append(f"{sql} {COMPARISON[operator]} ?")
        query.params.append(convert(value, kind, key))
    elif operator in {"in", "notin"}:
        values = [convert(v, kind, key) for v in value.split(",")]
        marks = ", ".join("?" for _v in values)
        query.where.append(f"{sql} {'NOT IN' if operator == 'notin' else 'IN'} ({marks})")
        query.params.extend(values)
    elif operator in TEXT_OPERATORS:
        pattern = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = pattern + "%" if operator == "startswith" else f"%{pattern}%"
        like = "ILIKE" if operator == "icontains" else "LIKE"
        query.where.append(f"{sql} {like} ? ESCAPE '\\'")
        query.params.append(pattern)
    else:  # isnull / notnull
        wanted = convert(value or "true", "boolean", key)
        null = wanted if operator == "isnull" else not wanted
        query.where.append(f"{sql} IS {'' if null else 'NOT '}NULL")


def _search(query: TableQuery, types: dict[str, str], text: str) -> None:
    """Every word must appear, in any text column (see datastore.search)."""
    query.words = search.words(text)
    query.text_columns = [name for name, kind in types.items() if kind == "string"]


def encode_cursor(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime.date | datetime.time) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain, default=str).encode()).decode().rstrip("=")


def _decode_cursor(token: str, expected: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != expected:
        raise QueryError(
            "cursor",
            _(
                "This cursor is not valid for this query: use the “next” link of the previous "
                "page with the same sort."
            ),
        )
    return values


def parse(params: Mapping[str, Sequence[str]], columns: list[dict[str, Any]]) -> TableQuery:
    """Checks every parameter against the table; raises QueryError on the first bad one."""
    types = {c["name"]: c["type"] for c in columns}
    fmt = (_single(params, "format") or "json").lower()
    if fmt not in FORMATS:
        raise QueryError("format", _("Unknown format “%(value)s”.") % {"value": fmt}, list(FORMATS))
    shape = _single(params, "shape") or "objects"
    if shape not in {"objects", "arrays"}:
        raise QueryError(
            "shape", _("Unknown shape “%(value)s”.") % {"value": shape}, ["objects", "arrays"]
        )
    download = fmt != "json"
    query = TableQuery(
        columns=[],
        format=fmt,
        shape=shape,
        limit=_integer(
            params, "limit", None if download else DEFAULT_LIMIT, 0, None if download else MAX_LIMIT
        ),
        offset=_integer(params, "offset", 0, 0, None) or 0,
    )
    for key, values in params.items():
        if key in RESERVED:
            continue
        for value in values:
            _filter(query, types, key, value)
    if text := (_single(params, "q") or "").strip():
        _search(query, types, text)

    query.group_by = [_column(types, "group_by", n) for n in _names(params, "group_by")]
    for function in AGGREGATES:
        for name in _names(params, function):
            column = _column(types, function, name)
            if function in {"sum", "avg"} and types[column] not in NUMERIC:
                raise QueryError(
                    function,
                    _("“%(function)s” needs a numeric column; “%(column)s” is not one.")
                    % {"function": function, "column": column},
                    [n for n, t in types.items() if t in NUMERIC],
                )
            query.aggregates.append((function, column))
    if query.aggregates and not query.group_by:
        query.group_by = []  # aggregates over the whole (filtered) table: one row

    if query.group_by or query.aggregates:
        output = [{"name": n, "type": types[n]} for n in query.group_by]
        output.append({"name": "count", "type": "integer"})
        for function, column in query.aggregates:
            kind = (
                "number"
                if function == "avg"
                else ("integer" if function == "count_distinct" else types[column])
            )
            output.append({"name": f"{function}_{column}", "type": kind})
        query.columns = output
        out_types = {c["name"]: c["type"] for c in output}
    else:
        fields = _names(params, "fields")
        chosen = [_column(types, "fields", n) for n in fields] if fields else list(types)
        query.columns = [{"name": n, "type": types[n]} for n in chosen]
        out_types = types

    for name in _names(params, "sort"):
        descending = name.startswith("-")
        query.order.append((_column(out_types, "sort", name.lstrip("-")), descending))
    if not query.order and query.group_by:
        query.order = [("count", True)]

    facets = _names(params, "facet")
    if len(facets) > MAX_FACETS:
        raise QueryError("facet", _("Ask for at most %(count)d facets.") % {"count": MAX_FACETS})
    query.facets = [_column(types, "facet", n) for n in facets]

    if token := _single(params, "cursor"):
        if query.group_by or query.aggregates:
            raise QueryError("cursor", _("Grouped results are paged with “offset”."))
        if query.offset:
            raise QueryError("cursor", _("Use either “cursor” or “offset”, not both."))
        after = _decode_cursor(token, len(query.order) + 1)
        row_id = after[-1]
        if not isinstance(row_id, int) or isinstance(row_id, bool) or not 0 <= row_id < 2**62:
            raise QueryError("cursor", _("This cursor is not valid: it names no row."))
        query.after = [
            convert(str(v), types[name], "cursor") if v is not None else None
            for v, (name, _d) in zip(after, query.order, strict=False)
        ] + [row_id]
    return query


def _keyset(query: TableQuery) -> tuple[str, list[Any]]:
    """The rows after the cursor, in the sort order with the row id breaking ties; NULLs
    sort last in both directions."""
    assert query.after is not None
    keys = [(quote(name), desc) for name, desc in query.order] + [("rowid", False)]
    branches, params = [], []
    for i, (key, desc) in enumerate(keys):
        equal = []
        for (prior, _d), value in zip(keys[:i], query.after[:i], strict=True):
            equal.append(f"{prior} IS NULL" if value is None else f"{prior} = ?")
            params.extend([] if value is None else [value])
        value = query.after[i]
        if value is None:
            continue  # nothing sorts strictly after NULL
        after = f"({key} {'<' if desc else '>'} ? OR {key} IS NULL)"
        params.append(value)
        branches.append("(" + " AND ".join([*equal, after]) + ")")
    return "(" + (" OR ".join(branches) or "false") + ")", params


def select_sql(
    query: TableQuery, table: str, *, extra: int = 0, index: str | None = None
) -> tuple[str, list[Any]]:
    """The rows (or groups) asked for; `extra` rows more than the limit, to see if a next page
    exists. Row queries also return the row id and the sort values, for the next cursor."""
    where, params = query.conditions(index)
    if query.group_by or query.aggregates:
        parts = [quote(n) for n in query.group_by] + ["count(*) AS count"]
        parts += [
            f"{'count(DISTINCT ' if f == 'count_distinct' else f + '('}{quote(c)}) AS "
            f"{quote(f + '_' + c)}"
            for f, c in query.aggregates
        ]
        sql = f"SELECT {', '.join(parts)} FROM {table}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        if query.group_by:
            sql += " GROUP BY " + ", ".join(quote(n) for n in query.group_by)
        order = [f"{quote(n)} {'DESC' if d else 'ASC'} NULLS LAST" for n, d in query.order]
        order += [quote(n) for n in query.group_by]
    else:
        hidden = [f"{quote(n)} AS __s{i}" for i, (n, _d) in enumerate(query.order)]
        columns = [quote(c["name"]) for c in query.columns]
        sql = f"SELECT {', '.join([*columns, *hidden, 'rowid AS __rowid'])} FROM {table}"
        if not where and not query.order and query.limit is not None:
            # Table files are written once, so row ids run from 0 without a gap: a page of
            # the unfiltered table in the file's order is a range of them, which the scan
            # skips to instead of reading every row before it.
            first = query.offset + (0 if query.after is None else query.after[-1] + 1)
            sql += f" WHERE rowid >= {first} AND rowid < {first + query.limit + extra}"
            return sql, params
        if query.after is not None:
            condition, keyset_params = _keyset(query)
            where.append(condition)
            params.extend(keyset_params)
        if where:
            sql += " WHERE " + " AND ".join(where)
        order = [f"{quote(n)} {'DESC' if d else 'ASC'} NULLS LAST" for n, d in query.order]
        # Without a sort, rows come in the file's order (the engine keeps insertion order),
        # so the scan stops after the page instead of sorting every match by row id.
        if order:
            order.append("rowid")
    if order:
        sql += " ORDER BY " + ", ".join(order)
    if query.limit is not None:
        sql += f" LIMIT {query.limit + extra}"
    if query.offset:
        sql += f" OFFSET {query.offset}"
    return sql, params


def count_sql(query: TableQuery, table: str, *, index: str | None = None) -> tuple[str, list[Any]]:
    where, params = query.conditions(index)
    condition = (" WHERE " + " AND ".join(where)) if where else ""
    if query.group_by:
        inner = ", ".join(quote(n) for n in query.group_by)
        return f"SELECT count(*) FROM (SELECT DISTINCT {inner} FROM {table}{condition})", params
    return f"SELECT count(*) FROM {table}{condition}", params


def facets_sql(query: TableQuery, table: str, *, index: str | None = None) -> tuple[str, list[Any]]:
    """Top values of each facet column among the filtered rows: rows (facet number, the
    facet's value in its own column, count). One top-N grouping per facet beats a single
    scan with grouping sets, whose ranking of every group costs more than the second scan."""
    where, params = query.conditions(index)
    condition = (" WHERE " + " AND ".join(where)) if where else ""
    parts = []
    for i, name in enumerate(query.facets):
        columns = [f"{quote(name) if j == i else 'NULL'} AS c{j}" for j in range(len(query.facets))]
        parts.append(
            f"(SELECT {i} AS f, {', '.join(columns)}, count(*) AS n FROM {table}{condition} "
            f"GROUP BY {quote(name)} ORDER BY n DESC, {quote(name)} LIMIT {FACET_SIZE})"
        )
    order = ", ".join(f"c{j}" for j in range(len(query.facets)))
    sql = f"SELECT * FROM ({' UNION ALL '.join(parts)}) ORDER BY f, n DESC, {order}"
    return sql, params * len(query.facets)
