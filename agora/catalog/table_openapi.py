"""An OpenAPI description of one table's data API: its columns, and the filters each allows."""

from __future__ import annotations

from typing import Any

from agora.catalog.models import Resource, Table
from agora.datastore.query import operators_for

JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
}
OPERATOR_HELP = {
    "exact": "equals",
    "ne": "differs from",
    "gt": "greater than",
    "gte": "at least",
    "lt": "less than",
    "lte": "at most",
    "in": "one of, comma-separated",
    "notin": "none of, comma-separated",
    "contains": "contains (case-sensitive)",
    "icontains": "contains (any case)",
    "startswith": "starts with",
    "isnull": "is empty (true) or not (false)",
    "notnull": "is not empty (true) or is (false)",
}


def _filters(column: dict[str, Any]) -> list[dict[str, Any]]:
    name, kind = column["name"], column["type"]
    parameters = []
    for operator in operators_for(kind):
        schema: dict[str, Any] = JSON_TYPES[kind]
        if operator in {"in", "notin"}:
            schema = {"type": "string"}
        elif operator in {"isnull", "notnull"}:
            schema = {"type": "boolean"}
        parameters.append(
            {
                "name": name if operator == "exact" else f"{name}__{operator}",
                "in": "query",
                "required": False,
                "description": f"Rows whose “{name}” {OPERATOR_HELP[operator]} the value.",
                "schema": schema,
            }
        )
    return parameters


def table_openapi(
    resource: Resource, table: Table, *, data_url: str, common: list[dict[str, Any]]
) -> dict[str, Any]:
    row = {
        "type": "object",
        "properties": {
            c["name"]: {**JSON_TYPES[c["type"]], "nullable": True, "title": c["source"]}
            for c in table.columns
        },
    }
    names = [c["name"] for c in table.columns]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{resource.dataset.title} — {resource.title}",
            "version": str(table.version.number),
            "description": f"The table “{table.name}”: {table.row_count} rows.",
        },
        "servers": [{"url": data_url}],
        "paths": {
            "": {
                "get": {
                    "summary": "Rows of the table",
                    "parameters": [
                        *common,
                        *(p for column in table.columns for p in _filters(column)),
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of rows",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "rows": {"type": "array", "items": row},
                                            "total": {"type": "integer"},
                                            "next_cursor": {"type": ["string", "null"]},
                                            "next": {"type": ["string", "null"]},
                                        },
                                    }
                                }
                            },
                        },
                        "400": {"description": "A bad parameter, named in the problem."},
                    },
                }
            }
        },
        "x-columns": names,
    }
