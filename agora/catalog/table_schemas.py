"""API shapes of tables: their columns, profiles, reading status and schema."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Schema

from agora.catalog.choices import ColumnType, IngestionStatus
from agora.catalog.models import Ingestion, Table
from agora.datastore.build import table_schema
from agora.datastore.query import operators_for


class ColumnProfile(Schema):
    nulls: int
    distinct: int = Field(description="Approximate for large tables.")
    min: Any = None
    max: Any = None
    top: list[dict[str, Any]] = Field(description="The most frequent values: {value, count}.")
    examples: list[Any]


class ColumnOut(Schema):
    name: str
    source: str = Field(description="The header cell the column was read from.")
    type: ColumnType
    format: str = Field(description="How the values were written in the file.")
    operators: list[str] = Field(description="The filter operators the column accepts.")
    profile: ColumnProfile


class TableOut(Schema):
    name: str
    version: int
    row_count: int
    columns: list[ColumnOut]
    table_schema: dict[str, Any] = Field(description="A Frictionless Table Schema.")
    data_url: str
    parquet_url: str
    csvw_url: str
    sql_name: str = Field(description="How to name this table in a query to /sql.")

    @classmethod
    def from_table(cls, request: HttpRequest, table: Table) -> TableOut:
        version = table.version
        data = reverse(
            "api:version_data",
            kwargs={
                "slug": version.resource.dataset.slug,
                "resource_id": version.resource_id,
                "number": version.number,
            },
        )
        query = f"?table={quote(table.name)}" if table.position else ""
        sheet = f":{table.name}" if table.position else ""
        return cls(
            name=table.name,
            version=version.number,
            row_count=table.row_count,
            columns=[
                ColumnOut(**c, operators=list(operators_for(c["type"]))) for c in table.columns
            ],
            table_schema=table_schema(table.columns, table.name),
            data_url=request.build_absolute_uri(data + query),
            parquet_url=request.build_absolute_uri(
                data + (query + "&" if query else "?") + "format=parquet"
            ),
            csvw_url=request.build_absolute_uri(data.removesuffix("data") + "csvw" + query),
            sql_name=f'"{version.resource.dataset.slug}/{version.resource_id}{sheet}"',
        )


class IngestionOut(Schema):
    status: IngestionStatus
    progress: int = Field(description="Percent done while the file is being read.")
    message: str
    problem_count: int
    problems: list[dict[str, Any]] = Field(
        description="Row-level problems when the version does not fit the confirmed schema: "
        "{row, column, value, expected}; at most 100."
    )

    @classmethod
    def from_ingestion(cls, ingestion: Ingestion) -> IngestionOut:
        return cls(
            status=IngestionStatus(ingestion.status),
            progress=ingestion.progress,
            message=ingestion.message,
            problem_count=ingestion.problem_count,
            problems=ingestion.problems,
        )


class TableList(Schema):
    items: list[TableOut]
    ingestion: IngestionOut | None = Field(
        description="The reading of the newest version, which may not be live yet."
    )


class SchemaColumnIn(Schema):
    source: str = Field(max_length=200)
    name: str = Field(max_length=120)
    type: ColumnType


class SchemaIn(Schema):
    columns: list[SchemaColumnIn] = Field(max_length=2000)
