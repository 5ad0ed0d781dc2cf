"""Quality scores: each check, its hint, the dashboard."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agora.accounts.models import Organisation, User
from agora.catalog import services
from agora.catalog.models import Dataset
from agora.catalog.quality import assess
from agora.catalog.tests.factories import editor_of, make_dataset, upload

pytestmark = pytest.mark.django_db


def failed(dataset: Dataset) -> set[str]:
    return {c.key for c in assess(dataset, list(dataset.resources.all())).failed}


def test_a_complete_dataset_scores_100_and_each_gap_costs(
    organisation: Organisation, people: dict[str, User | None]
) -> None:
    dataset = make_dataset(
        organisation,
        editor_of(people),
        description="Les résultats du contrôle sanitaire de l'eau potable, commune par commune, "
        "tels que les publie l'agence régionale de santé chaque mois.",
        themes=["HEAL"],
        keywords=["eau"],
        frequency="MONTHLY",
        temporal_start=date(2024, 1, 1),
        spatial="Région de Test",
        contact_email="eau@region-test.example",
        publish=True,
    )
    assessment = assess(dataset, list(dataset.resources.all()))
    assert assessment.score == 100 and not assessment.failed

    Dataset.objects.filter(pk=dataset.pk).update(data_modified=timezone.now() - timedelta(days=60))
    dataset.refresh_from_db()
    assert failed(dataset) == {"up_to_date"}
    assert assess(dataset, list(dataset.resources.all())).score == 88  # 2 of 17 lost


def test_a_bare_dataset_gets_a_hint_for_each_gap(
    organisation: Organisation, people: dict[str, User | None]
) -> None:
    dataset = make_dataset(
        organisation, editor_of(people), licence="other", licence_url="https://example.org/l"
    )
    services.resource_upload(
        actor=editor_of(people), dataset=dataset, title="Rapport", file=upload("r.pdf", b"%PDF-1")
    )
    assessment = assess(dataset, list(dataset.resources.all()))
    assert {c.key for c in assessment.failed} == {
        "description",
        "licence",
        "open_format",
        "up_to_date",
        "classified",
        "coverage",
        "contact",
    }
    assert assessment.score == 24  # only the table and link checks pass: 4 of 17
    assert all(c.hint for c in assessment.failed)


def test_the_page_the_api_and_the_dashboard_show_it(
    client_as,
    organisation: Organisation,
    people: dict[str, User | None],  # type: ignore[no-untyped-def]
) -> None:
    public = make_dataset(organisation, editor_of(people), title="Public", publish=True)
    make_dataset(organisation, editor_of(people), title="Brouillon")
    anonymous: Client = client_as("anonymous")
    page = anonymous.get(public.get_absolute_url()).content.decode()
    assert "Quality:" in page and "To improve:" in page
    body = anonymous.get(f"/api/v1/datasets/{public.slug}").json()
    assert body["quality"]["score"] == assess(public, list(public.resources.all())).score
    assert {c["key"] for c in body["quality"]["checks"]} >= {"licence", "open_format"}

    url = f"/datasets/quality/{organisation.slug}/"
    assert "Brouillon" not in anonymous.get(url).content.decode()
    assert "Brouillon" in client_as("member").get(url).content.decode()
    assert anonymous.get("/datasets/quality/nowhere/").status_code == 404
