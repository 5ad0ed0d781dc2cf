"""Table files on storage that is not a local directory (S3) are copied once to the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile, File
from django.core.files.storage import InMemoryStorage, Storage
from django.db.models.fields.files import FieldFile

from agora.datastore import storage

pytestmark = pytest.mark.files


class RemoteStorage(Storage):
    """Like S3: files kept elsewhere, with no local path (Storage.path raises)."""

    def __init__(self) -> None:
        self.kept = InMemoryStorage()

    def _open(self, name: str, mode: str = "rb") -> File:  # type: ignore[type-arg]
        return self.kept.open(name, mode)

    def _save(self, name: str, content: File) -> str:  # type: ignore[type-arg]
        return self.kept.save(name, content)

    def delete(self, name: str) -> None:
        self.kept.delete(name)

    def exists(self, name: str) -> bool:
        return self.kept.exists(name)


class _Field:
    """What FieldFile needs of its model field: a storage."""

    def __init__(self, backend: InMemoryStorage) -> None:
        self.storage = backend


def test_remote_files_are_copied_once_into_the_cache(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATASTORE_CACHE_DIR = tmp_path
    backend = RemoteStorage()
    name = backend.save("catalog/1/2/3/tables/0.duckdb", ContentFile(b"table bytes"))
    file = FieldFile(None, _Field(backend), name)  # type: ignore[arg-type]  # no model needed
    with pytest.raises(NotImplementedError):
        backend.path(name)  # as with S3: no local path
    local = storage.local_path(file)
    assert local == tmp_path / "files" / name
    assert local.read_bytes() == b"table bytes"
    backend.delete(name)  # a second call reads the cache, not the storage
    assert storage.local_path(file).read_bytes() == b"table bytes"
    assert [p.name for p in local.parent.iterdir()] == ["0.duckdb"]  # no temporary left
