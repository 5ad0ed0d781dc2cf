"""Links to files elsewhere: each change kept as a version, dead links shown in the quality."""

from __future__ import annotations

import pytest

from agora.accounts.models import Organisation, User
from agora.catalog import ingestion, selectors, services
from agora.catalog.choices import IngestionStatus
from agora.catalog.models import Dataset, Resource
from agora.catalog.quality import assess
from agora.catalog.remote import remote_resource_check
from agora.catalog.tasks import check_remote_resources
from agora.catalog.tests.factories import editor_of, make_dataset, upload
from agora.core.tests.web_site import WebSite
from agora.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

CSV_V1 = "code,commune\n01001,L'Abergement-Clémenciat\n".encode()
CSV_V2 = CSV_V1 + b"01002,L'Abergement-de-Varey\n"


def _link(dataset: Dataset, people: dict[str, User | None], url: str) -> Resource:
    return services.resource_link(
        actor=editor_of(people), dataset=dataset, title="Communes", url=url, format="csv"
    )


@pytest.fixture
def dataset(organisation: Organisation, people: dict[str, User | None]) -> Dataset:
    return make_dataset(organisation, editor_of(people), publish=True)


def test_a_linked_file_is_kept_and_each_change_is_a_new_version(
    dataset: Dataset, people: dict[str, User | None], web_site: WebSite
) -> None:
    url = web_site.serve(
        "/export", CSV_V1, ETag='"1"', Content_Disposition='attachment; filename="communes.csv"'
    )
    link = _link(dataset, people, url)

    check = remote_resource_check(str(link.pk))
    assert check.outcome == "new_version", check.detail
    version = link.versions.get()
    assert version.filename == "communes.csv" and version.format == "CSV"
    assert version.created_by is None and version.file.read() == CSV_V1
    read = ingestion.version_ingest(version.pk)
    assert read.status == IngestionStatus.DONE
    table = selectors.live_table(resource=link)
    assert table.row_count == 1 and table.columns[0]["type"] == "string"  # 01001 stays text

    # Unchanged: the server says so (304 to the kept ETag), and nothing is added.
    assert remote_resource_check(str(link.pk)).outcome == "unchanged"
    assert web_site.requests[-1][1]["If-None-Match"] == '"1"'
    # Changed: a second version, recorded in the public ledger.
    web_site.serve("/export", CSV_V2, ETag='"2"')
    assert remote_resource_check(str(link.pk)).outcome == "new_version"
    assert [v.number for v in link.versions.all()] == [2, 1]
    assert LedgerEntry.objects.filter(action="catalog.resource.version_fetch").count() == 2
    link.refresh_from_db()
    assert link.reachable is True and link.remote_etag == '"2"'
    # A server without validators that sends the same bytes again adds nothing either.
    web_site.serve("/export", CSV_V2)
    assert remote_resource_check(str(link.pk)).outcome == "unchanged"
    assert link.versions.count() == 2


def test_a_dead_link_shows_in_the_quality_with_its_title(
    dataset: Dataset, people: dict[str, User | None], web_site: WebSite
) -> None:
    link = _link(dataset, people, web_site.url + "/gone.csv")
    check = remote_resource_check(str(link.pk))
    assert check.outcome == "unreachable" and "404" in check.detail
    link.refresh_from_db()
    assert link.reachable is False and link.checked is not None
    assessment = assess(dataset, selectors.resource_list(dataset=dataset))
    failed = {c.key: c for c in assessment.failed}
    assert "reachable" in failed and "Communes" in failed["reachable"].hint

    web_site.serve("/gone.csv", CSV_V1)
    assert remote_resource_check(str(link.pk)).outcome == "new_version"
    assert "reachable" not in {
        c.key for c in assess(dataset, selectors.resource_list(dataset=dataset)).failed
    }


def test_a_web_page_is_checked_but_not_kept(
    dataset: Dataset, people: dict[str, User | None], web_site: WebSite
) -> None:
    url = web_site.serve(
        "/portal", b"<!doctype html><title>Portail</title>", Content_Type="text/html"
    )
    link = _link(dataset, people, url)
    assert remote_resource_check(str(link.pk)).outcome == "not_a_file"
    link.refresh_from_db()
    assert link.reachable is True and not link.versions.exists()


def test_links_into_the_private_network_are_not_read(
    dataset: Dataset,
    people: dict[str, User | None],
    web_site: WebSite,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    link = _link(dataset, people, web_site.serve("/x.csv", CSV_V1))
    settings.OUTBOUND_ALLOW_PRIVATE = False
    check = remote_resource_check(str(link.pk))
    assert check.outcome == "unreachable" and "private network" in check.detail
    assert web_site.requests == []


def test_a_table_that_cannot_be_read_fails_the_schema_check(
    dataset: Dataset, people: dict[str, User | None]
) -> None:
    version = services.resource_upload(
        actor=editor_of(people),
        dataset=dataset,
        title="Abîmé",
        file=upload("abime.csv", ";".join(f"c{i}" for i in range(10_000)).encode() + b"\n"),
    )
    assert ingestion.version_ingest(version.pk).status == IngestionStatus.FAILED
    failed = {c.key: c for c in assess(dataset, selectors.resource_list(dataset=dataset)).failed}
    assert "schema_valid" in failed and "Abîmé" in failed["schema_valid"].hint


def test_the_daily_task_reads_every_link_of_datasets_not_archived(
    dataset: Dataset, people: dict[str, User | None], web_site: WebSite, organisation: Organisation
) -> None:
    kept = _link(dataset, people, web_site.serve("/a.csv", CSV_V1))
    archived = make_dataset(organisation, editor_of(people), title="Ancien", publish=True)
    _link(archived, people, web_site.serve("/b.csv", CSV_V1))
    services.dataset_archive(actor=editor_of(people), dataset=archived)
    assert selectors.remote_resource_ids() == [str(kept.pk)]
    assert check_remote_resources.call() == 1
