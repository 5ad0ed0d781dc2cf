"""A Frictionless Data Package (datapackage.json) describing a dataset and its files."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.text import slugify

from agora.catalog.choices import Licence
from agora.catalog.models import Dataset, Resource

# Our licences -> the SPDX-style names Data Package readers know.
LICENCE_NAMES = {
    Licence.ETALAB_2: "etalab-2.0",
    Licence.ODBL_1: "ODbL-1.0",
    Licence.CC_BY_4: "CC-BY-4.0",
    Licence.CC_BY_SA_4: "CC-BY-SA-4.0",
    Licence.CC0_1: "CC0-1.0",
}


def _name(title: str, taken: set[str]) -> str:
    """A Data Package resource name: lower case, unique within the package."""
    base = slugify(title) or "resource"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def datapackage(
    request: HttpRequest, dataset: Dataset, resources: list[Resource]
) -> dict[str, Any]:
    licence: dict[str, str] = {"title": str(Licence(dataset.licence).label)}
    if name := LICENCE_NAMES.get(Licence(dataset.licence)):
        licence["name"] = name
    if dataset.licence_link:
        licence["path"] = dataset.licence_link
    package: dict[str, Any] = {
        "profile": "data-package",
        "name": dataset.slug,
        "title": dataset.title,
        "description": dataset.description,
        "homepage": request.build_absolute_uri(dataset.get_absolute_url()),
        "keywords": [k.keyword for k in dataset.keywords.all()],
        "licenses": [licence],
        "sources": [
            {
                "title": dataset.organisation.name,
                "path": request.build_absolute_uri(dataset.organisation.get_absolute_url()),
            }
        ],
        "resources": [],
    }
    if dataset.data_modified:
        package["created"] = dataset.data_modified.isoformat()
    taken: set[str] = set()
    for resource in resources:
        versions = list(resource.versions.all())
        entry: dict[str, Any] = {"name": _name(resource.title, taken), "title": resource.title}
        if versions:
            latest = versions[0]
            entry.update(
                path=request.build_absolute_uri(latest.get_download_url()),
                format=latest.format.lower(),
                mediatype=latest.media_type,
                bytes=latest.size,
                hash=f"sha256:{latest.sha256}",
            )
        elif resource.remote_url:
            entry["path"] = resource.remote_url
            if resource.format:
                entry["format"] = resource.format.lower()
        else:
            continue
        package["resources"].append(entry)
    return package
