"""The catalog's background work: reading tabular files into tables."""

from __future__ import annotations

from django.tasks import task

from agora.catalog import ingestion


@task
def ingest_version(version_id: int) -> str:
    return ingestion.version_ingest(version_id).status
