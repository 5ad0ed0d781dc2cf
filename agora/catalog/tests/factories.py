"""Datasets for tests, made through the same services as in the pages."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from agora.accounts.models import Organisation, User
from agora.catalog import services
from agora.catalog.models import Dataset

CSV = "commune,population\nLyon,522250\nSaint-Étienne,172565\n".encode()


def editor_of(people: dict[str, User | None]) -> User:
    """The editor of the `people` fixture's organisation."""
    user = people["editor"]
    assert user is not None
    return user


def upload(name: str = "communes.csv", content: bytes = CSV) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def make_dataset(
    organisation: Organisation,
    editor: User,
    *,
    publish: bool = False,
    title: str = "Population des communes",
    **fields: Any,
) -> Dataset:
    fields.setdefault("licence", "etalab-2.0")
    dataset = services.dataset_create(
        actor=editor, organisation=organisation, title=title, **fields
    )
    if publish:
        services.resource_upload(actor=editor, dataset=dataset, title="Communes", file=upload())
        services.dataset_publish(actor=editor, dataset=dataset)
    return dataset
