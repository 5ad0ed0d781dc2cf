from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.utils import timezone

from agora.accounts import selectors, services
from agora.accounts.choices import OrganisationKind, Role
from agora.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from agora.accounts.tests.factories import OrganisationFactory, UserFactory, make_member
from agora.core import personal_data
from agora.core.errors import Conflict, PermissionDenied, ValidationError
from agora.core.search import search

pytestmark = pytest.mark.django_db


# Users --------------------------------------------------------------------------------


def test_user_create_normalises_email_and_refuses_duplicates() -> None:
    user = services.user_create(
        email=" Alice@Example.ORG ", password="x" * 12, display_name=" Alice "
    )
    assert user.email == "alice@example.org"
    assert user.display_name == "Alice"
    with pytest.raises(Conflict):
        services.user_create(email="ALICE@example.org", password="y" * 12, display_name="Other")


def test_profile_update_validates() -> None:
    user = UserFactory()
    services.user_update_profile(user=user, display_name="  Pseudo  ", preferred_language="fr")
    user.refresh_from_db()
    assert (user.display_name, user.preferred_language) == ("Pseudo", "fr")
    with pytest.raises(ValidationError) as exc:
        services.user_update_profile(user=user, display_name=" ", preferred_language="fr")
    assert "display_name" in exc.value.error_dict
    with pytest.raises(ValidationError):
        services.user_update_profile(user=user, display_name="Pseudo", preferred_language="xx")


def test_delete_keeps_a_pseudonymous_row_and_removes_personal_data(
    organisation: Organisation,
) -> None:
    user = make_member(organisation, Role.MEMBER, display_name="Real Name")
    make_member(organisation, Role.ADMIN)
    services.api_token_create(user=user, name="t", scopes=["read"])
    erased: list[int] = []
    personal_data.register(
        "test-section", exporter=lambda u: [], eraser=lambda u: erased.append(u.pk)
    )
    try:
        services.user_delete(user=user)
    finally:
        personal_data._exporters.pop("test-section")
        personal_data._erasers.pop("test-section")
    user.refresh_from_db()
    assert user.display_name.startswith("Former user")
    assert "Real Name" not in user.display_name
    assert not user.is_active and not user.has_usable_password()
    assert user.email.endswith("@invalid.invalid")
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Membership.objects.filter(user=user).exists()
    assert not ApiToken.objects.filter(user=user).exists()
    assert erased == [user.pk]


def test_personal_data_export_holds_what_the_user_created(organisation: Organisation) -> None:
    admin = make_member(organisation, Role.ADMIN)
    services.invitation_create(
        actor=admin, organisation=organisation, email="new@example.org", role=Role.MEMBER
    )
    services.api_token_create(user=admin, name="dashboard", scopes=["read"])
    data = personal_data.export_all(admin)["accounts"]
    assert data["profile"]["email"] == admin.email
    assert data["memberships"] == [
        {"organisation": "region-test", "role": "admin", "since": data["memberships"][0]["since"]}
    ]
    assert data["invitations_sent"][0]["email"] == "new@example.org"
    assert data["api_tokens"][0]["name"] == "dashboard"
    assert "token_hash" not in str(data)


# Organisations -------------------------------------------------------------------------


def test_staff_create_an_organisation_with_identifiers_and_it_is_searchable(
    people: dict[str, User | None],
) -> None:
    org = services.organisation_create(
        actor=people["staff"],
        name="Agence régionale de l'eau",
        kind=OrganisationKind.PUBLIC_BODY,
        identifiers=[("fr-siren", "123456789")],
        description="Qualité de l'eau potable",
    )
    assert org.slug == "agence-regionale-de-leau"
    assert [str(i) for i in org.identifiers.all()] == ["FR-SIREN:123456789"]
    assert [h.title for h in search("eau potable").hits] == ["Agence régionale de l'eau"]


@pytest.mark.parametrize("role", ["citizen", "member", "editor", "admin"])
def test_only_staff_create_organisations(role: str, people: dict[str, User | None]) -> None:
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=people[role], name="X", kind=OrganisationKind.MEDIA)


def test_slugs_are_unique_and_explicit_duplicates_conflict() -> None:
    a = services.organisation_create(actor=None, name="Same Name", kind=OrganisationKind.MEDIA)
    b = services.organisation_create(actor=None, name="Same Name", kind=OrganisationKind.MEDIA)
    assert (a.slug, b.slug) == ("same-name", "same-name-2")
    with pytest.raises(Conflict):
        services.organisation_create(
            actor=None, name="Other", slug="same-name", kind=OrganisationKind.MEDIA
        )


def test_organisation_validation() -> None:
    with pytest.raises(ValidationError):
        services.organisation_create(actor=None, name="  ", kind=OrganisationKind.MEDIA)
    with pytest.raises(ValidationError):
        services.organisation_create(actor=None, name="X", kind="pirate")
    with pytest.raises(ValidationError):
        services.organisation_create(
            actor=None, name="X", kind=OrganisationKind.MEDIA, website="not a url"
        )
    with pytest.raises(ValidationError):
        services.organisation_create(
            actor=None, name="X", kind=OrganisationKind.MEDIA, identifiers=[("bad scheme!", "1")]
        )


def test_an_organisation_cannot_be_its_own_ancestor(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    child = OrganisationFactory(parent=organisation)
    with pytest.raises(ValidationError):
        services.organisation_update(actor=people["staff"], organisation=organisation, parent=child)


def test_identifier_is_unique_across_organisations() -> None:
    services.organisation_create(
        actor=None, name="A", kind=OrganisationKind.COMPANY, identifiers=[("GB-COH", "0001")]
    )
    with pytest.raises(Conflict):
        services.organisation_create(
            actor=None, name="B", kind=OrganisationKind.COMPANY, identifiers=[("GB-COH", "0001")]
        )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("citizen", False), ("member", False), ("editor", False), ("admin", True), ("staff", True)],
)
def test_organisation_update_permissions(
    role: str, allowed: bool, people: dict[str, User | None], organisation: Organisation
) -> None:
    if allowed:
        services.organisation_update(
            actor=people[role], organisation=organisation, description="New"
        )
        organisation.refresh_from_db()
        assert organisation.description == "New"
    else:
        with pytest.raises(PermissionDenied):
            services.organisation_update(
                actor=people[role], organisation=organisation, description="New"
            )


# Memberships and invitations -----------------------------------------------------------


def test_invitation_round_trip(
    people: dict[str, User | None],
    organisation: Organisation,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
    run_tasks,  # type: ignore[no-untyped-def]
) -> None:
    admin = people["admin"]
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            actor=admin, organisation=organisation, email="Newcomer@Example.org", role=Role.EDITOR
        )
    assert invitation.email == "newcomer@example.org"
    run_tasks()
    assert len(mail.outbox) == 1
    assert organisation.name in mail.outbox[0].subject
    link = next(line for line in mail.outbox[0].body.splitlines() if "token=" in line)
    secret = unquote(link.split("token=", 1)[1].strip())
    assert selectors.invitation_by_secret(secret) == invitation
    # The link is signed: a reader of the database alone cannot forge one.
    assert invitation.nonce in secret and invitation.nonce != secret
    assert selectors.invitation_by_secret(secret.replace(invitation.nonce, "x" * 22)) is None
    assert selectors.invitation_by_secret("forged") is None

    newcomer = UserFactory(email="newcomer@example.org")
    membership = services.invitation_accept(user=newcomer, invitation=invitation)
    assert membership.role == Role.EDITOR
    with pytest.raises(ValidationError):
        services.invitation_accept(user=newcomer, invitation=invitation)  # used up


def test_invitation_requires_the_invited_verified_address(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    invitation = services.invitation_create(
        actor=people["admin"], organisation=organisation, email="x@example.org", role=Role.MEMBER
    )
    with pytest.raises(PermissionDenied):
        services.invitation_accept(user=people["citizen"], invitation=invitation)


def test_expired_and_revoked_invitations_cannot_be_accepted(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    invited = UserFactory(email="late@example.org")
    invitation = services.invitation_create(
        actor=people["admin"], organisation=organisation, email=invited.email, role=Role.MEMBER
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ValidationError):
        services.invitation_accept(user=invited, invitation=invitation)
    assert not selectors.organisation_pending_invitations(
        actor=people["admin"], organisation=organisation
    )
    invitation2 = services.invitation_create(
        actor=people["admin"], organisation=organisation, email=invited.email, role=Role.MEMBER
    )
    services.invitation_revoke(actor=people["admin"], invitation=invitation2)
    with pytest.raises(ValidationError):
        services.invitation_accept(user=invited, invitation=invitation2)


def test_invitation_conflicts(people: dict[str, User | None], organisation: Organisation) -> None:
    member = people["member"]
    assert member is not None
    with pytest.raises(Conflict):
        services.invitation_create(
            actor=people["admin"], organisation=organisation, email=member.email, role=Role.MEMBER
        )
    services.invitation_create(
        actor=people["admin"],
        organisation=organisation,
        email="twice@example.org",
        role=Role.MEMBER,
    )
    with pytest.raises(Conflict):
        services.invitation_create(
            actor=people["admin"],
            organisation=organisation,
            email="TWICE@example.org",
            role=Role.MEMBER,
        )
    with pytest.raises(ValidationError):
        services.invitation_create(
            actor=people["admin"], organisation=organisation, email="not-an-email", role=Role.MEMBER
        )


@pytest.mark.parametrize("role", ["citizen", "member", "editor"])
def test_only_admins_invite(
    role: str, people: dict[str, User | None], organisation: Organisation
) -> None:
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=people[role], organisation=organisation, email="a@example.org", role=Role.MEMBER
        )


def test_roles_change_and_the_last_admin_stays(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    admin = people["admin"]
    assert admin is not None
    member_ship = Membership.objects.get(user=people["member"], organisation=organisation)
    services.membership_set_role(actor=admin, membership=member_ship, role=Role.EDITOR)
    assert Membership.objects.get(pk=member_ship.pk).role == Role.EDITOR
    admin_ship = Membership.objects.get(user=admin, organisation=organisation)
    with pytest.raises(Conflict):
        services.membership_set_role(actor=admin, membership=admin_ship, role=Role.MEMBER)
    with pytest.raises(Conflict):
        services.membership_remove(actor=admin, membership=admin_ship)
    with pytest.raises(PermissionDenied):
        services.membership_set_role(
            actor=people["editor"], membership=member_ship, role=Role.ADMIN
        )


def test_members_may_leave_but_not_remove_others(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    member = people["member"]
    editor_ship = Membership.objects.get(user=people["editor"], organisation=organisation)
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=member, membership=editor_ship)
    services.membership_remove(
        actor=member, membership=Membership.objects.get(user=member, organisation=organisation)
    )
    assert not Membership.objects.filter(user=member).exists()


def test_membership_add_is_for_staff_and_refuses_duplicates(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    citizen = people["citizen"]
    assert citizen is not None
    with pytest.raises(PermissionDenied):
        services.membership_add(
            actor=people["admin"], organisation=organisation, user=citizen, role=Role.MEMBER
        )
    services.membership_add(
        actor=people["staff"], organisation=organisation, user=citizen, role=Role.MEMBER
    )
    assert citizen.roles == {organisation.pk: "member"}
    with pytest.raises(Conflict):
        services.membership_add(
            actor=people["staff"], organisation=organisation, user=citizen, role=Role.EDITOR
        )


# API tokens ----------------------------------------------------------------------------


def test_token_is_shown_once_and_stored_hashed() -> None:
    user = UserFactory()
    token, secret = services.api_token_create(user=user, name="  ci ", scopes=["write"])
    assert secret.startswith("agora_") and len(secret) > 40
    assert token.scopes == ["read", "write"]  # write implies read
    assert secret not in token.token_hash and token.prefix == secret[:12]
    assert services.api_token_authenticate(secret) == token
    assert services.api_token_authenticate(secret + "x") is None
    assert services.api_token_authenticate("Bearer nonsense") is None


def test_token_expiry_and_revocation() -> None:
    user = UserFactory()
    with pytest.raises(ValidationError):
        services.api_token_create(
            user=user, name="x", scopes=["read"], expires_at=timezone.now() - timedelta(days=1)
        )
    token, secret = services.api_token_create(
        user=user, name="x", scopes=["read"], expires_at=timezone.now() + timedelta(days=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.api_token_authenticate(secret) is None
    token2, secret2 = services.api_token_create(user=user, name="y", scopes=["read"])
    services.api_token_revoke(user=user, token=token2)
    assert services.api_token_authenticate(secret2) is None
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(user=UserFactory(), token=token2)


def test_token_validation() -> None:
    user = UserFactory()
    with pytest.raises(ValidationError):
        services.api_token_create(user=user, name=" ", scopes=["read"])
    with pytest.raises(ValidationError):
        services.api_token_create(user=user, name="x", scopes=["admin"])
    with pytest.raises(ValidationError):
        services.api_token_create(user=user, name="x", scopes=[])


def test_tokens_of_deactivated_users_stop_working() -> None:
    user = UserFactory()
    _token, secret = services.api_token_create(user=user, name="x", scopes=["read"])
    services.user_delete(user=user)
    assert services.api_token_authenticate(secret) is None


def test_enable_totp_is_idempotent() -> None:
    user = UserFactory()
    services.user_enable_totp(user=user, secret="JBSWY3DPEHPK3PXP")
    services.user_enable_totp(user=user, secret="JBSWY3DPEHPK3PXP")
    assert Authenticator.objects.filter(user=user).count() == 1


def test_selectors_list_organisations_by_name_and_kind() -> None:
    OrganisationFactory(name="Zeta", kind=OrganisationKind.MEDIA)
    OrganisationFactory(name="Alpha", kind=OrganisationKind.COMPANY)
    page = selectors.organisation_list(actor=None, limit=1)  # type: ignore[arg-type]
    assert [o.name for o in page.items] == ["Alpha"]
    page2 = selectors.organisation_list(actor=None, cursor=page.next_cursor, limit=1)  # type: ignore[arg-type]
    assert [o.name for o in page2.items] == ["Zeta"]
    assert [
        o.name for o in selectors.organisation_list(actor=None, kind=OrganisationKind.MEDIA).items
    ] == ["Zeta"]  # type: ignore[arg-type]
    assert selectors.organisation_counts_by_kind() == {"media": 1, "company": 1}


def test_only_staff_change_the_kind_or_parent(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            actor=people["admin"], organisation=organisation, kind=OrganisationKind.OVERSIGHT_BODY
        )
    # Sending the unchanged value (as a form does) is fine.
    services.organisation_update(
        actor=people["admin"], organisation=organisation, kind=organisation.kind, description="x"
    )
    services.organisation_update(
        actor=people["staff"], organisation=organisation, kind=OrganisationKind.OVERSIGHT_BODY
    )
    organisation.refresh_from_db()
    assert organisation.kind == OrganisationKind.OVERSIGHT_BODY


def test_names_are_single_lines(people: dict[str, User | None], organisation: Organisation) -> None:
    with pytest.raises(ValidationError):
        services.organisation_update(
            actor=people["admin"], organisation=organisation, name="Evil\nBcc: x@example.org"
        )
    with pytest.raises(ValidationError):
        services.user_update_profile(
            user=people["citizen"], display_name="a\tb\x07", preferred_language=""
        )


def test_the_last_administrator_cannot_delete_their_account(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    admin = people["admin"]
    with pytest.raises(Conflict):
        services.user_delete(user=admin)
    assert Membership.objects.filter(user=admin).exists()
    second = make_member(organisation, Role.ADMIN)
    services.user_delete(user=admin)
    assert list(
        organisation.memberships.filter(role=Role.ADMIN).values_list("user", flat=True)
    ) == [second.pk]


def test_staff_grant_and_withdraw_access(people: dict[str, User | None]) -> None:
    citizen, staff = people["citizen"], people["staff"]
    with pytest.raises(PermissionDenied):
        services.user_set_access(actor=citizen, user=citizen, is_staff=True, is_active=True)
    services.user_set_access(actor=staff, user=citizen, is_staff=True, is_active=True)
    citizen.refresh_from_db()
    assert citizen.is_staff
    with pytest.raises(Conflict):
        services.user_set_access(actor=staff, user=staff, is_staff=False, is_active=True)


def test_identifiers_are_searchable_once_added(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    services.organisation_identifier_add(
        actor=people["admin"], organisation=organisation, scheme="FR-SIREN", value="123456789"
    )
    assert [h.title for h in search("123456789").hits] == [organisation.name]
