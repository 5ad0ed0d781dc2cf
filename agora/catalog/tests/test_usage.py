"""Usage counts: downloads and API calls per dataset and day, and "most used"."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test import Client

from agora.accounts.models import Organisation, User
from agora.catalog import selectors, usage
from agora.catalog.models import DatasetUsage
from agora.catalog.tests.factories import editor_of, make_dataset
from agora.catalog.usage import usage_summary

pytestmark = pytest.mark.django_db


def test_downloads_and_api_calls_are_counted_without_who(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    dataset = make_dataset(organisation, editor_of(people), publish=True)
    version = dataset.resources.get().versions.get()
    for _ in range(3):
        assert client.get(version.get_download_url()).status_code == 200
    client.get(f"/api/v1/datasets/{dataset.slug}")
    client.get(f"/api/v1/datasets/{dataset.slug}/resources")
    client.get(dataset.get_absolute_url())  # reading the page is not a use of the data
    summary = usage_summary(dataset=dataset)
    assert (summary["downloads"], summary["api_calls"], summary["recent_downloads"]) == (3, 2, 3)
    dataset.refresh_from_db()
    assert dataset.usage_count == 5
    # Only counters are kept: the table has no column that could identify anyone.
    columns = {
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), DatasetUsage._meta.db_table
        )
    }
    assert columns == {"id", "dataset_id", "day", "downloads", "api_calls"}
    page = client.get(dataset.get_absolute_url()).content.decode()
    assert "3 downloads and 2 API calls in all" in page


def test_drafts_are_not_counted(
    client_as,
    organisation: Organisation,
    people: dict[str, User | None],  # type: ignore[no-untyped-def]
) -> None:
    draft = make_dataset(organisation, editor_of(people))
    from agora.catalog import services
    from agora.catalog.tests.factories import upload

    version = services.resource_upload(
        actor=editor_of(people), dataset=draft, title="F", file=upload()
    )
    assert client_as("editor").get(version.get_download_url()).status_code == 200
    assert not DatasetUsage.objects.exists()


def test_most_used_first(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    quiet = make_dataset(organisation, editor_of(people), title="A calme", publish=True)
    busy = make_dataset(organisation, editor_of(people), title="B populaire", publish=True)
    client.get(busy.resources.get().versions.get().get_download_url())
    used = selectors.dataset_list(actor=editor_of(people), sort="used")
    assert [d.pk for d in used.items] == [busy.pk, quiet.pk]
    listed = client.get("/api/v1/datasets?sort=used").json()["items"]
    assert [d["slug"] for d in listed] == [busy.slug, quiet.slug]
    assert listed[0]["usage"] == 1
    assert "B populaire" in client.get("/datasets/?sort=used").content.decode()


def test_uses_are_added_up_in_the_process_and_written_together(
    client: Client,
    organisation: Organisation,
    people: dict[str, User | None],
    settings,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dataset = make_dataset(organisation, editor_of(people), publish=True)
    gone = make_dataset(organisation, editor_of(people), title="Supprimé", publish=True)
    settings.USAGE_FLUSH_SECONDS = 3600
    monkeypatch.setattr(usage, "_last_flush", time.monotonic())
    for _ in range(3):
        client.get(f"/api/v1/datasets/{dataset.slug}")
    client.get(f"/api/v1/datasets/{gone.slug}")
    assert not DatasetUsage.objects.exists()  # nothing written yet: one write per period
    gone.delete()
    assert usage.usage_flush() == 4
    dataset.refresh_from_db()
    assert dataset.usage_count == 3
    assert usage_summary(dataset=dataset)["api_calls"] == 3
    assert usage.usage_flush() == 0
    monkeypatch.setattr(usage, "_last_flush", time.monotonic() - 3600)
    client.get(f"/api/v1/datasets/{dataset.slug}")  # the period is over: written at once
    dataset.refresh_from_db()
    assert dataset.usage_count == 4
