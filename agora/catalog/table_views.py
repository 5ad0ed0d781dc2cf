"""The table part of a resource page: reading status, preview, profiles, downloads, snippets.

The preview speaks the data API's own query language in its address (`?Service=Voirie&sort=
-Montant&offset=20`), so that every view of the table is also an API call one click away.
Without JavaScript, the filter form posts column, operator and value, and the page redirects
to the address with `column__operator=value`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict
from django.urls import reverse

from agora.catalog import selectors
from agora.catalog.choices import ColumnType
from agora.catalog.models import Resource, Table
from agora.catalog.table_responses import TABLE_PARAMETERS
from agora.catalog.table_schemas import TableOut
from agora.datastore import results, storage
from agora.datastore.errors import QueryError
from agora.datastore.query import OPERATORS, RESERVED, parse

PREVIEW_ROWS = 20
# The preview shows rows: these data-API parameters make no sense in it.
NOT_IN_PREVIEW = ("format", "shape", "group_by", "cursor", "limit", "facet", "fields")
OPERATOR_LABELS = {
    "exact": "=",
    "ne": "≠",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "in": "∈",
    "notin": "∉",
    "contains": "⊃",
    "icontains": "⊃",
    "startswith": "^",
    "isnull": "∅",
    "notnull": "≠ ∅",
}


def filter_redirect(request: HttpRequest) -> str | None:
    """The address with the filter of the no-JavaScript form turned into `column__op=value`."""
    column = request.GET.get("filter_column")
    if column is None:
        return None
    operator = request.GET.get("filter_operator", "exact")
    params = request.GET.copy()
    for key in ("filter_column", "filter_operator", "filter_value", "offset"):
        params.pop(key, None)
    if column and operator in OPERATORS:
        key = column if operator == "exact" else f"{column}__{operator}"
        params.appendlist(key, request.GET.get("filter_value", ""))
    return f"{request.path}?{params.urlencode()}"


def _link(params: QueryDict, **changes: str | None) -> str:
    updated = params.copy()
    for key, value in changes.items():
        updated.pop(key, None)
        if value is not None:
            updated[key] = value
    return "?" + updated.urlencode()


def _active_filters(params: QueryDict, table: Table) -> list[dict[str, str]]:
    names = {c["name"] for c in table.columns}
    found = []
    for key in params:
        if key in RESERVED or key in TABLE_PARAMETERS or key == "offset":
            continue
        column, _sep, operator = key.rpartition("__")
        if column not in names or operator not in OPERATORS:
            column, operator = key, "exact"
        for value in params.getlist(key):
            rest = params.copy()
            rest.setlist(key, [v for v in params.getlist(key) if v != value])
            rest.pop("offset", None)
            found.append(
                {
                    "column": column,
                    "operator": OPERATOR_LABELS.get(operator, operator),
                    "value": value,
                    "remove": "?" + rest.urlencode(),
                }
            )
    return found


def _snippets(
    data_url: str, csv_url: str, parquet_url: str, sql_name: str, sql_url: str
) -> list[dict[str, str]]:
    sql = f"SELECT count(*) FROM {sql_name}"
    return [
        {"language": "curl", "code": f"curl '{data_url}'"},
        {
            "language": "SQL",
            "code": f"curl --get '{sql_url}' --data-urlencode '{sql}'".replace(
                "'SELECT", "'sql=SELECT"
            ),
        },
        {
            "language": "Python",
            "code": f"import pandas as pd\ndf = pd.read_csv('{csv_url}')\n\n"
            f"# or, typed and faster\nimport duckdb\n"
            f"df = duckdb.sql(\"SELECT * FROM '{parquet_url}'\").df()",
        },
        {"language": "R", "code": f"df <- read.csv('{csv_url}')"},
    ]


def table_context(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    """Everything the resource page shows about its tables."""
    context: dict[str, Any] = {"reading": selectors.latest_ingestion(resource=resource)}
    tables = selectors.live_tables(resource=resource)
    if not tables:
        return context
    wanted = request.GET.get("table")
    table = next((t for t in tables if t.name == wanted), tables[0])
    params = request.GET.copy()
    for key in NOT_IN_PREVIEW:
        params.pop(key, None)
    query_params = {k: params.getlist(k) for k in params if k not in TABLE_PARAMETERS}
    error = None
    try:
        query = parse(query_params, table.columns)
    except QueryError as exc:
        error = exc.message
        query = parse({}, table.columns)
    query.limit = PREVIEW_ROWS
    page = results.page(storage.local_path(table.database), query, row_count=table.row_count)
    sort = dict(query.order)
    columns = []
    for column in table.columns:
        name = column["name"]
        descending = sort.get(name)
        columns.append(
            {
                **column,
                "type_label": ColumnType(column["type"]).label,
                "sorted": None
                if descending is None
                else ("descending" if descending else "ascending"),
                "sort_link": _link(
                    params, sort=name if descending is not False else f"-{name}", offset=None
                ),
            }
        )
    api = reverse(
        "api:version_data",
        kwargs={
            "slug": resource.dataset.slug,
            "resource_id": resource.pk,
            "number": table.version.number,
        },
    )
    selection = params.copy()
    selection.pop("offset", None)
    if table.position:
        selection["table"] = table.name
    suffix = selection.urlencode()
    data_url = request.build_absolute_uri(f"{api}?{suffix}")

    def export(fmt: str) -> str:
        return request.build_absolute_uri(
            f"{api}?{urlencode([*selection.lists(), ('format', [fmt])], doseq=True)}"
        )

    described = TableOut.from_table(request, table)
    sql_url = request.build_absolute_uri(reverse("api:sql_query"))
    offset = query.offset
    context |= {
        "table": table,
        "tables": tables,
        "columns": columns,
        "rows": page.rows,
        "total": page.total,
        "first": offset + 1 if page.rows else 0,
        "last": offset + len(page.rows),
        "previous_link": _link(params, offset=str(max(0, offset - PREVIEW_ROWS)) or None)
        if offset
        else None,
        "next_link": _link(params, offset=str(offset + PREVIEW_ROWS)) if page.has_more else None,
        "filters": _active_filters(params, table),
        "query_error": error,
        "search": params.get("q", ""),
        "api_url": data_url,
        "exports": [(fmt.upper(), export(fmt)) for fmt in ("csv", "xlsx", "parquet", "ndjson")],
        "snippets": _snippets(
            data_url, export("csv"), export("parquet"), described.sql_name, sql_url
        ),
        "csvw_url": described.csvw_url,
        "column_types": ColumnType.choices,
        "filtered": query.filtered,
    }
    return context


def schema_columns(request: HttpRequest, table: Table) -> list[dict[str, str]]:
    """The columns of the schema form, in the table's order."""
    return [
        {
            "source": column["source"],
            "name": request.POST.get(f"name-{i}", column["name"]).strip(),
            "type": request.POST.get(f"type-{i}", column["type"]),
        }
        for i, column in enumerate(table.columns)
    ]
