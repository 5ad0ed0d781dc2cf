"""The catalog's background work: reading tabular files into tables, and reading links."""

from __future__ import annotations

from django.tasks import task

from agora.catalog import ingestion
from agora.catalog.selectors import active_harvest_source_ids, remote_resource_ids
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


@task
def harvest_source(source_id: int) -> dict[str, int]:
    from agora.catalog.harvesting import harvest_run  # the harvest enqueues link readings

    counts: dict[str, int] = harvest_run(source_id).counts
    return counts


@periodic(cron="23 2 * * *")  # daily, at night, before the links are read
@task
def harvest_sources() -> int:
    ids = active_harvest_source_ids()
    for source_id in ids:
        harvest_source.enqueue(source_id)
    return len(ids)
