"""The catalog API: datasets, resources, uploads and versions, for every kind of caller."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from agora.accounts.models import Organisation, User
from agora.accounts.tests.tokens import bearer
from agora.catalog.tests.factories import CSV, make_dataset, upload
from agora.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

API = "/api/v1/datasets"
ROLES = ("anonymous", "citizen", "member", "editor", "admin", "staff")


def headers(people: dict[str, User | None], role: str, *scopes: str) -> dict[str, str]:
    user = people[role]
    return {} if user is None else bearer(user, *(scopes or ("read", "write")))


def post_json(client: Client, url: str, payload: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(url, payload, content_type="application/json", **kwargs)


def test_create_upload_publish_and_read_as_the_public(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    editor = headers(people, "editor")
    response = post_json(
        client,
        API,
        {
            "organisation": organisation.slug,
            "title": "Budget primitif 2026",
            "licence": "odbl-1.0",
            "themes": ["ECON"],
            "keywords": ["budget", "M57"],
            "frequency": "ANNUAL",
            "temporal_start": "2026-01-01",
            "temporal_end": "2026-12-31",
        },
        headers=editor,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "budget-primitif-2026"
    assert body["status"] == "draft"
    assert body["keywords"] == ["budget", "m57"]
    assert body["resources"] == []
    url = f"{API}/budget-primitif-2026"
    assert client.get(url).status_code == 404  # a draft is not public

    # A multipart upload, as `curl -F file=@budget.csv -F title=…` sends it.
    response = client.post(
        f"{url}/resources",
        {"file": upload("budget.csv"), "title": "Lignes budgétaires"},
        headers=editor,
    )
    assert response.status_code == 201, response.content
    resource = response.json()
    assert resource["format"] == "CSV"
    assert resource["latest"]["number"] == 1
    assert resource["latest"]["sha256"] == hashlib.sha256(CSV).hexdigest()

    response = client.post(f"{url}/publish", headers=editor)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"

    public = client.get(url).json()
    assert public["organisation"]["slug"] == organisation.slug
    assert public["resources"][0]["title"] == "Lignes budgétaires"
    download = client.get(public["resources"][0]["latest"]["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == CSV  # type: ignore[attr-defined]
    listed = client.get(API).json()
    assert [d["slug"] for d in listed["items"]] == ["budget-primitif-2026"]
    assert listed["items"][0]["resources"] is None
    assert LedgerEntry.objects.filter(action="catalog.dataset.publish").count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_who_may_create_a_dataset(
    client: Client, organisation: Organisation, people: dict[str, User | None], role: str
) -> None:
    response = post_json(
        client,
        API,
        {"organisation": organisation.slug, "title": "Test", "licence": "cc-by-4.0"},
        headers=headers(people, role),
    )
    expected = {"anonymous": 401, "citizen": 403, "member": 403}.get(role, 201)
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("role", ROLES)
def test_who_may_change_upload_publish_and_archive(
    client: Client, organisation: Organisation, people: dict[str, User | None], role: str
) -> None:
    editor = people["editor"]
    assert editor is not None
    dataset = make_dataset(organisation, editor, publish=True)
    resource = dataset.resources.get()
    auth = headers(people, role)
    url = f"{API}/{dataset.slug}"
    allowed = role in ("editor", "admin", "staff")
    denied = 401 if role == "anonymous" else 403
    calls = [
        client.patch(url, {"spatial": "Rhône"}, content_type="application/json", headers=auth),
        client.post(f"{url}/resources", {"file": upload("b.csv", b"x,y\n1,2\n")}, headers=auth),
        client.post(
            f"{url}/resources/{resource.pk}/versions",
            {"file": upload("c.csv", b"x,y\n3,4\n")},
            headers=auth,
        ),
        post_json(
            client, f"{url}/links", {"title": "Site", "url": "https://example.org/"}, headers=auth
        ),
        client.post(f"{url}/archive", headers=auth),
    ]
    for response in calls:
        assert response.status_code in ((200, 201) if allowed else (denied,)), response.content


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_drafts(
    client: Client, organisation: Organisation, people: dict[str, User | None], role: str
) -> None:
    editor = people["editor"]
    assert editor is not None
    draft = make_dataset(organisation, editor, title="Brouillon")
    auth = headers(people, role, "read")
    can_see = role in ("member", "editor", "admin", "staff")
    assert client.get(f"{API}/{draft.slug}", headers=auth).status_code == (200 if can_see else 404)
    listed = client.get(f"{API}?status=draft", headers=auth).json()["items"]
    assert [d["slug"] for d in listed] == ([draft.slug] if can_see else [])


def test_a_read_only_token_cannot_write(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    response = post_json(
        client,
        API,
        {"organisation": organisation.slug, "title": "Test", "licence": "cc-by-4.0"},
        headers=headers(people, "editor", "read"),
    )
    assert response.status_code == 403


def test_bad_input_names_the_field(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    response = post_json(
        client,
        API,
        {"organisation": organisation.slug, "title": "Test", "licence": "proprietary"},
        headers=headers(people, "editor"),
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["licence"]

    response = post_json(
        client,
        API,
        {"organisation": organisation.slug, "title": "Autre", "licence": "other"},
        headers=headers(people, "editor"),
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["licence_url"]


def test_uploads_refused_with_a_clear_reason(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    editor = people["editor"]
    assert editor is not None
    dataset = make_dataset(organisation, editor, publish=True)
    resource = dataset.resources.get()
    auth = headers(people, "editor")
    url = f"{API}/{dataset.slug}/resources"
    response = client.post(url, {"file": upload("report.csv", b"%PDF-1.7\n")}, headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    response = client.post(url, {"title": "No file"}, headers=auth)
    assert response.status_code == 422
    response = client.post(f"{url}/{resource.pk}/versions", {"file": upload()}, headers=auth)
    assert response.status_code == 409
    assert "identical to version 1" in response.json()["detail"]


def test_versions_are_listed_newest_first(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    editor = people["editor"]
    assert editor is not None
    dataset = make_dataset(organisation, editor, publish=True)
    resource = dataset.resources.get()
    url = f"{API}/{dataset.slug}/resources/{resource.pk}/versions"
    response = client.post(
        url, {"file": upload(content=CSV + b"Nice,348085\n")}, headers=headers(people, "editor")
    )
    assert response.status_code == 201
    assert [v["number"] for v in client.get(url).json()["items"]] == [2, 1]
    assert client.get(f"{API}/{dataset.slug}/resources/not-a-uuid").status_code == 404
    assert (
        client.get(
            f"{API}/{dataset.slug}/resources/00000000-0000-0000-0000-000000000000"
        ).status_code
        == 404
    )


def test_list_filters_and_pages(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    editor = people["editor"]
    assert editor is not None
    for n in range(3):
        make_dataset(
            organisation, editor, title=f"Jeu {n}", publish=True, themes=["ECON"] if n else []
        )
    first = client.get(f"{API}?limit=2").json()
    assert [d["title"] for d in first["items"]] == ["Jeu 0", "Jeu 1"]
    second = client.get(first["next"]).json()
    assert [d["title"] for d in second["items"]] == ["Jeu 2"]
    themed = client.get(f"{API}?theme=ECON").json()
    assert [d["title"] for d in themed["items"]] == ["Jeu 1", "Jeu 2"]
    assert client.get(f"{API}?theme=MOON").status_code == 422
    assert client.get(f"{API}?organisation=nowhere").status_code == 404
