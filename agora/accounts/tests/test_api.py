"""The accounts API: the current user, organisations, members and invitations."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from agora.accounts import services
from agora.accounts.choices import OrganisationKind, Role
from agora.accounts.models import ApiToken, Invitation, Organisation, User
from agora.accounts.tests.factories import OrganisationFactory, UserFactory
from agora.accounts.tests.tokens import bearer

pytestmark = pytest.mark.django_db

ORG = "/api/v1/organisations/region-test"
ClientAs = Callable[[str], Client]


def person(people: dict[str, User | None], role: str) -> User:
    user = people[role]
    assert user is not None
    return user


def patch(client: Client, payload: dict[str, Any], **kwargs: Any) -> Any:
    return client.patch(ORG, payload, content_type="application/json", **kwargs)


# The current user ------------------------------------------------------------------------


def test_me_with_a_token(client: Client, people: dict[str, User | None]) -> None:
    member = person(people, "member")
    response = client.get("/api/v1/me", headers=bearer(member))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == member.pk
    assert body["display_name"] == "Member"
    assert body["email"] == member.email
    assert body["is_staff"] is False
    assert body["memberships"] == [
        {
            "organisation": {
                "slug": "region-test",
                "name": "Région de Test",
                "url": "http://testserver/organisations/region-test/",
            },
            "role": "member",
        }
    ]


def test_me_with_a_session(client_as: ClientAs) -> None:
    response = client_as("staff").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["is_staff"] is True


def test_me_needs_credentials(client: Client) -> None:
    assert client.get("/api/v1/me").status_code == 401


# Organisations ---------------------------------------------------------------------------


def test_organisation_detail(client: Client, organisation: Organisation) -> None:
    child = OrganisationFactory.create(name="Service des eaux", slug="eaux", parent=organisation)
    services.organisation_identifier_add(
        actor=None, organisation=child, scheme="FR-SIREN", value="130025265"
    )
    response = client.get("/api/v1/organisations/eaux")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Service des eaux"
    assert body["kind"] == "public_body"
    assert body["parent"] == {
        "slug": "region-test",
        "name": "Région de Test",
        "url": "http://testserver/organisations/region-test/",
    }
    assert body["identifiers"] == [{"scheme": "FR-SIREN", "value": "130025265"}]
    assert body["api_url"] == "http://testserver/api/v1/organisations/eaux"


def test_organisation_list_is_public_and_sorted_by_name(
    client: Client, organisation: Organisation
) -> None:
    OrganisationFactory.create(name="Association Alpha", kind=OrganisationKind.CIVIL_SOCIETY)
    OrganisationFactory.create(name="Zeta Media", kind=OrganisationKind.MEDIA)
    response = client.get("/api/v1/organisations")
    assert response.status_code == 200
    body = response.json()
    assert [o["name"] for o in body["items"]] == [
        "Association Alpha",
        "Région de Test",
        "Zeta Media",
    ]
    assert body["next"] is None
    assert body["next_cursor"] is None


def test_organisation_list_filters_by_kind(client: Client, organisation: Organisation) -> None:
    OrganisationFactory.create(name="Association Alpha", kind=OrganisationKind.CIVIL_SOCIETY)
    response = client.get("/api/v1/organisations", {"kind": "civil_society"})
    assert [o["name"] for o in response.json()["items"]] == ["Association Alpha"]
    refused = client.get("/api/v1/organisations", {"kind": "club"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "kind"


def test_organisation_list_pages_follow_the_next_link(client: Client) -> None:
    names = [f"Organisation {c}" for c in "AABBCCD"]
    for name in names:
        OrganisationFactory.create(name=name, kind=OrganisationKind.COMPANY)
    OrganisationFactory.create(name="Other kind", kind=OrganisationKind.MEDIA)
    seen: list[str] = []
    url: str | None = "/api/v1/organisations?kind=company&limit=3"
    pages = 0
    while url:
        body = client.get(url).json()
        seen += [o["slug"] for o in body["items"]]
        if body["next"]:
            # The link keeps the filter and the limit, and carries the cursor.
            assert body["next"].startswith("http://testserver/api/v1/organisations?")
            assert "kind=company" in body["next"]
            assert "limit=3" in body["next"]
            assert f"cursor={body['next_cursor']}" in body["next"]
        url = body["next"]
        pages += 1
    assert pages == 3
    expected = Organisation.objects.filter(kind="company").order_by("name", "id")
    assert seen == [o.slug for o in expected]


# Members ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("citizen", 403),
        ("member", 200),
        ("editor", 200),
        ("admin", 200),
        ("staff", 200),
    ],
)
def test_members_are_visible_to_members_and_staff(
    client_as: ClientAs, role: str, status: int
) -> None:
    response = client_as(role).get(f"{ORG}/members")
    assert response.status_code == status
    if status == 200:
        members = response.json()["items"]
        assert sorted((m["display_name"], m["role"]) for m in members) == [
            ("Admin", "admin"),
            ("Editor", "editor"),
            ("Member", "member"),
        ]
        assert all(set(m) == {"display_name", "role", "since"} for m in members)


def test_members_are_paged(client: Client, people: dict[str, User | None]) -> None:
    headers = bearer(person(people, "admin"))
    first = client.get(f"{ORG}/members", {"limit": 2}, headers=headers).json()
    assert len(first["items"]) == 2
    second = client.get(first["next"], headers=headers).json()
    assert len(second["items"]) == 1
    assert second["next"] is None


# Changing an organisation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("citizen", 403),
        ("member", 403),
        ("editor", 403),
        ("admin", 200),
        ("staff", 200),
    ],
)
def test_only_admins_and_staff_change_an_organisation(
    client_as: ClientAs, role: str, status: int
) -> None:
    response = patch(client_as(role), {"jurisdiction": "FR-IDF"})
    assert response.status_code == status
    changed = Organisation.objects.get(slug="region-test").jurisdiction == "FR-IDF"
    assert changed is (status == 200)


def test_patch_changes_only_the_fields_sent(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    organisation.description = "Kept as it was."
    organisation.save()
    headers = bearer(person(people, "admin"), "read", "write")
    response = patch(
        client, {"name": "Région Test", "website": "https://example.org"}, headers=headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Région Test"
    assert body["website"] == "https://example.org/"
    organisation.refresh_from_db()
    assert organisation.name == "Région Test"
    assert organisation.description == "Kept as it was."


def test_patch_with_null_clears_a_field_but_not_the_name(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    organisation.email = "contact@example.org"
    organisation.save()
    headers = bearer(person(people, "admin"), "read", "write")
    assert patch(client, {"email": None}, headers=headers).status_code == 200
    organisation.refresh_from_db()
    assert organisation.email == ""
    refused = patch(client, {"name": None}, headers=headers)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["name"]


def test_patch_with_a_read_only_token_is_forbidden(
    client: Client, people: dict[str, User | None]
) -> None:
    response = patch(client, {"jurisdiction": "FR"}, headers=bearer(person(people, "admin")))
    assert response.status_code == 403
    assert "write scope" in response.json()["detail"]


def test_tokens_are_stored_hashed(people: dict[str, User | None]) -> None:
    secret = bearer(person(people, "admin"))["Authorization"].removeprefix("Bearer ")
    token = ApiToken.objects.get()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.values_list().get()]
    assert not any(secret in value for value in stored)


def test_patch_with_a_write_token(client: Client, people: dict[str, User | None]) -> None:
    headers = bearer(person(people, "admin"), "read", "write")
    assert patch(client, {"jurisdiction": "FR"}, headers=headers).status_code == 200


def test_expired_and_revoked_tokens_are_refused(
    client: Client, people: dict[str, User | None]
) -> None:
    admin = person(people, "admin")
    expiring = bearer(admin, "read", "write", expires_at=timezone.now() + timedelta(days=1))
    revoked = bearer(admin, "read", "write")
    assert patch(client, {"jurisdiction": "FR"}, headers=expiring).status_code == 200

    ApiToken.objects.filter(user=admin).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert patch(client, {"jurisdiction": "FR"}, headers=expiring).status_code == 401
    ApiToken.objects.filter(user=admin).update(expires_at=None)
    token = ApiToken.objects.get(prefix=revoked["Authorization"].split()[1][:12])
    services.api_token_revoke(user=admin, token=token)
    response = patch(client, {"jurisdiction": "FR"}, headers=revoked)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    # A token of a deactivated account stops working too.
    User.objects.filter(pk=admin.pk).update(is_active=False)
    assert patch(client, {"jurisdiction": "FR"}, headers=expiring).status_code == 401


def test_patch_reports_each_invalid_field(client: Client, people: dict[str, User | None]) -> None:
    headers = bearer(person(people, "admin"), "read", "write")
    response = patch(
        client,
        {"name": "x" * 201, "email": "not an address", "jurisdiction": 12},
        headers=headers,
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {
        "name": "Use at most 200 characters.",
        "email": "Enter a valid email address.",
        "jurisdiction": "Enter text.",
    }


def test_a_session_patch_needs_the_csrf_token(people: dict[str, User | None]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(person(people, "admin"), backend="django.contrib.auth.backends.ModelBackend")
    refused = patch(client, {"jurisdiction": "FR"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    client.get("/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = patch(client, {"jurisdiction": "FR"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200


# Invitations -----------------------------------------------------------------------------


def test_an_admin_invites_by_email(
    client: Client,
    people: dict[str, User | None],
    django_capture_on_commit_callbacks: Any,
    run_tasks: Any,
) -> None:
    headers = bearer(person(people, "admin"), "read", "write")
    url = f"{ORG}/invitations"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"email": "New@Example.org", "role": "editor"},
            content_type="application/json",
            headers=headers,
        )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "new@example.org"
    assert body["role"] == "editor"
    invitation = Invitation.objects.get(pk=body["id"])
    assert invitation.organisation.slug == "region-test"
    assert mail.outbox == []  # sent by a background task
    run_tasks()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]
    assert "Région de Test" in mail.outbox[0].subject

    again = client.post(
        url, {"email": "new@example.org"}, content_type="application/json", headers=headers
    )
    assert again.status_code == 409
    member = client.post(
        url,
        {"email": person(people, "member").email},
        content_type="application/json",
        headers=headers,
    )
    assert member.status_code == 409
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("role", ["citizen", "member", "editor"])
def test_only_admins_invite(client: Client, people: dict[str, User | None], role: str) -> None:
    response = client.post(
        f"{ORG}/invitations",
        {"email": "new@example.org"},
        content_type="application/json",
        headers=bearer(person(people, role), "read", "write"),
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_invitations_to_an_unknown_organisation(client: Client) -> None:
    headers = bearer(UserFactory.create(is_staff=True, two_factor=True), "read", "write")
    response = client.post(
        "/api/v1/organisations/nowhere/invitations",
        {"email": "new@example.org"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 404


def test_writes_need_two_factor_for_those_who_act_for_an_organisation(
    organisation: Organisation,
) -> None:
    from agora.accounts.tests.factories import make_member

    admin = make_member(organisation, Role.ADMIN, two_factor=False)
    _token, secret = services.api_token_create(user=admin, name="t", scopes=["read", "write"])
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert (
        client.get(f"/api/v1/organisations/{organisation.slug}/members", **auth).status_code == 200
    )
    response = client.patch(
        f"/api/v1/organisations/{organisation.slug}",
        {"jurisdiction": "FR"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]
