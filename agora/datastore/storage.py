"""Local paths for stored files: DuckDB opens files, not storage objects."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db.models.fields.files import FieldFile


def local_path(file: FieldFile) -> Path:
    """The file on this machine: in place on local storage, otherwise a copy in the cache.

    Table files never change once written, so a cached copy never goes stale."""
    try:
        return Path(file.path)
    except NotImplementedError:
        pass
    target = Path(settings.DATASTORE_CACHE_DIR) / "files" / str(file.name)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with (
            file.open("rb") as source,
            tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as copy,
        ):
            shutil.copyfileobj(source, copy, 1024 * 1024)
        os.replace(copy.name, target)  # atomic: a reader sees the whole file or none
    return target


def save(field: FieldFile, path: Path, name: str) -> None:
    """Stores a finished local file under the field's upload path."""
    with path.open("rb") as source:
        field.save(name, File(source), save=False)
