"""Catalog services: drafts, publication, archiving, resources and immutable versions."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage, default_storage

from agora.accounts.models import Organisation, User
from agora.catalog import selectors, services
from agora.catalog.choices import DatasetStatus
from agora.catalog.models import Dataset, ResourceVersion
from agora.catalog.tests.factories import CSV, make_dataset, upload
from agora.core.errors import Conflict, PermissionDenied, ValidationError
from agora.core.search import search
from agora.ledger.models import LedgerEntry
from agora.ledger.selectors import ledger_size

pytestmark = pytest.mark.django_db


def test_a_new_dataset_is_a_private_draft_that_leaves_no_public_trace(
    organisation: Organisation, people: dict[str, User]
) -> None:
    dataset = make_dataset(
        organisation,
        people["editor"],
        themes=["ECON", "GOVE"],
        keywords=["Budget", " budget ", "finances  locales"],
    )
    assert dataset.status == DatasetStatus.DRAFT
    assert dataset.slug == "population-des-communes"
    assert [k.keyword for k in dataset.keywords.all()] == ["budget", "finances locales"]
    assert sorted(t.theme for t in dataset.themes.all()) == ["ECON", "GOVE"]
    assert ledger_size() == 0
    assert search("population").total == 0
    with pytest.raises(Dataset.DoesNotExist):
        selectors.dataset_get(actor=people["citizen"], slug=dataset.slug)
    assert selectors.dataset_get(actor=people["member"], slug=dataset.slug) == dataset


def test_slugs_are_unique_and_chosen_ones_are_checked(
    organisation: Organisation, people: dict[str, User]
) -> None:
    first = make_dataset(organisation, people["editor"])
    second = make_dataset(organisation, people["editor"])
    assert (first.slug, second.slug) == ("population-des-communes", "population-des-communes-2")
    with pytest.raises(Conflict):
        make_dataset(organisation, people["editor"], slug=first.slug)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"licence": "other"}, "licence_url"),
        ({"licence": "proprietary"}, "licence"),
        ({"themes": ["MOON"]}, "themes"),
        ({"temporal_start": date(2024, 1, 1), "temporal_end": date(2023, 1, 1)}, "temporal_end"),
        ({"contact_email": "not an address"}, "contact_email"),
        ({"keywords": [f"k{n}" for n in range(31)]}, "keywords"),
        ({"frequency": "SOMETIMES"}, "frequency"),
    ],
)
def test_bad_metadata_is_refused_on_its_field(
    organisation: Organisation, people: dict[str, User], fields: dict[str, object], field: str
) -> None:
    fields = {"title": "Budget", "licence": "etalab-2.0", **fields}
    with pytest.raises(ValidationError) as caught:
        services.dataset_create(actor=people["editor"], organisation=organisation, **fields)
    assert field in caught.value.error_dict
    assert not Dataset.objects.exists()


@pytest.mark.parametrize("role", ["citizen", "member"])
def test_only_editors_create_datasets(
    organisation: Organisation, people: dict[str, User], role: str
) -> None:
    with pytest.raises(PermissionDenied):
        make_dataset(organisation, people[role])


def test_publishing_needs_a_resource_then_is_recorded_and_searchable(
    organisation: Organisation, people: dict[str, User]
) -> None:
    editor = people["editor"]
    dataset = make_dataset(organisation, editor, keywords=["démographie"])
    with pytest.raises(ValidationError, match="resource"):
        services.dataset_publish(actor=editor, dataset=dataset)
    services.resource_upload(actor=editor, dataset=dataset, title="Communes", file=upload())
    assert ledger_size() == 0  # drafts are the organisation's own business
    services.dataset_publish(actor=editor, dataset=dataset)
    dataset.refresh_from_db()
    assert dataset.status == DatasetStatus.PUBLISHED
    assert dataset.issued is not None and dataset.data_modified is not None
    entry = LedgerEntry.objects.get()
    assert entry.action == "catalog.dataset.publish"
    assert entry.organisation == organisation
    assert entry.actor_name == editor.display_name
    assert entry.data["dataset"] == dataset.slug
    assert "Population des communes" in entry.summary
    assert search("demographie").total == 1  # accent-insensitive, from the keywords
    assert selectors.dataset_get(actor=_anonymous(), slug=dataset.slug)
    with pytest.raises(Conflict):
        services.dataset_publish(actor=editor, dataset=dataset)


def _anonymous():  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def test_updates_of_public_datasets_are_recorded_with_the_fields_changed(
    organisation: Organisation, people: dict[str, User]
) -> None:
    dataset = make_dataset(organisation, people["editor"], publish=True)
    before = ledger_size()
    services.dataset_update(actor=people["admin"], dataset=dataset, title=dataset.title)
    assert ledger_size() == before  # nothing changed, nothing recorded
    services.dataset_update(
        actor=people["admin"], dataset=dataset, description="Source : INSEE.", themes=["REGI"]
    )
    entry = LedgerEntry.objects.order_by("-index").first()
    assert entry is not None and entry.action == "catalog.dataset.update"
    assert entry.data["fields"] == ["description", "themes"]
    assert search("insee").total == 1


def test_archiving_keeps_the_dataset_public(
    organisation: Organisation, people: dict[str, User]
) -> None:
    dataset = make_dataset(organisation, people["editor"], publish=True)
    services.dataset_archive(actor=people["editor"], dataset=dataset)
    assert selectors.dataset_get(actor=_anonymous(), slug=dataset.slug).status == "archived"
    assert LedgerEntry.objects.filter(action="catalog.dataset.archive").count() == 1
    with pytest.raises(Conflict):
        services.dataset_archive(actor=people["editor"], dataset=dataset)
    services.dataset_publish(actor=people["editor"], dataset=dataset)  # republished
    with pytest.raises(PermissionDenied):
        services.dataset_archive(actor=people["member"], dataset=dataset)


def test_versions_are_immutable_fingerprinted_and_numbered(
    organisation: Organisation, people: dict[str, User]
) -> None:
    editor = people["editor"]
    dataset = make_dataset(organisation, editor, publish=True)
    resource = dataset.resources.get()
    first = resource.versions.get()
    assert (first.number, first.format, first.media_type) == (1, "CSV", "text/csv")
    assert first.sha256 == hashlib.sha256(CSV).hexdigest()
    assert first.size == len(CSV)
    with first.file.open("rb") as stored:
        assert stored.read() == CSV

    with pytest.raises(Conflict, match="identical to version 1"):
        services.resource_version_upload(actor=editor, resource=resource, file=upload())
    second = services.resource_version_upload(
        actor=editor, resource=resource, file=upload(content=CSV + b"Lille,236710\n")
    )
    assert second.number == 2
    assert first.file.name != second.file.name
    with first.file.open("rb") as stored:
        assert stored.read() == CSV  # the first version is untouched
    entry = LedgerEntry.objects.order_by("-index").first()
    assert entry is not None and entry.action == "catalog.resource.version_add"
    assert entry.data["sha256"] == second.sha256
    with pytest.raises(ValueError, match="immutable"):
        first.save()


def test_a_file_whose_content_does_not_match_its_name_is_refused_and_not_kept(
    organisation: Organisation, people: dict[str, User]
) -> None:
    dataset = make_dataset(organisation, people["editor"])
    with pytest.raises(ValidationError) as caught:
        services.resource_upload(
            actor=people["editor"],
            dataset=dataset,
            title="Fake",
            file=upload("data.csv", b"%PDF-1.7 binary"),
        )
    assert "file" in caught.value.error_dict
    assert not ResourceVersion.objects.exists()
    assert not dataset.resources.exists()


def test_a_failed_upload_leaves_no_stored_file(
    organisation: Organisation, people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = make_dataset(organisation, people["editor"], publish=True)
    resource = dataset.resources.get()
    stored: list[str] = []
    original_save = FileSystemStorage.save

    def remember(
        self: FileSystemStorage, name: str, content: Any, max_length: int | None = None
    ) -> str:
        saved = original_save(self, name, content, max_length=max_length)
        stored.append(saved)
        return saved

    def fail(**kwargs: object) -> None:
        raise RuntimeError("the ledger is unavailable")

    monkeypatch.setattr(FileSystemStorage, "save", remember)
    monkeypatch.setattr(services, "ledger_record", fail)
    with pytest.raises(RuntimeError):
        services.resource_version_upload(
            actor=people["editor"], resource=resource, file=upload(content=b"a,b\n1,2\n")
        )
    assert stored and not default_storage.exists(stored[0])
    assert resource.versions.count() == 1


def test_links_are_resources_without_versions(
    organisation: Organisation, people: dict[str, User]
) -> None:
    dataset = make_dataset(organisation, people["editor"], publish=True)
    link = services.resource_link(
        actor=people["editor"],
        dataset=dataset,
        title="API SIRENE",
        url="https://api.insee.fr/entreprises/sirene",
        format="api",
    )
    assert link.format == "API"
    with pytest.raises(Conflict):
        services.resource_version_upload(actor=people["editor"], resource=link, file=upload())
    with pytest.raises(ValidationError):
        services.resource_link(
            actor=people["editor"], dataset=dataset, title="Bad", url="javascript:alert(1)"
        )


def test_drafts_are_listed_only_for_their_organisation(
    organisation: Organisation, people: dict[str, User]
) -> None:
    make_dataset(organisation, people["editor"], title="Brouillon")
    make_dataset(organisation, people["editor"], title="Publié", publish=True)
    public = selectors.dataset_list(actor=people["citizen"])
    assert [d.title for d in public.items] == ["Publié"]
    drafts = selectors.dataset_list(actor=people["citizen"], status="draft")
    assert drafts.items == []
    drafts = selectors.dataset_list(actor=people["member"], status="draft")
    assert [d.title for d in drafts.items] == ["Brouillon"]
