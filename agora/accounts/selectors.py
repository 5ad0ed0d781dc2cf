"""Reads for accounts and organisations, with their visibility rules."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.core import signing
from django.db.models import Count, QuerySet
from django.utils.crypto import constant_time_compare

from agora.accounts import permissions
from agora.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from agora.core.errors import PermissionDenied
from agora.core.pagination import Page, keyset_page


def organisation_list(
    *,
    actor: permissions.Actor,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[Organisation]:
    """Every organisation is public; listed by name."""
    queryset = Organisation.objects.select_related("parent").prefetch_related("identifiers")
    if kind:
        queryset = queryset.filter(kind=kind)
    return keyset_page(queryset, order=("name", "id"), cursor=cursor, limit=limit)


def organisation_choices() -> list[tuple[str, str]]:
    """(slug, name) of every organisation, for filters."""
    return list(Organisation.objects.order_by("name").values_list("slug", "name"))


def organisation_counts_by_kind() -> dict[str, int]:
    return dict(
        Organisation.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )


def organisation_get(*, actor: permissions.Actor, slug: str) -> Organisation:
    """Raises Organisation.DoesNotExist when there is none."""
    return (
        Organisation.objects.select_related("parent")
        .prefetch_related("identifiers", "children")
        .get(slug=slug)
    )


def organisation_members(
    *,
    actor: permissions.Actor,
    organisation: Organisation,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[Membership]:
    if not permissions.can_view_members(actor, organisation):
        raise PermissionDenied
    queryset = Membership.objects.filter(organisation=organisation).select_related("user")
    return keyset_page(queryset, order=("created", "id"), cursor=cursor, limit=limit)


def organisation_pending_invitations(
    *, actor: permissions.Actor, organisation: Organisation
) -> QuerySet[Invitation]:
    if not permissions.can_manage_members(actor, organisation):
        raise PermissionDenied
    return organisation.invitations.pending().select_related("invited_by")


def membership_get(*, actor: permissions.Actor, organisation: Organisation, pk: int) -> Membership:
    if not permissions.can_view_members(actor, organisation):
        raise PermissionDenied
    return Membership.objects.select_related("user", "organisation").get(
        organisation=organisation, pk=pk
    )


def membership_of(*, user: permissions.Actor, organisation: Organisation) -> Membership | None:
    if not isinstance(user, User):
        return None
    return Membership.objects.filter(user=user, organisation=organisation).first()


def invitation_get(*, actor: permissions.Actor, organisation: Organisation, pk: int) -> Invitation:
    if not permissions.can_manage_members(actor, organisation):
        raise PermissionDenied
    return Invitation.objects.select_related("organisation").get(organisation=organisation, pk=pk)


_INVITATION_SIGNER = signing.Signer(salt="agora.accounts.invitation")


def invitation_secret(invitation: Invitation) -> str:
    """The secret of the invitation's link: its id and nonce, signed with SECRET_KEY."""
    return _INVITATION_SIGNER.sign(f"{invitation.pk}.{invitation.nonce}")


def invitation_by_secret(secret: str) -> Invitation | None:
    """The invitation a link's secret names, if the signature holds (any state)."""
    try:
        pk, nonce = _INVITATION_SIGNER.unsign(secret).split(".", 1)
        invitation = (
            Invitation.objects.select_related("organisation", "invited_by")
            .filter(pk=int(pk))
            .first()
        )
    except (signing.BadSignature, ValueError):
        return None
    if invitation is None or not constant_time_compare(invitation.nonce, nonce):
        return None
    return invitation


def invitation_is_pending(invitation: Invitation) -> bool:
    return Invitation.objects.pending().filter(pk=invitation.pk).exists()


def user_memberships(*, user: User) -> QuerySet[Membership]:
    return user.memberships.select_related("organisation").order_by("organisation__name")


def user_api_tokens(*, user: User) -> QuerySet[ApiToken]:
    return user.api_tokens.all()


def user_api_token_get(*, user: User, pk: int) -> ApiToken:
    return user.api_tokens.get(pk=pk)


def user_personal_data(user: User) -> dict[str, Any]:
    """The accounts module's part of "download my data"."""
    return {
        "profile": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "preferred_language": user.preferred_language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "is_staff": user.is_staff,
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user)
        ],
        "memberships": [
            {
                "organisation": m.organisation.slug,
                "role": m.role,
                "since": m.created.isoformat(),
            }
            for m in user_memberships(user=user)
        ],
        "invitations_sent": [
            {
                "organisation": i.organisation.slug,
                "email": i.email,
                "role": i.role,
                "created": i.created.isoformat(),
            }
            for i in user.invitations_sent.select_related("organisation")
        ],
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "scopes": t.scopes,
                "created": t.created.isoformat(),
                "expires_at": t.expires_at.isoformat() if t.expires_at else None,
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in user.api_tokens.all()
        ],
    }
