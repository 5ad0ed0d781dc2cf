"""Pages of accounts and organisations: who gets what, and the forms work without JavaScript."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from agora.accounts import selectors, services
from agora.accounts.choices import Role
from agora.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from agora.accounts.tests.factories import UserFactory

ROLES = ("anonymous", "citizen", "member", "editor", "admin", "staff")

# (name, url name, kwargs builder, method, roles allowed) — anonymous users are sent to
# sign in on pages that need an account; others who may not are refused with 403.
PAGES = [
    ("organisation list", "accounts:organisation_list", {}, "get", set(ROLES)),
    (
        "organisation page",
        "accounts:organisation_detail",
        {"slug": "region-test"},
        "get",
        set(ROLES),
    ),
    ("new organisation", "accounts:organisation_create", {}, "get", {"staff"}),
    (
        "edit organisation",
        "accounts:organisation_edit",
        {"slug": "region-test"},
        "get",
        {"admin", "staff"},
    ),
    (
        "members",
        "accounts:organisation_members",
        {"slug": "region-test"},
        "get",
        {"member", "editor", "admin", "staff"},
    ),
    (
        "invite",
        "accounts:organisation_members",
        {"slug": "region-test"},
        "post",
        {"admin", "staff"},
    ),
    ("profile", "accounts:profile", {}, "get", {"citizen", "member", "editor", "admin", "staff"}),
    (
        "my data",
        "accounts:personal_data",
        {},
        "get",
        {"citizen", "member", "editor", "admin", "staff"},
    ),
    (
        "delete account",
        "accounts:account_delete",
        {},
        "get",
        {"citizen", "member", "editor", "admin", "staff"},
    ),
    ("tokens", "accounts:api_tokens", {}, "get", {"citizen", "member", "editor", "admin", "staff"}),
    ("staff tasks", "core:staff_tasks", {}, "get", {"staff"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "url_name", "kwargs", "method", "allowed"), PAGES, ids=[p[0] for p in PAGES]
)
def test_page_permissions(
    client_as,
    role: str,
    name: str,
    url_name: str,
    kwargs: dict[str, str],
    method: str,
    allowed: set[str],
) -> None:  # type: ignore[no-untyped-def]
    client: Client = client_as(role)
    url = reverse(url_name, kwargs=kwargs)
    data = {"email": f"new-{role}@example.org", "role": "member"} if method == "post" else None
    response = getattr(client, method)(url, data)
    if role in allowed:
        assert response.status_code in (200, 302), (role, name, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
    elif role == "anonymous" and url_name not in ("core:staff_tasks",):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 403, (role, name, response.status_code)


def test_member_actions_are_for_admins(
    client_as, people: dict[str, User | None], organisation: Organisation
) -> None:  # type: ignore[no-untyped-def]
    target = Membership.objects.get(user=people["member"], organisation=organisation)
    role_url = reverse("accounts:member_role", kwargs={"slug": organisation.slug, "pk": target.pk})
    remove_url = reverse(
        "accounts:member_remove", kwargs={"slug": organisation.slug, "pk": target.pk}
    )
    for role in ("citizen", "editor"):
        assert client_as(role).post(role_url, {"role": "admin"}).status_code == 403
    assert client_as("editor").post(remove_url).status_code == 403
    response = client_as("admin").post(role_url, {"role": "editor"}, follow=True)
    assert response.status_code == 200
    assert Membership.objects.get(pk=target.pk).role == Role.EDITOR
    assert client_as("admin").post(remove_url).status_code == 302
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_the_last_admin_cannot_demote_themself(
    client_as, people: dict[str, User | None], organisation: Organisation
) -> None:  # type: ignore[no-untyped-def]
    own = Membership.objects.get(user=people["admin"], organisation=organisation)
    url = reverse("accounts:member_role", kwargs={"slug": organisation.slug, "pk": own.pk})
    response = client_as("admin").post(url, {"role": "member"}, follow=True)
    assert "at least one administrator" in response.content.decode()
    assert Membership.objects.get(pk=own.pk).role == Role.ADMIN


def test_invite_and_accept_through_the_pages(
    client_as, organisation: Organisation, django_capture_on_commit_callbacks, run_tasks
) -> None:  # type: ignore[no-untyped-def]
    url = reverse("accounts:organisation_members", kwargs={"slug": organisation.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("admin").post(url, {"email": "joiner@example.org", "role": "editor"})
    assert response.status_code == 302
    run_tasks()
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/invitations/" in line
    ).strip()
    path = link.split("testserver", 1)[1]
    accept = reverse("accounts:invitation_accept")

    # The secret moves from the address into the session at once.
    anonymous = Client()
    first = anonymous.get(path)
    assert first.status_code == 302 and first["Location"] == accept
    to_login = anonymous.get(accept)
    assert (
        to_login["Location"].startswith(reverse("account_login"))
        and "token" not in to_login["Location"]
    )

    joiner = UserFactory(email="joiner@example.org")
    client = Client()
    client.force_login(joiner)
    client.get(path)
    page = client.get(accept)
    assert page.status_code == 200 and organisation.name in page.content.decode()
    assert client.post(accept).status_code == 302
    assert Membership.objects.get(user=joiner, organisation=organisation).role == Role.EDITOR
    # Editors must now set up two-factor authentication before anything else.
    assert client.get(reverse("accounts:profile"))["Location"] == reverse("mfa_activate_totp")


def test_invitation_errors_are_shown_not_raised(
    client_as, people: dict[str, User | None], organisation: Organisation
) -> None:  # type: ignore[no-untyped-def]
    invitation = services.invitation_create(
        actor=people["admin"],
        organisation=organisation,
        email="someone@example.org",
        role=Role.MEMBER,
    )
    client = client_as("citizen")
    accept = reverse("accounts:invitation_accept")
    client.get(accept, {"token": selectors.invitation_secret(invitation)})
    response = client.post(accept)
    assert response.status_code == 400
    assert "someone@example.org" in response.content.decode()
    forged = client_as("citizen")
    forged.get(accept, {"token": "forged"})
    assert forged.get(accept).status_code == 404


def test_invalid_invitation_form_shows_errors(client_as, organisation: Organisation) -> None:  # type: ignore[no-untyped-def]
    url = reverse("accounts:organisation_members", kwargs={"slug": organisation.slug})
    response = client_as("admin").post(url, {"email": "nope", "role": "king"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"email", "role"}
    assert not Invitation.objects.exists()


def test_profile_update(client_as, people: dict[str, User | None]) -> None:  # type: ignore[no-untyped-def]
    client = client_as("citizen")
    response = client.post(
        reverse("accounts:profile"), {"display_name": "Pseudonyme", "preferred_language": "fr"}
    )
    assert response.status_code == 302
    user = people["citizen"]
    assert user is not None
    user.refresh_from_db()
    assert (user.display_name, user.preferred_language) == ("Pseudonyme", "fr")
    # The saved language now wins over the browser's.
    page = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert (
        page.content.decode().startswith('<!DOCTYPE html>\n\n<html lang="fr">')
        or 'lang="fr"' in page.content.decode()[:200]
    )
    bad = client.post(reverse("accounts:profile"), {"display_name": "", "preferred_language": "xx"})
    assert bad.status_code == 200 and set(bad.context["form"].errors) == {
        "display_name",
        "preferred_language",
    }


def test_language_switch_remembers_cookie_and_account(
    client_as, people: dict[str, User | None]
) -> None:  # type: ignore[no-untyped-def]
    anonymous = client_as("anonymous")
    response = anonymous.post(
        reverse("accounts:set_language"), {"language": "fr", "next": "/organisations/"}
    )
    assert response.status_code == 302 and response["Location"] == "/organisations/"
    assert response.cookies["agora_language"].value == "fr"
    assert 'lang="fr"' in anonymous.get("/").content.decode()[:300]

    client = client_as("citizen")
    client.post(
        reverse("accounts:set_language"), {"language": "fr", "next": "https://evil.example/"}
    )
    user = people["citizen"]
    assert user is not None
    user.refresh_from_db()
    assert user.preferred_language == "fr"
    evil = client.post(
        reverse("accounts:set_language"), {"language": "fr", "next": "https://evil.example/"}
    )
    assert evil["Location"] == "/"
    ignored = client.post(reverse("accounts:set_language"), {"language": "xx"})
    assert "agora_language" not in ignored.cookies


def test_tokens_created_and_revoked_in_the_profile(
    client_as, people: dict[str, User | None]
) -> None:  # type: ignore[no-untyped-def]
    client = client_as("citizen")
    response = client.post(
        reverse("accounts:api_tokens"),
        {"name": "Dashboard", "scopes": "read,write", "expires_at": ""},
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("agora_") and secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=people["citizen"])
    assert token.scopes == ["read", "write"]
    again = client.get(reverse("accounts:api_tokens"))
    assert secret not in again.content.decode()  # shown once
    other = client_as("member")
    assert (
        other.post(reverse("accounts:api_token_revoke", kwargs={"pk": token.pk})).status_code == 404
    )
    assert (
        client.post(reverse("accounts:api_token_revoke", kwargs={"pk": token.pk})).status_code
        == 302
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_form_errors(client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("citizen").post(
        reverse("accounts:api_tokens"), {"name": "", "scopes": "root", "expires_at": "2001-01-01"}
    )
    assert set(response.context["form"].errors) == {"name", "scopes", "expires_at"}


def test_download_my_data(client_as, people: dict[str, User | None]) -> None:  # type: ignore[no-untyped-def]
    response = client_as("member").get(reverse("accounts:personal_data"))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    member = people["member"]
    assert member is not None
    assert data["accounts"]["profile"]["email"] == member.email
    assert data["accounts"]["memberships"][0]["organisation"] == "region-test"


def test_delete_account_needs_the_password(client_as, people: dict[str, User | None]) -> None:  # type: ignore[no-untyped-def]
    client = client_as("citizen")
    wrong = client.post(reverse("accounts:account_delete"), {"password": "wrong", "confirm": "on"})
    assert wrong.status_code == 200 and "password" in wrong.context["form"].errors
    from agora.accounts.tests.factories import PASSWORD

    done = client.post(reverse("accounts:account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert done.status_code == 302
    citizen = people["citizen"]
    assert citizen is not None
    citizen.refresh_from_db()
    assert not citizen.is_active
    assert client.get(reverse("accounts:profile")).status_code == 302  # signed out


def test_organisation_pages_render_markdown_safely(
    client_as, people: dict[str, User | None], organisation: Organisation
) -> None:  # type: ignore[no-untyped-def]
    services.organisation_update(
        actor=people["admin"],
        organisation=organisation,
        description="**Bold** <script>alert(1)</script> [x](javascript:alert(1))",
    )
    html = client_as("anonymous").get(organisation.get_absolute_url()).content.decode()
    assert "<strong>Bold</strong>" in html
    assert "<script>alert" not in html and 'href="javascript' not in html


def test_edit_organisation_through_the_form(client_as, organisation: Organisation) -> None:  # type: ignore[no-untyped-def]
    url = reverse("accounts:organisation_edit", kwargs={"slug": organisation.slug})
    data = {
        "name": "Région renommée",
        "kind": "public_body",
        "website": "region.example",
        "email": "",
        "jurisdiction": "FR-XX",
        "description": "",
    }
    assert client_as("admin").post(url, data).status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.website) == (
        "Région renommée",
        "https://region.example",
    )
    bad = client_as("admin").post(url, {**data, "name": "Two\nlines", "email": "x"})
    assert bad.status_code == 200 and set(bad.context["form"].errors) == {"name", "email"}
    # The kind is for staff to set: the administrators' form has no such field.
    assert "kind" not in client_as("admin").get(url).context["form"].fields
    client_as("admin").post(url, {**data, "kind": "oversight_body"})
    organisation.refresh_from_db()
    assert organisation.kind == "public_body"
    staff_form = client_as("staff").post(url, {**data, "kind": "pirates"})
    assert set(staff_form.context["form"].errors) == {"kind"}


def test_staff_create_organisations_through_the_form(client_as) -> None:  # type: ignore[no-untyped-def]
    data = {
        "name": "Nouvelle agence",
        "kind": "oversight_body",
        "website": "",
        "email": "",
        "jurisdiction": "",
        "description": "",
    }
    response = client_as("staff").post(reverse("accounts:organisation_create"), data)
    assert response.status_code == 302 and response["Location"] == "/organisations/nouvelle-agence/"


def test_organisation_list_filters_and_pages(client_as, organisation: Organisation) -> None:  # type: ignore[no-untyped-def]
    client = client_as("anonymous")
    assert organisation.name in client.get("/organisations/?kind=public_body").content.decode()
    assert organisation.name not in client.get("/organisations/?kind=media").content.decode()
    assert client.get("/organisations/?kind=<script>").status_code == 200
    assert client.get("/organisations/?cursor=garbage").status_code == 302
    assert client.get("/organisations/unknown-slug/").status_code == 404


def test_two_factor_is_required_for_editors_without_it(organisation: Organisation) -> None:
    from agora.accounts.tests.factories import make_member

    editor = make_member(organisation, Role.EDITOR, two_factor=False)
    client = Client()
    client.force_login(editor)
    response = client.get("/organisations/")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    # The set-up pages stay open (allauth first asks to confirm the password).
    assert client.get(reverse("mfa_activate_totp"), follow=True).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_admin_site_requires_staff_with_two_factor(
    client_as, people: dict[str, User | None]
) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    url = "/" + settings.ADMIN_PATH
    assert client_as("staff").get(url).status_code == 200
    assert client_as("admin").get(url).status_code in (302, 403)
    anonymous = client_as("anonymous").get(url)
    assert anonymous.status_code == 302
    login = client_as("anonymous").get(url + "login/")
    assert login["Location"].startswith(reverse("account_login"))
