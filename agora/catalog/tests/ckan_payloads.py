"""CKAN 2.10 package_search answers, shaped like a real portal's (fields as CKAN sends them)."""

from __future__ import annotations

import json
from typing import Any


def package(
    n: int, *, title: str = "", modified: str = "2026-10-01T08:15:42.123456", **extra: Any
) -> dict[str, Any]:
    pid = f"6f1c{n:04d}-8f2e-4d1b-9a7c-2b6a0c1d3e4f"
    name = f"bus-stops-{n}"
    base = {
        "author": "Transport Data Team",
        "author_email": None,
        "creator_user_id": "3a1e5b0c-7d55-4f6f-8e6a-0a9c2b8f1d11",
        "id": pid,
        "isopen": True,
        "license_id": "cc-by",
        "license_title": "Creative Commons Attribution",
        "license_url": "http://www.opendefinition.org/licenses/cc-by",
        "maintainer": "Open Data Team",
        "maintainer_email": "opendata@city.example",
        "metadata_created": "2024-03-12T10:01:05.918231",
        "metadata_modified": modified,
        "name": name,
        "notes": f"Locations of the **bus stops** of zone {n}, updated each month.",
        "num_resources": 2,
        "num_tags": 2,
        "organization": {
            "id": "c0ffee00-0000-4000-8000-000000000001",
            "name": "city-transport",
            "title": "City Transport",
            "type": "organization",
            "is_organization": True,
            "state": "active",
        },
        "owner_org": "c0ffee00-0000-4000-8000-000000000001",
        "private": False,
        "state": "active",
        "title": title or f"Bus stops, zone {n}",
        "type": "dataset",
        "url": "",
        "version": None,
        "extras": [{"key": "frequency", "value": "monthly"}],
        "groups": [],
        "resources": [
            {
                "cache_last_updated": None,
                "created": "2024-03-12T10:01:06.331011",
                "datastore_active": True,
                "description": "One row per stop.",
                "format": "CSV",
                "hash": "",
                "id": f"r{n:04d}a00-1111-4222-8333-444455556666",
                "last_modified": "2026-10-01T08:15:40",
                "mimetype": "text/csv",
                "name": "Stops (CSV)",
                "package_id": pid,
                "position": 0,
                "size": 2048,
                "state": "active",
                "url": f"https://data.city.example/dataset/{pid}/resource/a/download/stops.csv",
                "url_type": "upload",
            },
            {
                "description": "",
                "format": "GeoJSON",
                "id": f"r{n:04d}b00-1111-4222-8333-444455556666",
                "name": "Stops (map)",
                "package_id": pid,
                "position": 1,
                "state": "active",
                "url": f"https://data.city.example/dataset/{pid}/resource/b/download/stops.geojson",
                "url_type": "upload",
            },
        ],
        "tags": [
            {"display_name": "transport", "id": "t1", "name": "transport", "state": "active"},
            {"display_name": "Bus Stops", "id": "t2", "name": "Bus Stops", "state": "active"},
        ],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
    base.update(extra)
    return base


def search_answer(packages: list[dict[str, Any]], count: int | None = None) -> bytes:
    return json.dumps(
        {
            "help": "https://data.city.example/api/3/action/help_show?name=package_search",
            "success": True,
            "result": {
                "count": len(packages) if count is None else count,
                "facets": {},
                "results": packages,
                "sort": "id asc",
                "search_facets": {},
            },
        }
    ).encode()
