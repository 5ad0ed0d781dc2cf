"""Harvesting CKAN and DCAT portals served on loopback: created, unchanged, updated, archived."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from agora.accounts.models import Organisation, User
from agora.accounts.tests.factories import OrganisationFactory
from agora.catalog import harvest_readers
from agora.catalog.choices import DatasetStatus, HarvestKind, HarvestStatus
from agora.catalog.harvesting import harvest_run, harvest_source_create
from agora.catalog.models import Dataset, HarvestSource
from agora.catalog.tasks import harvest_sources
from agora.catalog.tests.ckan_payloads import package, search_answer
from agora.catalog.tests.factories import editor_of, make_dataset
from agora.core.errors import PermissionDenied
from agora.core.tests.web_site import WebSite
from agora.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

SEARCH = "/api/3/action/package_search"


def _source(
    organisation: Organisation, people: dict[str, User | None], url: str, kind: str
) -> HarvestSource:
    return harvest_source_create(
        actor=editor_of(people), organisation=organisation, name="City portal", url=url, kind=kind
    )


def _harvested(source: HarvestSource) -> dict[str, Dataset]:
    return {r.remote_id[:8]: r.dataset for r in source.records.select_related("dataset")}


def test_a_ckan_portal_is_imported_once_then_kept_in_step(
    organisation: Organisation, people: dict[str, User | None], web_site: WebSite
) -> None:
    web_site.serve(SEARCH, search_answer([package(1), package(2), package(3)]))
    source = _source(organisation, people, web_site.url, HarvestKind.CKAN)

    job = harvest_run(source.pk)
    assert job.status == HarvestStatus.DONE and job.counts == {"created": 3}
    datasets = _harvested(source)
    first = datasets["6f1c0001"]
    assert first.title == "Bus stops, zone 1" and first.status == DatasetStatus.PUBLISHED
    assert first.organisation == organisation and first.licence == "cc-by-4.0"
    assert first.frequency == "MONTHLY" and first.contact_email == "opendata@city.example"
    assert first.data_modified is not None and first.data_modified.date() == date(2026, 10, 1)
    assert sorted(first.keywords.values_list("keyword", flat=True)) == ["bus stops", "transport"]
    assert [(r.title, r.format) for r in first.resources.all()] == [
        ("Stops (CSV)", "CSV"),
        ("Stops (map)", "GeoJSON"),
    ]
    assert first.harvest.remote_url == f"{web_site.url}/dataset/bus-stops-1"
    assert LedgerEntry.objects.filter(action="catalog.dataset.harvest").count() == 3

    # Idempotent: the same answer changes nothing and records nothing.
    assert harvest_run(source.pk).counts == {"unchanged": 3}
    assert LedgerEntry.objects.filter(action="catalog.dataset.harvest").count() == 3

    # One changed (title, one file gone), one gone from the portal, one the same.
    changed = package(1, title="Bus stops, zone 1 (2026)", modified="2026-11-02T07:00:00")
    changed["resources"] = changed["resources"][:1]
    web_site.serve(SEARCH, search_answer([changed, package(3)]))
    job = harvest_run(source.pk)
    assert job.counts == {"updated": 1, "unchanged": 1, "removed": 1}
    first.refresh_from_db()
    assert first.title == "Bus stops, zone 1 (2026)" and first.resources.count() == 1
    second = Dataset.objects.get(pk=datasets["6f1c0002"].pk)
    assert second.status == DatasetStatus.ARCHIVED  # kept, marked, not deleted
    assert {i["outcome"] for i in job.items if i["remote_id"].startswith("6f1c0002")} == {"removed"}

    # Listed again: published again.
    web_site.serve(SEARCH, search_answer([changed, package(2), package(3)]))
    assert harvest_run(source.pk).counts == {"updated": 1, "unchanged": 2}
    second.refresh_from_db()
    assert second.status == DatasetStatus.PUBLISHED


def test_a_failed_read_changes_nothing(
    organisation: Organisation, people: dict[str, User | None], web_site: WebSite
) -> None:
    web_site.serve(SEARCH, search_answer([package(1)]))
    source = _source(organisation, people, web_site.url, HarvestKind.CKAN)
    harvest_run(source.pk)
    for body, status, reason in [
        (b"Service Unavailable", 503, "503"),
        (b"<html>maintenance</html>", 200, "CKAN's JSON"),
        (b'{"success": false, "error": {"message": "Search error"}}', 200, "error"),
    ]:
        web_site.serve(SEARCH, body, status)
        job = harvest_run(source.pk)
        assert job.status == HarvestStatus.FAILED and reason in job.message
        assert job.counts == {}
    assert Dataset.objects.get().status == DatasetStatus.PUBLISHED


def test_a_bad_entry_is_reported_and_the_others_imported(
    organisation: Organisation, people: dict[str, User | None], web_site: WebSite
) -> None:
    no_files = package(2, resources=[])
    bad_email = package(3, maintainer_email="not an address")
    web_site.serve(SEARCH, search_answer([package(1), no_files, bad_email]))
    job = harvest_run(_source(organisation, people, web_site.url, HarvestKind.CKAN).pk)
    assert job.counts == {"created": 1, "failed": 2}
    details = {i["remote_id"][:8]: i["detail"] for i in job.items if i["outcome"] == "failed"}
    assert "no file or link" in details["6f1c0002"]
    assert "contact_email" in details["6f1c0003"]
    assert Dataset.objects.count() == 1


def test_ckan_pages_are_followed(
    organisation: Organisation,
    people: dict[str, User | None],
    web_site: WebSite,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(harvest_readers, "CKAN_PAGE", 2)
    packages = [package(n) for n in range(1, 6)]
    for start in (0, 2, 4):
        web_site.serve(
            f"{SEARCH}?rows=2&start={start}&sort=id+asc",
            search_answer(packages[start : start + 2], count=5),
        )
    job = harvest_run(_source(organisation, people, web_site.url, HarvestKind.CKAN).pk)
    assert job.counts == {"created": 5}
    assert len(web_site.requests) == 3


def test_a_dcat_catalog_is_imported_with_its_vocabularies(
    organisation: Organisation,
    people: dict[str, User | None],
    web_site: WebSite,
    client: Client,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    """Agora's own DCAT-AP export, served by another site, comes back as it was."""
    settings.SITE_URL = "http://data.region-test.example"
    original = make_dataset(
        organisation,
        editor_of(people),
        title="Qualité de l'eau potable",
        description="Résultats du contrôle sanitaire, par commune.",
        licence="odbl-1.0",
        themes=["ENVI", "HEAL"],
        keywords=["eau", "santé"],
        frequency="MONTHLY",
        temporal_start=date(2024, 1, 1),
        temporal_end=date(2025, 12, 31),
        contact_name="Service eau",
        contact_email="eau@region-test.example",
        publish=True,
    )
    turtle = client.get("/catalog.ttl").content
    web_site.serve("/catalog.ttl", turtle, Content_Type="text/turtle")
    other = OrganisationFactory(name="Portail régional", slug="portail")
    staff = people["staff"]
    assert staff is not None
    source = harvest_source_create(
        actor=staff,
        organisation=other,
        name="Région",
        url=web_site.url + "/catalog.ttl",
        kind="dcat",
    )
    job = harvest_run(source.pk)
    assert job.counts == {"created": 1}, job.items
    copy = source.records.get().dataset
    assert copy.pk != original.pk and copy.organisation == other
    assert copy.title == original.title and copy.description == original.description
    assert copy.licence == "odbl-1.0" and copy.frequency == "MONTHLY"
    assert (copy.temporal_start, copy.temporal_end) == (date(2024, 1, 1), date(2025, 12, 31))
    assert copy.contact_email == "eau@region-test.example"
    assert sorted(copy.themes.values_list("theme", flat=True)) == ["ENVI", "HEAL"]
    assert sorted(copy.keywords.values_list("keyword", flat=True)) == ["eau", "santé"]
    assert [r.format for r in copy.resources.all()] == ["CSV"]
    assert (
        copy.harvest.remote_url == f"http://data.region-test.example{original.get_absolute_url()}"
    )


PAGE_1 = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<https://data.example.eu/catalog> a dcat:Catalog ; dcat:dataset <https://data.example.eu/d/air> .
<https://data.example.eu/d/air> a dcat:Dataset ;
    dct:title "Air quality"@en, "Qualité de l'air"@fr ;
    dct:license <http://publications.europa.eu/resource/authority/licence/CC_BY_4_0> ;
    dcat:distribution [ a dcat:Distribution ;
        dcat:accessURL <https://data.example.eu/files/air.csv> ;
        dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ] .
<https://data.example.eu/catalog?page=1> a hydra:PartialCollectionView ;
    hydra:next <catalog.ttl?page=2> .
"""
PAGE_2 = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
_:d a dcat:Dataset ; dct:identifier "noise-2026" ; dct:title "Noise"@en ;
    dct:license <https://example.org/our-licence> ;
    dcat:distribution [ dcat:downloadURL <https://data.example.eu/files/noise.parquet> ;
        dct:format "parquet" ] .
"""


def test_dcat_pages_are_followed_and_other_licences_kept(
    organisation: Organisation, people: dict[str, User | None], web_site: WebSite
) -> None:
    web_site.serve("/catalog.ttl", PAGE_1.encode())
    web_site.serve("/catalog.ttl?page=2", PAGE_2.encode())
    source = _source(organisation, people, web_site.url + "/catalog.ttl", HarvestKind.DCAT)
    assert harvest_run(source.pk).counts == {"created": 2}
    air = source.records.get(remote_id="https://data.example.eu/d/air").dataset
    assert air.title == "Air quality" and air.licence == "cc-by-4.0"  # the site speaks English
    noise = source.records.get(remote_id="noise-2026").dataset
    assert (noise.licence, noise.licence_url) == ("other", "https://example.org/our-licence")
    assert [r.format for r in noise.resources.all()] == ["Parquet"]


def test_only_the_organisations_editors_manage_its_harvests(
    client_as,  # type: ignore[no-untyped-def]
    organisation: Organisation,
    people: dict[str, User | None],
    web_site: WebSite,
) -> None:
    web_site.serve(SEARCH, search_answer([package(1)]))
    source = _source(organisation, people, web_site.url, HarvestKind.CKAN)
    harvest_run(source.pk)
    pages = [
        f"/datasets/harvest/{organisation.slug}/",
        f"/datasets/harvest/{organisation.slug}/{source.pk}/",
    ]
    run = f"/datasets/harvest/{organisation.slug}/{source.pk}/run/"
    anonymous = client_as("anonymous")
    for url in pages:
        assert anonymous.get(url).status_code == 302  # to sign in
        for role in ("citizen", "member"):
            assert client_as(role).get(url).status_code == 403
        assert client_as("editor").get(url).status_code == 200
    for role in ("citizen", "member"):
        assert client_as(role).post(run).status_code == 403
    report = client_as("admin").get(pages[1]).content.decode()
    assert "Bus stops, zone 1" in report and "Created" in report
    assert client_as("editor").post(run).status_code == 302
    assert client_as("editor").get(f"/datasets/harvest/{organisation.slug}/999/").status_code == 404

    editor = client_as("editor")
    answer = editor.post(
        pages[0], {"name": "EU portal", "url": web_site.url + "/dcat", "kind": "dcat"}
    )
    assert answer.status_code == 302
    assert organisation.harvest_sources.count() == 2
    again = editor.post(pages[0], {"name": "Again", "url": web_site.url + "/dcat", "kind": "dcat"})
    assert "already harvested" in again.content.decode()

    with pytest.raises(PermissionDenied):
        _source(organisation, {"editor": people["member"]}, web_site.url + "/x", "ckan")


def test_the_nightly_task_harvests_active_sources(
    organisation: Organisation, people: dict[str, User | None], web_site: WebSite
) -> None:
    active = _source(organisation, people, web_site.url, HarvestKind.CKAN)
    idle = _source(organisation, people, web_site.url + "/other", HarvestKind.CKAN)
    HarvestSource.objects.filter(pk=idle.pk).update(active=False)
    assert harvest_sources.call() == 1
    assert active.pk != idle.pk
