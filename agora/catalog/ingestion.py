"""Reading tabular versions into tables, and the schema the publisher confirms.

A version goes live only when all its tables are written: until then the previous version
answers the data API, and a version that fails keeps its original file and a report.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.catalog import permissions
from agora.catalog.choices import ColumnType, IngestionStatus
from agora.catalog.models import ConfirmedSchema, Ingestion, Resource, ResourceVersion, Table
from agora.core.errors import PermissionDenied, ValidationError
from agora.datastore import storage
from agora.datastore.build import BuiltTable, ColumnSpec, build_tables
from agora.datastore.errors import IngestError, SchemaMismatch
from agora.datastore.readers import TABULAR_FORMATS, column_names

logger = logging.getLogger(__name__)


def ingestion_queue(version: ResourceVersion) -> Ingestion | None:
    """Queues the reading of a tabular version once the current transaction commits."""
    if version.format not in TABULAR_FORMATS:
        return None
    from agora.catalog.tasks import ingest_version  # tasks import this module

    ingestion, _created = Ingestion.objects.update_or_create(
        version=version,
        defaults={
            "status": IngestionStatus.QUEUED,
            "progress": 0,
            "message": "",
            "error_code": "",
            "problems": [],
            "problem_count": 0,
        },
    )
    transaction.on_commit(lambda: ingest_version.enqueue(version.pk))
    return ingestion


def _specs(resource: Resource) -> dict[str, list[ColumnSpec]]:
    return {
        schema.table_name: [ColumnSpec(c["source"], c["name"], c["type"]) for c in schema.columns]
        for schema in resource.schemas.all()
    }


def _set(ingestion: Ingestion, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(ingestion, name, value)
    ingestion.save(update_fields=list(fields))


def version_ingest(version_id: int) -> Ingestion:
    """Reads the version into tables (run by the task); records success or the report."""
    version = ResourceVersion.objects.select_related("resource__dataset").get(pk=version_id)
    ingestion, _created = Ingestion.objects.get_or_create(version=version)
    if ingestion.status == IngestionStatus.DONE:
        return ingestion  # read already (queuing again resets the status)
    _set(ingestion, status=IngestionStatus.RUNNING, started=timezone.now(), progress=1)
    work_root = Path(settings.DATASTORE_CACHE_DIR) / "work"
    work_root.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(dir=work_root))
    try:
        source = storage.local_path(version.file)
        built = build_tables(
            source,
            version.format,
            workdir,
            specs=_specs(version.resource),
            progress=lambda percent, stage: _set(ingestion, progress=max(1, min(percent, 99))),
        )
        _publish(version, built)
    except SchemaMismatch as mismatch:
        _set(
            ingestion,
            status=IngestionStatus.REJECTED,
            error_code=mismatch.code,
            message=mismatch.message,
            problems=mismatch.problems,
            problem_count=mismatch.total,
            finished=timezone.now(),
        )
    except IngestError as error:
        _set(
            ingestion,
            status=IngestionStatus.FAILED,
            error_code=error.code,
            message=error.message,
            finished=timezone.now(),
        )
    except Exception:
        logger.exception("Reading version %s failed", version.pk)
        _set(
            ingestion,
            status=IngestionStatus.FAILED,
            error_code="internal",
            message=_(
                "The file could not be read because of an error on our side; "
                "it has been logged. The original file is kept."
            ),
            finished=timezone.now(),
        )
    else:
        _set(ingestion, status=IngestionStatus.DONE, progress=100, finished=timezone.now())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return ingestion


def _publish(version: ResourceVersion, built: list[BuiltTable]) -> None:
    """Stores every table's files, then records them all at once."""
    tables = []
    try:
        for position, result in enumerate(built):
            table = Table(
                version=version,
                position=position,
                name=result.name,
                row_count=result.row_count,
                columns=[column.as_dict() for column in result.columns],
                parquet_size=result.parquet.stat().st_size,
            )
            tables.append(table)
            storage.save(table.database, result.database, f"{position}.duckdb")
            storage.save(table.parquet, result.parquet, f"{position}.parquet")
        with transaction.atomic():
            replaced = list(version.tables.all())
            version.tables.all().delete()
            for table in tables:
                table.save(force_insert=True)
            transaction.on_commit(lambda: _delete_files(replaced))
    except BaseException:
        _delete_files(tables)
        raise


def _delete_files(tables: list[Table]) -> None:
    for table in tables:
        table.database.delete(save=False)
        table.parquet.delete(save=False)


@transaction.atomic
def schema_confirm(*, actor: User, table: Table, columns: list[dict[str, str]]) -> ConfirmedSchema:
    """Fixes each column's name and type for this and later versions, and reads the version
    again with them; `columns` lists {source, name, type} for every column of the table."""
    resource = table.version.resource
    if not permissions.can_edit_dataset(actor, resource.dataset):
        raise PermissionDenied(_("Only the organisation's editors can change a table's schema."))
    sources = {c["source"] for c in table.columns}
    errors: dict[str, str] = {}
    for column in columns:
        if column.get("source") not in sources:
            errors["columns"] = _("Unknown column “%(name)s”.") % {"name": column.get("source")}
        elif column.get("type") not in ColumnType.values:
            errors["columns"] = _("“%(type)s” is not a type; choose one of: %(choices)s.") % {
                "type": column.get("type"),
                "choices": ", ".join(ColumnType.values),
            }
    names = [str(column.get("name", "")).strip() for column in columns]
    if any(not name for name in names):
        errors["columns"] = _("Every column needs a name.")
    elif column_names(names) != names:
        errors["columns"] = _("Column names must be different from one another.")
    if errors:
        raise ValidationError(errors)
    schema, _created = ConfirmedSchema.objects.update_or_create(
        resource=resource,
        table_name=table.name,
        defaults={
            "columns": [
                {"source": c["source"], "name": name, "type": c["type"]}
                for c, name in zip(columns, names, strict=True)
            ],
            "confirmed_by": actor,
        },
    )
    ingestion_queue(table.version)
    return schema
