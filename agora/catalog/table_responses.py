"""HTTP answers of the data API: a page as JSON, or the whole result as a streamed file.

Answers for a numbered version never change: they carry a strong ETag derived from the
table and the query, and may be cached for a year. The unversioned address follows the live
version, so its answers are cached briefly.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import quote_etag
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agora.catalog.models import Dataset, Table
from agora.datastore import export, results, storage
from agora.datastore.errors import QueryError
from agora.datastore.query import TableQuery, parse

# Parameters that choose the table rather than query it.
TABLE_PARAMETERS = ("table", "version", "as_of")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LIVE_MAX_AGE = 60
VERSIONED_MAX_AGE = 365 * 24 * 3600


def table_query(request: HttpRequest, table: Table) -> TableQuery:
    params = {k: request.GET.getlist(k) for k in request.GET if k not in TABLE_PARAMETERS}
    return parse(params, table.columns)


def _etag(table: Table, request: HttpRequest) -> str:
    items = sorted((k, v) for k in request.GET for v in request.GET.getlist(k))
    digest = hashlib.sha256(f"{table.pk}:{table.version.sha256}:{items}".encode()).hexdigest()
    return quote_etag(digest[:32])


def _cache(response: HttpResponse | StreamingHttpResponse, etag: str, versioned: bool) -> None:
    response["ETag"] = etag
    if versioned:
        response["Cache-Control"] = f"public, max-age={VERSIONED_MAX_AGE}, immutable"
    else:
        response["Cache-Control"] = f"public, max-age={LIVE_MAX_AGE}"


def _filename(dataset: Dataset, table: Table, extension: str) -> str:
    stem = slugify(f"{dataset.slug}-{table.name}") or "data"
    return f"{stem}-v{table.version.number}.{extension}"


def _next_link(request: HttpRequest, query: TableQuery, page: results.Page) -> str | None:
    if not page.has_more:
        return None
    params = [
        (k, v) for k in request.GET for v in request.GET.getlist(k) if k not in {"cursor", "offset"}
    ]
    if page.next_cursor:
        params.append(("cursor", page.next_cursor))
    else:
        params.append(("offset", str(query.offset + (query.limit or 0))))
    return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")


def _json(request: HttpRequest, table: Table, query: TableQuery, path: Path) -> HttpResponse:
    page = results.page(path, query, row_count=table.row_count)
    names = [c["name"] for c in page.columns]
    if query.shape == "arrays":
        rows: list[Any] = [list(row) for row in page.rows]
    else:
        rows = [dict(zip(names, row, strict=True)) for row in page.rows]
    body: dict[str, Any] = {
        "table": table.name,
        "version": table.version.number,
        "columns": page.columns,
        "rows": rows,
        "total": page.total,
        "total_exact": True,
        "limit": query.limit,
        "offset": query.offset,
        "next_cursor": page.next_cursor,
        "next": _next_link(request, query, page),
    }
    if query.facets:
        body["facets"] = page.facets
    return HttpResponse(export.dumps(body), content_type="application/json")


def _file(path: Path) -> Any:
    """An open handle on a temporary file that disappears once the handle is closed."""
    handle = path.open("rb")
    os.unlink(path)
    return handle


def _temporary(suffix: str) -> Path:
    work = Path(settings.DATASTORE_CACHE_DIR) / "work"
    work.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(suffix=suffix, dir=work)
    os.close(fd)
    os.unlink(name)  # DuckDB and xlsxwriter create the file themselves
    return Path(name)


def _whole_table(query: TableQuery, table: Table) -> bool:
    return (
        not query.filtered
        and not query.order
        and not query.group_by
        and not query.aggregates
        and query.limit is None
        and not query.offset
        and [c["name"] for c in query.columns] == [c["name"] for c in table.columns]
    )


def data_response(
    request: HttpRequest, *, dataset: Dataset, table: Table, versioned: bool
) -> HttpResponse | StreamingHttpResponse:
    """The data API's answer for `table` (raises QueryError for a bad parameter)."""
    query = table_query(request, table)
    etag = _etag(table, request)
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse | StreamingHttpResponse = HttpResponse(status=304)
        _cache(response, etag, versioned)
        return response
    path = storage.local_path(table.database)
    names = [c["name"] for c in query.columns]
    if query.format == "json":
        response = _json(request, table, query, path)
    elif query.format == "parquet" and _whole_table(query, table):
        response = FileResponse(table.parquet.open("rb"), content_type=MEDIA_TYPES["parquet"])
    elif query.format in results.COPY_OPTIONS:
        target = _temporary(f".{query.format}")
        results.copy_to(path, query, target, query.format)
        response = FileResponse(_file(target), content_type=MEDIA_TYPES[query.format])
    else:
        total = results.count(path, query)
        if min(total - query.offset, query.limit or total) > export.XLSX_MAX_ROWS:
            raise QueryError(
                "format",
                _(
                    "A spreadsheet holds at most %(count)d rows; filter the table, set a limit, "
                    "or choose CSV or Parquet."
                )
                % {"count": export.XLSX_MAX_ROWS},
                ["csv", "parquet"],
            )
        target = _temporary(".xlsx")
        export.write_xlsx(names, results.stream(path, query), target)
        response = FileResponse(_file(target), content_type=MEDIA_TYPES["xlsx"])
    if query.format != "json":
        extension = query.format
        response["Content-Disposition"] = (
            f'attachment; filename="{_filename(dataset, table, extension)}"'
        )
    _cache(response, etag, versioned)
    return response
