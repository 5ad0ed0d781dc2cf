"""Reuses of datasets, and discussions the publishing organisation answers and closes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from agora.accounts.models import Organisation, User
from agora.accounts.tests.tokens import bearer
from agora.catalog import community
from agora.catalog.models import Dataset, Discussion, Reuse
from agora.catalog.tests.factories import make_dataset
from agora.core.errors import Conflict, PermissionDenied, ValidationError
from agora.core.search import search
from agora.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db
ClientAs = Callable[[str], Client]
ROLES = ("anonymous", "citizen", "member", "editor", "admin", "staff")


def person(people: dict[str, User | None], role: str) -> User:
    user = people[role]
    assert user is not None
    return user


@pytest.fixture
def dataset(organisation: Organisation, people: dict[str, User | None]) -> Dataset:
    return make_dataset(organisation, person(people, "editor"), publish=True)


def test_a_reuse_links_public_datasets_and_is_found(
    dataset: Dataset, organisation: Organisation, people: dict[str, User | None]
) -> None:
    reuse = community.reuse_create(
        actor=person(people, "citizen"),
        title="Carte des populations",
        kind="visualisation",
        url="https://example.org/carte",
        description="Une carte interactive.",
        datasets=[dataset],
    )
    assert list(reuse.datasets.all()) == [dataset]
    assert search("carte interactive").total == 1
    draft = make_dataset(organisation, person(people, "editor"), title="Brouillon")
    for datasets, field in [([draft], "datasets"), ([], "datasets")]:
        with pytest.raises(ValidationError) as caught:
            community.reuse_create(
                actor=person(people, "citizen"),
                title="X",
                kind="article",
                url="https://example.org/",
                datasets=datasets,
            )
        assert field in caught.value.error_dict
    with pytest.raises(ValidationError):
        community.reuse_create(
            actor=person(people, "citizen"),
            title="X",
            kind="article",
            url="javascript:alert(1)",
            datasets=[dataset],
        )
    with pytest.raises(PermissionDenied):
        community.reuse_delete(actor=person(people, "member"), reuse=reuse)
    community.reuse_delete(actor=person(people, "citizen"), reuse=reuse)
    assert not Reuse.objects.exists() and search("carte interactive").total == 0


def test_the_organisation_answers_in_its_name_on_the_record_and_closes(
    dataset: Dataset, people: dict[str, User | None]
) -> None:
    discussion = community.discussion_open(
        actor=person(people, "citizen"),
        dataset=dataset,
        title="Codes INSEE manquants",
        body="Certaines lignes n'ont pas de code commune.",
    )
    community.discussion_reply(actor=person(people, "member"), discussion=discussion, body="+1")
    assert not LedgerEntry.objects.filter(action__startswith="catalog.discussion").exists()
    with pytest.raises(PermissionDenied):
        community.discussion_reply(
            actor=person(people, "citizen"), discussion=discussion, body="x", as_organisation=True
        )
    community.discussion_reply(
        actor=person(people, "editor"),
        discussion=discussion,
        body="Corrigé dans la version 2.",
        as_organisation=True,
    )
    answer = LedgerEntry.objects.get(action="catalog.discussion.answer")
    assert answer.data["message"] == "Corrigé dans la version 2."
    with pytest.raises(PermissionDenied):
        community.discussion_close(actor=person(people, "citizen"), discussion=discussion)
    community.discussion_close(actor=person(people, "admin"), discussion=discussion)
    assert LedgerEntry.objects.filter(action="catalog.discussion.close").count() == 1
    with pytest.raises(Conflict):
        community.discussion_reply(actor=person(people, "citizen"), discussion=discussion, body="?")


def test_drafts_cannot_be_discussed(
    organisation: Organisation, people: dict[str, User | None]
) -> None:
    draft = make_dataset(organisation, person(people, "editor"))
    with pytest.raises(PermissionDenied):
        community.discussion_open(
            actor=person(people, "member"), dataset=draft, title="T", body="B"
        )


@pytest.mark.parametrize("role", ROLES)
def test_who_may_do_what_in_the_pages(
    client_as: ClientAs, dataset: Dataset, people: dict[str, User | None], role: str
) -> None:
    client = client_as(role)
    signed_in = role != "anonymous"
    response = client.post(
        "/reuses/new/",
        {
            "title": "Appli",
            "kind": "application",
            "url": "https://e.org",
            "datasets": [dataset.slug],
        },
    )
    assert response.status_code == 302
    assert Reuse.objects.count() == (1 if signed_in else 0)
    response = client.post(
        f"/datasets/{dataset.slug}/discussions/new/", {"title": "Question", "body": "Pourquoi ?"}
    )
    assert response.status_code == 302
    assert Discussion.objects.count() == (1 if signed_in else 0)
    if not signed_in:
        return
    discussion = Discussion.objects.get()
    page = client.get(discussion.get_absolute_url()).content.decode()
    speaks = role in ("editor", "admin", "staff")
    assert ("Close the discussion" in page) is speaks
    response = client.post(discussion.get_absolute_url(), {"body": "Réglé.", "close": "on"})
    discussion.refresh_from_db()
    assert (discussion.closed_at is not None) is speaks
    page = Client().get(dataset.get_absolute_url()).content.decode()
    assert "Appli" in page and "Question" in page


def test_the_api(client: Client, dataset: Dataset, people: dict[str, User | None]) -> None:
    citizen = bearer(person(people, "citizen"), "read", "write")
    response = client.post(
        "/api/v1/reuses",
        {"title": "Étude", "kind": "article", "url": "https://e.org/", "datasets": [dataset.slug]},
        content_type="application/json",
        headers=citizen,
    )
    assert response.status_code == 201, response.content
    assert client.get(f"/api/v1/reuses?dataset={dataset.slug}").json()["items"][0]["title"] == (
        "Étude"
    )
    url = f"/api/v1/datasets/{dataset.slug}/discussions"
    opened = client.post(
        url, {"title": "Q", "body": "Pourquoi ?"}, content_type="application/json", headers=citizen
    )
    assert opened.status_code == 201
    pk = opened.json()["id"]
    editor = bearer(person(people, "editor"), "read", "write")
    replied = client.post(
        f"{url}/{pk}/messages",
        {"body": "Parce que.", "as_organisation": True},
        content_type="application/json",
        headers=editor,
    )
    assert replied.status_code == 201
    assert replied.json()["messages"][-1]["as_organisation"] is True
    refused = client.post(f"{url}/{pk}/close", {}, content_type="application/json", headers=citizen)
    assert refused.status_code == 403
    closed = client.post(f"{url}/{pk}/close", {}, content_type="application/json", headers=editor)
    assert closed.status_code == 200 and closed.json()["closed_at"]
    again = client.post(
        f"{url}/{pk}/messages", {"body": "?"}, content_type="application/json", headers=citizen
    )
    assert again.status_code == 409
    assert len(client.get(url).json()) == 1
