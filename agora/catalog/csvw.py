"""CSV on the Web (W3C CSVW) metadata for a table's CSV export: columns, types, titles."""

from __future__ import annotations

from typing import Any

from agora.catalog.models import Table

# Table Schema type → CSVW (XML Schema) datatype.
DATATYPES = {
    "string": "string",
    "integer": "integer",
    "number": "double",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
}


def csvw_metadata(table: Table, *, csv_url: str, title: str, licence: str) -> dict[str, Any]:
    columns = []
    for column in table.columns:
        described: dict[str, Any] = {
            "name": column["name"],
            "titles": column["name"],
            "datatype": DATATYPES[column["type"]],
            "required": (column.get("profile") or {}).get("nulls") == 0,
        }
        if column["source"] and column["source"] != column["name"]:
            described["dc:description"] = column["source"]
        columns.append(described)
    metadata: dict[str, Any] = {
        "@context": "http://www.w3.org/ns/csvw",
        "url": csv_url,
        "dc:title": title,
        "dialect": {"delimiter": ",", "encoding": "utf-8", "header": True},
        "tableSchema": {"columns": columns},
    }
    if licence:
        metadata["dc:license"] = {"@id": licence}
    return metadata
