"""Child process of the benchmark: publishes a CSV in a throwaway Agora (its own VAR_DIR) and
reads it into a table, then prints what the parent needs as one JSON line."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")

import django

django.setup()

from django.core.files.uploadedfile import TemporaryUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from agora.accounts.choices import Role  # noqa: E402
from agora.accounts.tests.factories import OrganisationFactory, make_member  # noqa: E402
from agora.catalog import ingestion, services  # noqa: E402
from agora.datastore import storage  # noqa: E402


def main(source: Path, slug: str) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    organisation = OrganisationFactory(name=f"Benchmark {slug}", slug=f"bench-{slug}")
    user = make_member(organisation, Role.EDITOR)
    dataset = services.dataset_create(
        actor=user, organisation=organisation, title=slug, licence="etalab-2.0"
    )
    upload = TemporaryUploadedFile(source.name, "text/csv", source.stat().st_size, "utf-8")
    with source.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            upload.write(chunk)
    upload.seek(0)
    version = services.resource_upload(actor=user, dataset=dataset, title=slug, file=upload)
    services.dataset_publish(actor=user, dataset=dataset)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = ingestion.version_ingest(version.pk)
    seconds = time.perf_counter() - started
    table = version.tables.get()
    print(
        json.dumps(
            {
                "status": result.status,
                "message": result.message,
                "seconds": seconds,
                "maxrss_before_kb": before,
                "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "slug": dataset.slug,
                "resource": str(version.resource_id),
                "parquet": str(storage.local_path(table.parquet)),
                "columns": table.columns,
                "rows": table.row_count,
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
