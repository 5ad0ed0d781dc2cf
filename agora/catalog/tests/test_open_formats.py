"""datapackage.json, the sitemap and robots.txt."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from agora.accounts.models import Organisation, User
from agora.catalog import services
from agora.catalog.tests.factories import CSV, editor_of, make_dataset

pytestmark = pytest.mark.django_db


def test_a_data_package_lists_the_files_with_their_checksums(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    dataset = make_dataset(
        organisation, editor_of(people), publish=True, licence="cc-by-4.0", keywords=["eau"]
    )
    services.resource_link(
        actor=editor_of(people),
        dataset=dataset,
        title="Communes",  # the same title as the file: names stay unique
        url="https://example.org/communes.json",
        format="json",
    )
    response = client.get(f"/datasets/{dataset.slug}/datapackage.json")
    assert response.status_code == 200
    package = response.json()
    assert package["name"] == dataset.slug
    assert package["licenses"] == [
        {
            "title": "Creative Commons Attribution 4.0 (CC-BY)",
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        }
    ]
    assert package["keywords"] == ["eau"]
    upload, link = package["resources"]
    assert upload["name"] == "communes" and link["name"] == "communes-2"
    assert upload["hash"] == f"sha256:{hashlib.sha256(CSV).hexdigest()}"
    assert upload["bytes"] == len(CSV) and upload["format"] == "csv"
    assert client.get(upload["path"]).status_code == 200
    assert link == {
        "name": "communes-2",
        "title": "Communes",
        "path": "https://example.org/communes.json",
        "format": "json",
    }


def test_a_drafts_package_is_for_its_organisation_only(
    client_as,
    organisation: Organisation,
    people: dict[str, User | None],  # type: ignore[no-untyped-def]
) -> None:
    draft = make_dataset(organisation, editor_of(people))
    url = f"/datasets/{draft.slug}/datapackage.json"
    assert client_as("citizen").get(url).status_code == 404
    assert client_as("member").get(url).status_code == 200


def test_the_sitemap_lists_public_pages_only(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    public = make_dataset(organisation, editor_of(people), title="Public", publish=True)
    draft = make_dataset(organisation, editor_of(people), title="Draft")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = {
        loc.text
        for loc in ET.fromstring(response.content).findall("s:url/s:loc", namespace)  # noqa: S314  our own output
    }
    assert f"http://testserver{public.get_absolute_url()}" in urls
    assert f"http://testserver{draft.get_absolute_url()}" not in urls
    assert f"http://testserver{organisation.get_absolute_url()}" in urls
    assert "http://testserver/datasets/" in urls
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots
