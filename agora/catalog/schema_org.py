"""schema.org `Dataset` in JSON-LD, embedded in each dataset's page for search engines."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from agora.catalog.models import Dataset, Resource


def dataset_json(request: HttpRequest, dataset: Dataset, resources: list[Resource]) -> SafeString:
    """The JSON-LD text, safe inside <script type="application/ld+json">."""
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": dataset.title,
        "description": dataset.description or dataset.title,
        "url": request.build_absolute_uri(dataset.get_absolute_url()),
        "keywords": [k.keyword for k in dataset.keywords.all()],
        "isAccessibleForFree": True,
        "publisher": {
            "@type": "Organization",
            "name": dataset.organisation.name,
            "url": request.build_absolute_uri(dataset.organisation.get_absolute_url()),
        },
        "distribution": [],
    }
    if dataset.licence_link:
        document["license"] = dataset.licence_link
    if dataset.issued:
        document["datePublished"] = dataset.issued.date().isoformat()
    if dataset.data_modified:
        document["dateModified"] = dataset.data_modified.date().isoformat()
    if dataset.temporal_start or dataset.temporal_end:
        start = dataset.temporal_start.isoformat() if dataset.temporal_start else ".."
        end = dataset.temporal_end.isoformat() if dataset.temporal_end else ".."
        document["temporalCoverage"] = f"{start}/{end}"
    if dataset.spatial:
        document["spatialCoverage"] = dataset.spatial
    if dataset.contact_email:
        document["creator"] = {
            "@type": "Organization",
            "name": dataset.contact_name or dataset.organisation.name,
            "email": dataset.contact_email,
        }
    for resource in resources:
        versions = list(resource.versions.all())
        if versions:
            document["distribution"].append(
                {
                    "@type": "DataDownload",
                    "name": resource.title,
                    "encodingFormat": versions[0].media_type,
                    "contentUrl": request.build_absolute_uri(versions[0].get_download_url()),
                    "contentSize": str(versions[0].size),
                }
            )
        elif resource.remote_url:
            document["distribution"].append(
                {"@type": "DataDownload", "name": resource.title, "contentUrl": resource.remote_url}
            )
    text = json.dumps(document, ensure_ascii=False)
    # No "</script>" or "<!--" can end the element early: "<", ">" and "&" are escaped.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308  escaped just above
