"""The catalog's background work: reading tabular files into tables, and reading links."""

from __future__ import annotations

from django.tasks import task

from agora.catalog import ingestion
from agora.catalog.selectors import remote_resource_ids
from agora.core.scheduling import periodic


@task
def ingest_version(version_id: int) -> str:
    return ingestion.version_ingest(version_id).status


@task
def check_remote_resource(resource_id: str) -> str:
    # Imported here: reading a link adds versions through the services, which enqueue this.
    from agora.catalog.remote import remote_resource_check

    return remote_resource_check(resource_id).outcome


@periodic(cron="41 4 * * *")  # daily, at a quiet hour
@task
def check_remote_resources() -> int:
    """Reads every link once a day: a changed file becomes a new version, a dead link shows."""
    ids = remote_resource_ids()
    for resource_id in ids:
        check_remote_resource.enqueue(resource_id)
    return len(ids)
