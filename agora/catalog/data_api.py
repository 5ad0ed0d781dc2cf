"""The data API: rows, aggregates and exports of every table, per version."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status

from agora.catalog import ingestion, selectors
from agora.catalog.api import PUBLIC, WRITE, Slug, actor_of, counted, resource_of
from agora.catalog.csvw import csvw_metadata
from agora.catalog.models import Resource, Table
from agora.catalog.table_openapi import table_openapi
from agora.catalog.table_responses import data_response
from agora.catalog.table_schemas import IngestionOut, SchemaIn, TableList, TableOut
from agora.core.errors import BadParameter
from agora.core.schemas import ERROR_RESPONSES
from agora.datastore import export, storage
from agora.datastore.diff import diff as table_diff
from agora.datastore.errors import QueryError
from agora.datastore.query import AGGREGATES, DEFAULT_LIMIT, FORMATS, MAX_LIMIT
from agora.datastore.sql import run as sql_run

router = Router(tags=["data"])


def _parameter(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


LIST = {"type": "string"}
DATA_PARAMETERS = [
    _parameter("table", "For a workbook, the sheet's table (the first by default).", LIST),
    _parameter(
        "q",
        "Words that must all appear, each in some text column; whole words without case or "
        "accents, as SQLite FTS5 reads them; `word*` for words starting with it.",
        LIST,
    ),
    _parameter(
        "sort", "Columns to sort by, comma-separated; a leading '-' sorts descending.", LIST
    ),
    _parameter("fields", "The columns to return, comma-separated.", LIST),
    _parameter(
        "limit",
        f"Rows per page (JSON: default {DEFAULT_LIMIT}, at most {MAX_LIMIT}; "
        "other formats: every row by default).",
        {"type": "integer", "minimum": 0},
    ),
    _parameter("offset", "Rows to skip.", {"type": "integer", "minimum": 0}),
    _parameter("cursor", "The next_cursor of the previous page (faster than offset).", LIST),
    _parameter("group_by", "Columns to group by; each group has a count.", LIST),
    *[_parameter(f, f"Columns to aggregate with {f} in each group.", LIST) for f in AGGREGATES],
    _parameter("facet", "Up to five columns whose most frequent values are counted.", LIST),
    _parameter("format", "Answer format.", {"type": "string", "enum": list(FORMATS)}),
    _parameter(
        "shape",
        "JSON rows as objects or arrays.",
        {"type": "string", "enum": ["objects", "arrays"]},
    ),
]
FILTERS = (
    "Filter with `column=value` or `column__operator=value`: exact, ne, gt, gte, lt, lte, "
    "in and notin (comma-separated values), contains, icontains and startswith (text), isnull "
    "and notnull. Each table's own description lists its columns and their operators: "
    "`GET .../tables`."
)
FILE_RESPONSES = {
    "200": {
        "description": "Rows as JSON, or a file in the chosen format.",
        "content": {
            "application/json": {},
            "text/csv": {},
            "application/x-ndjson": {},
            "application/vnd.apache.parquet": {},
        },
    }
}


def _as_of(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise BadParameter(
            "as_of", gettext("“as_of” must be a date and time in ISO 8601.")
        ) from None


@router.get(
    "/datasets/{slug:slug}/resources/{uuid:resource_id}/data",
    response={200: None, 304: None, **ERROR_RESPONSES},
    summary="Query a resource's table (its live version)",
    description=FILTERS,
    openapi_extra={
        **PUBLIC,
        "parameters": [
            *DATA_PARAMETERS,
            _parameter("version", "A version number instead of the live one.", {"type": "integer"}),
            _parameter("as_of", "The version that was live at this date and time.", LIST),
        ],
        "responses": FILE_RESPONSES,
    },
)
def resource_data(
    request: HttpRequest, slug: Slug, resource_id: UUID
) -> HttpResponse | StreamingHttpResponse:
    number = request.GET.get("version")
    if number and not number.isdigit():
        raise BadParameter("version", gettext("“version” must be a version number."))
    table = selectors.data_table(
        actor=request.user,
        slug=slug,
        resource_id=resource_id,
        number=int(number) if number else None,
        name=request.GET.get("table"),
        as_of=None if number else _as_of(request.GET.get("as_of")),
    )
    dataset = counted(table.version.resource.dataset)
    return data_response(request, dataset=dataset, table=table, versioned=bool(number))


@router.get(
    "/datasets/{slug:slug}/resources/{uuid:resource_id}/versions/{int:number}/data",
    response={200: None, 304: None, **ERROR_RESPONSES},
    url_name="version_data",
    summary="Query the table of one version (cacheable for ever)",
    description=FILTERS,
    openapi_extra={**PUBLIC, "parameters": DATA_PARAMETERS, "responses": FILE_RESPONSES},
)
def version_data(
    request: HttpRequest, slug: Slug, resource_id: UUID, number: int
) -> HttpResponse | StreamingHttpResponse:
    table = selectors.data_table(
        actor=request.user,
        slug=slug,
        resource_id=resource_id,
        number=number,
        name=request.GET.get("table"),
    )
    dataset = counted(table.version.resource.dataset)
    return data_response(request, dataset=dataset, table=table, versioned=True)


@router.get(
    "/datasets/{slug:slug}/resources/{uuid:resource_id}/tables",
    response={200: TableList, **ERROR_RESPONSES},
    summary="The live tables of a resource: columns, types, profiles, Table Schema",
    openapi_extra=PUBLIC,
)
def table_list(request: HttpRequest, slug: Slug, resource_id: UUID) -> TableList:
    """Also says how the reading of the newest version is going (it may not be live yet)."""
    resource = resource_of(request, slug, resource_id)
    return _table_list(request, selectors.live_tables(resource=resource), resource)


@router.get(
    "/datasets/{slug:slug}/resources/{uuid:resource_id}/versions/{int:number}/tables",
    response={200: TableList, **ERROR_RESPONSES},
    summary="The tables of one version",
    openapi_extra=PUBLIC,
)
def version_table_list(
    request: HttpRequest, slug: Slug, resource_id: UUID, number: int
) -> TableList:
    resource = resource_of(request, slug, resource_id)
    version = selectors.version_get(resource=resource, number=number)
    return _table_list(request, selectors.version_tables(version=version), resource)


def _table_list(request: HttpRequest, tables: list[Table], resource: Resource) -> TableList:
    reading = selectors.latest_ingestion(resource=resource)
    return TableList(
        items=[TableOut.from_table(request, t) for t in tables],
        ingestion=IngestionOut.from_ingestion(reading) if reading else None,
    )


@router.put(
    "/datasets/{slug:slug}/resources/{uuid:resource_id}/tables/{name}/schema",
    response={202: IngestionOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Confirm a table's column names and types",
)
def schema_confirm(
    request: HttpRequest, slug: Slug, resource_id: UUID, name: str, payload: SchemaIn
) -> Status[IngestionOut]:
    """Every column, in order, with its name and type. The live version is read again with
    them (202: follow the reading in `GET .../tables`), and later versions must fit them."""
    resource = resource_of(request, slug, resource_id)
    table = selectors.live_table(resource=resource, name=name)
    ingestion.schema_confirm(
        actor=actor_of(request),
        table=table,
        columns=[column.model_dump(mode="json") for column in payload.columns],
    )
    reading = selectors.ingestion_of(table.version)
    assert reading is not None
    return Status(202, IngestionOut.from_ingestion(reading))


# Read-only SQL ---------------------------------------------------------------------------------

TABLE_NAME = re.compile(
    r"^(?P<slug>[-a-zA-Z0-9_]+)/(?P<resource>[0-9a-fA-F-]{36})(@(?P<version>\d+))?"
    r"(:(?P<table>.+))?$"
)


def _sql_table(request: HttpRequest, name: str) -> Path:
    """The file of a table named "dataset/resource[@version][:table]" the asker may read."""
    match = TABLE_NAME.match(name)
    if match is None:
        raise QueryError(
            "sql",
            gettext(
                "“%(name)s” is not a table name: write “dataset/resource”, in double quotes, "
                "as shown on the resource's page."
            )
            % {"name": name[:100]},
        )
    try:
        resource = resource_of(request, match["slug"], UUID(match["resource"]))
        if match["version"]:
            version = selectors.version_get(resource=resource, number=int(match["version"]))
            table = selectors.version_table(version=version, name=match["table"])
        else:
            table = selectors.live_table(resource=resource, name=match["table"])
    except (ObjectDoesNotExist, ValueError, BadParameter):
        raise QueryError(
            "sql", gettext("There is no published table “%(name)s”.") % {"name": name[:100]}
        ) from None
    counted(resource.dataset)
    return storage.local_path(table.database)


def _sql_answer(request: HttpRequest, sql: str) -> HttpResponse:
    result = sql_run(sql, lambda name: _sql_table(request, name))
    body = {
        "columns": result.columns,
        "rows": [list(row) for row in result.rows],
        "truncated": result.truncated,
    }
    return HttpResponse(export.dumps(body), content_type="application/json")


class SqlIn(Schema):
    sql: str = Field(max_length=10_000)


SQL_DESCRIPTION = (
    'One SELECT statement over published tables, named `"dataset/resource"` (add `@n` for a '
    "version, `:name` for a workbook's sheet). Runs read-only with a time limit, a memory limit "
    "and a row cap; anything else is refused with a 400."
)


@router.get(
    "/sql",
    url_name="sql_query",
    response={200: None, **ERROR_RESPONSES},
    summary="Run a read-only SQL query",
    description=SQL_DESCRIPTION,
    openapi_extra={
        **PUBLIC,
        "parameters": [_parameter("sql", "The query.", {"type": "string", "maxLength": 10_000})],
    },
)
def sql_query(request: HttpRequest) -> HttpResponse:
    return _sql_answer(request, request.GET.get("sql", ""))


@router.post(
    "/sql",
    response={200: None, **ERROR_RESPONSES},
    summary="Run a read-only SQL query sent in the body",
    description=SQL_DESCRIPTION,
    openapi_extra=PUBLIC,
)
def sql_query_post(request: HttpRequest, payload: SqlIn) -> HttpResponse:
    return _sql_answer(request, payload.sql)


@router.get(
    "/datasets/{slug:slug}/resources/{uuid:resource_id}/versions/{int:number}/csvw",
    response={200: dict[str, Any], **ERROR_RESPONSES},
    summary="CSV on the Web metadata for the CSV export of a version's table",
    openapi_extra={**PUBLIC, "parameters": [DATA_PARAMETERS[0]]},
)
def version_csvw(request: HttpRequest, slug: Slug, resource_id: UUID, number: int) -> HttpResponse:
    resource = resource_of(request, slug, resource_id)
    version = selectors.version_get(resource=resource, number=number)
    table = selectors.version_table(version=version, name=request.GET.get("table"))
    described = TableOut.from_table(request, table)
    csv_url = described.data_url + ("&" if "?" in described.data_url else "?") + "format=csv"
    dataset = resource.dataset
    body = csvw_metadata(
        table,
        csv_url=csv_url,
        title=f"{dataset.title} — {resource.title}",
        licence=dataset.licence_link,
    )
    return HttpResponse(export.dumps(body), content_type="application/csvm+json")


@router.get(
    "/datasets/{slug:slug}/resources/{uuid:resource_id}/diff",
    url_name="version_diff",
    response={200: dict[str, Any], **ERROR_RESPONSES},
    summary="What changed between two versions of a table",
    openapi_extra={
        **PUBLIC,
        "parameters": [
            _parameter("from", "The older version number.", {"type": "integer"}),
            _parameter(
                "to", "The newer version number (the live one by default).", {"type": "integer"}
            ),
            _parameter(
                "key",
                "Columns that identify a row, comma-separated; without a key, rows "
                "are compared whole.",
                LIST,
            ),
            DATA_PARAMETERS[0],
        ],
    },
)
def version_diff(request: HttpRequest, slug: Slug, resource_id: UUID) -> HttpResponse:
    """Column changes; counts and samples of rows added, removed and changed."""
    resource = resource_of(request, slug, resource_id)
    name = request.GET.get("table")

    def table_at(parameter: str) -> Table:
        number = request.GET.get(parameter, "")
        if not number.isdigit():
            if parameter == "to" and not number:
                return selectors.live_table(resource=resource, name=name)
            raise BadParameter(parameter, gettext("Give a version number."))
        try:
            version = selectors.version_get(resource=resource, number=int(number))
            return selectors.version_table(version=version, name=name)
        except ObjectDoesNotExist:
            raise BadParameter(
                parameter, gettext("Version %(number)s has no table.") % {"number": number}
            ) from None

    before, after = table_at("from"), table_at("to")
    key = [k.strip() for k in request.GET.get("key", "").split(",") if k.strip()]
    found = table_diff(
        storage.local_path(before.database),
        before.columns,
        storage.local_path(after.database),
        after.columns,
        key,
    )
    body = {
        "table": after.name,
        "from": before.version.number,
        "to": after.version.number,
        "key": key,
        "schema": found.schema,
        "rows": found.counts,
        "samples": found.samples,
    }
    return HttpResponse(export.dumps(body), content_type="application/json")


@router.get(
    "/datasets/{slug:slug}/resources/{uuid:resource_id}/openapi.json",
    response={200: dict[str, Any], **ERROR_RESPONSES},
    summary="An OpenAPI description of the live table's data API, column by column",
    openapi_extra={**PUBLIC, "parameters": [DATA_PARAMETERS[0]]},
)
def table_openapi_document(request: HttpRequest, slug: Slug, resource_id: UUID) -> HttpResponse:
    resource = resource_of(request, slug, resource_id)
    table = selectors.live_table(resource=resource, name=request.GET.get("table"))
    data_url = request.build_absolute_uri(request.path.removesuffix("openapi.json") + "data")
    body = table_openapi(resource, table, data_url=data_url, common=DATA_PARAMETERS)
    return HttpResponse(export.dumps(body), content_type="application/json")
