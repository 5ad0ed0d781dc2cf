"""Catalog pages and forms (plain HTML posts: they work without JavaScript)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from agora.accounts.models import Organisation, User
from agora.catalog.models import Dataset
from agora.catalog.tests.factories import CSV, editor_of, make_dataset, upload

pytestmark = pytest.mark.django_db
ClientAs = Callable[[str], Client]
ROLES = ("anonymous", "citizen", "member", "editor", "admin", "staff")


def test_an_editor_publishes_a_dataset_through_the_pages(
    client_as: ClientAs, organisation: Organisation
) -> None:
    client = client_as("editor")
    page = client.get("/datasets/new/")
    assert page.status_code == 200
    assert organisation.name in page.content.decode()
    response = client.post(
        "/datasets/new/",
        {
            "organisation": organisation.slug,
            "title": "Qualité de l'eau",
            "description": "Analyses **mensuelles**.",
            "licence": "etalab-2.0",
            "themes": ["ENVI", "HEAL"],
            "keywords": "eau, santé",
            "frequency": "MONTHLY",
            "temporal_start": "2025-01-01",
            "spatial": "Rhône",
        },
    )
    assert response.status_code == 302
    dataset = Dataset.objects.get()
    assert response["Location"] == dataset.get_absolute_url()
    assert [k.keyword for k in dataset.keywords.all()] == ["eau", "santé"]

    response = client.post(
        f"/datasets/{dataset.slug}/resources/new/", {"title": "", "file": upload("eau.csv")}
    )
    assert response.status_code == 302
    resource = dataset.resources.get()
    assert resource.title == "eau.csv"  # the file's name when no title is given
    response = client.post(
        f"/datasets/{dataset.slug}/resources/new/?link",
        {"title": "Carte", "url": "https://example.org/carte", "format": "html"},
    )
    assert response.status_code == 302
    assert client.post(f"/datasets/{dataset.slug}/publish/").status_code == 302
    dataset.refresh_from_db()
    assert dataset.status == "published"

    page = Client().get(dataset.get_absolute_url()).content.decode()
    assert "<strong>mensuelles</strong>" in page
    assert "eau.csv" in page and "Carte" in page
    assert "Licence Ouverte" in page


def test_a_new_version_through_the_resource_page(
    client_as: ClientAs, organisation: Organisation, people: dict[str, User | None]
) -> None:
    dataset = make_dataset(organisation, editor_of(people), publish=True)
    resource = dataset.resources.get()
    client = client_as("editor")
    response = client.post(resource.get_absolute_url(), {"file": upload()})
    assert response.status_code == 200  # identical: refused with the reason on the form
    assert "identical to version 1" in response.content.decode()
    response = client.post(resource.get_absolute_url(), {"file": upload(content=CSV + b"X,1\n")})
    assert response.status_code == 302
    page = Client().get(resource.get_absolute_url()).content.decode()
    assert page.count("/download") == 2
    assert resource.versions.get(number=1).sha256 in page


def test_downloads_are_the_original_bytes_and_cached_when_public(
    organisation: Organisation, people: dict[str, User | None]
) -> None:
    dataset = make_dataset(organisation, editor_of(people), publish=True)
    version = dataset.resources.get().versions.get()
    response = Client().get(version.get_download_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CSV  # type: ignore[attr-defined]
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    assert response["ETag"] == f'"{version.sha256}"'
    assert "immutable" in response["Cache-Control"]
    missing = version.get_download_url().replace("/1/download", "/9/download")
    assert Client().get(missing).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_draft_and_its_files(
    client_as: ClientAs, organisation: Organisation, people: dict[str, User | None], role: str
) -> None:
    editor = editor_of(people)
    draft = make_dataset(organisation, editor)
    from agora.catalog import services

    version = services.resource_upload(actor=editor, dataset=draft, title="F", file=upload())
    client = client_as(role)
    can_see = role in ("member", "editor", "admin", "staff")
    assert client.get(draft.get_absolute_url()).status_code == (200 if can_see else 404)
    download = client.get(version.get_download_url())
    assert download.status_code == (200 if can_see else 404)
    if can_see:
        assert download["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_use_the_editing_pages(
    client_as: ClientAs, organisation: Organisation, people: dict[str, User | None], role: str
) -> None:
    dataset = make_dataset(organisation, editor_of(people), publish=True)
    resource = dataset.resources.get()
    client = client_as(role)
    allowed = role in ("editor", "admin", "staff")
    expected_get = 200 if allowed else (302 if role == "anonymous" else 403)
    for url in (
        "/datasets/new/",
        f"/datasets/{dataset.slug}/edit/",
        f"/datasets/{dataset.slug}/resources/new/",
    ):
        assert client.get(url).status_code == expected_get, url
    expected_post = 302 if allowed or role == "anonymous" else 403
    assert client.post(f"/datasets/{dataset.slug}/archive/").status_code == expected_post
    version_post = client.post(resource.get_absolute_url(), {"file": upload("n.csv", b"a\n1\n")})
    assert version_post.status_code == (302 if allowed else 403)
    dataset.refresh_from_db()
    assert dataset.status == ("archived" if allowed else "published")


def test_publishing_without_a_resource_explains_why(
    client_as: ClientAs, organisation: Organisation, people: dict[str, User | None]
) -> None:
    dataset = make_dataset(organisation, editor_of(people))
    client = client_as("editor")
    response = client.post(f"/datasets/{dataset.slug}/publish/", follow=True)
    assert "Add at least one resource" in response.content.decode()
    dataset.refresh_from_db()
    assert dataset.status == "draft"


def test_form_errors_are_shown_on_their_field(
    client_as: ClientAs, organisation: Organisation
) -> None:
    response = client_as("editor").post(
        "/datasets/new/",
        {
            "organisation": organisation.slug,
            "title": "Autre licence",
            "licence": "other",
            "frequency": "UNKNOWN",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "licence_url" in form.errors
    assert not Dataset.objects.exists()


def test_the_list_filters_by_theme_and_in_french(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    editor = editor_of(people)
    make_dataset(organisation, editor, title="Eau", themes=["ENVI"], publish=True)
    make_dataset(organisation, editor, title="Budget", themes=["ECON"], publish=True)
    page = client.get("/datasets/?theme=ENVI").content.decode()
    assert "Eau" in page and "Budget" not in page
    page = client.get("/datasets/", headers={"accept-language": "fr"}).content.decode()
    assert "Données ouvertes" in page
    assert client.get("/datasets/?cursor=garbage").status_code == 302
