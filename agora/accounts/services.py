"""Writes for users, organisations, memberships, invitations and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agora.accounts import permissions
from agora.accounts.choices import OrganisationKind, Role, TokenScope
from agora.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    OrganisationIdentifier,
    User,
)
from agora.accounts.search import organisation_document
from agora.core import personal_data
from agora.core.errors import Conflict, PermissionDenied, ValidationError
from agora.core.search import search_index

INVITATION_LIFETIME = timedelta(days=14)
TOKEN_PREFIX = "agora_"  # noqa: S105  a public marker, not a secret


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# Users ---------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    display_name: str,
    preferred_language: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    email_verified: bool = False,
) -> User:
    """Creates a user outside the sign-up form (demo, staff); the email may be pre-verified."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(_("An account with this email address already exists."))
    user = User.objects.create_user(
        email,
        password,
        display_name=display_name.strip(),
        preferred_language=preferred_language,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    return user


@transaction.atomic
def user_enable_totp(*, user: User, secret: str) -> None:
    """Registers a TOTP authenticator with a known secret (demo and set-up scripts)."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)


@transaction.atomic
def user_update_profile(*, user: User, display_name: str, preferred_language: str) -> User:
    display_name = display_name.strip()
    if not display_name:
        raise ValidationError({"display_name": _("Enter the name to show publicly.")})
    if preferred_language and preferred_language not in dict(settings.LANGUAGES):
        raise ValidationError({"preferred_language": _("Choose one of the offered languages.")})
    user.display_name = display_name
    user.preferred_language = preferred_language
    user.save(update_fields=["display_name", "preferred_language"])
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    if language in dict(settings.LANGUAGES) and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def user_pseudonym(user: User) -> str:
    return _("Former user %(number)s") % {"number": f"{user.pk:05d}"}


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Deletes what is personal; public records stay, attributed to a pseudonym.

    The row is kept (emptied) so that public records keep pointing at someone.
    """
    personal_data.erase_all(user)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.memberships.all().delete()
    user.api_tokens.all().delete()
    Invitation.objects.filter(email__iexact=user.email, accepted_at__isnull=True).delete()
    user.display_name = user_pseudonym(user)
    user.email = f"deleted-{user.pk}@invalid.invalid"
    user.preferred_language = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.deleted_at = timezone.now()
    # A new password hash also invalidates every open session of the account.
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


# Organisations -------------------------------------------------------------------------

ORGANISATION_FIELDS = ("name", "kind", "parent", "website", "email", "jurisdiction", "description")


def _validate_organisation(organisation: Organisation) -> None:
    if not organisation.name.strip():
        raise ValidationError({"name": _("Enter the organisation's name.")})
    if organisation.kind not in OrganisationKind.values:
        raise ValidationError({"kind": _("Choose one of the kinds of organisation.")})
    ancestor = organisation.parent
    while ancestor is not None:
        if ancestor.pk == organisation.pk:
            raise ValidationError(
                {"parent": _("An organisation cannot be its own parent or ancestor.")}
            )
        ancestor = ancestor.parent
    organisation.full_clean(exclude=["slug", "parent"])


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    slug: str = "",
    identifiers: list[tuple[str, str]] | None = None,
    **fields: Any,
) -> Organisation:
    """Creates an organisation (staff only; `actor=None` for system loads such as the demo)."""
    if actor is not None and not permissions.can_create_organisation(actor):
        raise PermissionDenied(_("Only staff can create organisations."))
    if slug and Organisation.objects.filter(slug=slug).exists():
        raise Conflict(_("The short name “%(slug)s” is already taken.") % {"slug": slug})
    organisation = Organisation(name=name.strip(), kind=kind, slug=slug or _unique_slug(name))
    for field, value in fields.items():
        if field not in ORGANISATION_FIELDS:
            raise TypeError(f"unknown organisation field {field!r}")
        setattr(organisation, field, value)
    _validate_organisation(organisation)
    organisation.save()
    for scheme, value in identifiers or []:
        organisation_identifier_add(
            actor=actor, organisation=organisation, scheme=scheme, value=value
        )
    search_index(organisation_document(organisation))
    return organisation


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, **fields: Any) -> Organisation:
    """Changes an organisation's public details (its admins and staff)."""
    if not permissions.can_edit_organisation(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators can edit it."))
    for field, value in fields.items():
        if field not in ORGANISATION_FIELDS:
            raise TypeError(f"unknown organisation field {field!r}")
        setattr(organisation, field, value)
    _validate_organisation(organisation)
    organisation.save()
    search_index(organisation_document(organisation))
    return organisation


@transaction.atomic
def organisation_identifier_add(
    *, actor: User | None, organisation: Organisation, scheme: str, value: str
) -> OrganisationIdentifier:
    if actor is not None and not permissions.can_edit_organisation(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators can edit it."))
    identifier = OrganisationIdentifier(
        organisation=organisation, scheme=scheme.strip().upper(), value=value.strip()
    )
    identifier.full_clean(
        exclude=["organisation"], validate_unique=False, validate_constraints=False
    )
    if OrganisationIdentifier.objects.filter(
        scheme=identifier.scheme, value=identifier.value
    ).exists():
        raise Conflict(_("Another organisation already has this identifier."))
    identifier.save()
    return identifier


# Memberships ---------------------------------------------------------------------------


def _admin_count(organisation: Organisation) -> int:
    return organisation.memberships.filter(role=Role.ADMIN).count()


@transaction.atomic
def membership_add(
    *, actor: User | None, organisation: Organisation, user: User, role: str
) -> Membership:
    """Adds a member directly (staff or system); others join through invitations."""
    if actor is not None and not permissions.is_staff(actor):
        raise PermissionDenied(_("Only staff can add members directly; send an invitation."))
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles.")})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    except IntegrityError as exc:
        raise Conflict(_("This person is already a member.")) from exc
    user.__dict__.pop("roles", None)
    return membership


@transaction.atomic
def membership_set_role(*, actor: User, membership: Membership, role: str) -> Membership:
    organisation = membership.organisation
    if not permissions.can_manage_members(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators can change roles."))
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles.")})
    Membership.objects.select_for_update().filter(organisation=organisation).count()
    if membership.role == Role.ADMIN and role != Role.ADMIN and _admin_count(organisation) == 1:
        raise Conflict(_("An organisation needs at least one administrator."))
    membership.role = role
    membership.save(update_fields=["role", "modified"])
    membership.user.__dict__.pop("roles", None)
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """Removes a member; members may also leave on their own."""
    organisation = membership.organisation
    leaving = actor.pk == membership.user_id
    if not leaving and not permissions.can_manage_members(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators can remove members."))
    Membership.objects.select_for_update().filter(organisation=organisation).count()
    if membership.role == Role.ADMIN and _admin_count(organisation) == 1:
        raise Conflict(_("An organisation needs at least one administrator."))
    membership.delete()
    membership.user.__dict__.pop("roles", None)


# Invitations ---------------------------------------------------------------------------


def _send_invitation(invitation: Invitation, secret: str) -> None:
    url = settings.SITE_URL + reverse("accounts:invitation_accept", kwargs={"token": secret})
    context = {"invitation": invitation, "url": url, "site_name": settings.SITE_NAME}
    language = invitation.invited_by.preferred_language if invitation.invited_by else ""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _("Invitation to join %(organisation)s on %(site)s") % {
            "organisation": invitation.organisation.name,
            "site": settings.SITE_NAME,
        }
        body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


@transaction.atomic
def invitation_create(
    *, actor: User, organisation: Organisation, email: str, role: str
) -> tuple[Invitation, str]:
    """Invites someone by email; returns the invitation and the secret sent in the link."""
    if not permissions.can_manage_members(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators can invite members."))
    email = email.strip().lower()
    invitation = Invitation(organisation=organisation, email=email, role=role, invited_by=actor)
    invitation.full_clean(exclude=["token_hash", "expires_at", "invited_by"])
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise Conflict(_("%(email)s is already a member.") % {"email": email})
    pending = organisation.invitations.filter(
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise Conflict(_("%(email)s already has a pending invitation.") % {"email": email})
    secret = secrets.token_urlsafe(32)
    invitation.token_hash = _hash(secret)
    invitation.expires_at = timezone.now() + INVITATION_LIFETIME
    invitation.save()
    transaction.on_commit(lambda: _send_invitation(invitation, secret))
    return invitation, secret


def invitation_by_secret(secret: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=_hash(secret))
        .first()
    )


@transaction.atomic
def invitation_accept(*, user: User, secret: str) -> Membership:
    """Turns a pending invitation into a membership for the signed-in user."""
    invitation = invitation_by_secret(secret)
    if invitation is None or not invitation.is_pending:
        raise ValidationError(_("This invitation is no longer valid. Ask for a new one."))
    if not EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists():
        raise PermissionDenied(
            _(
                "This invitation was sent to %(email)s. Sign in with that verified address to accept it."
            )
            % {"email": invitation.email}
        )
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    if not created:
        raise Conflict(_("You are already a member of this organisation."))
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "modified"])
    user.__dict__.pop("roles", None)
    return membership


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    if not permissions.can_manage_members(actor, invitation.organisation):
        raise PermissionDenied(_("Only the organisation's administrators can revoke invitations."))
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "modified"])


# API tokens ----------------------------------------------------------------------------


@transaction.atomic
def api_token_create(
    *, user: User, name: str, scopes: list[str], expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Creates a personal token; the secret is returned once and only its hash is kept."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, to recognise it later.")})
    if not scopes or any(s not in TokenScope.values for s in scopes):
        raise ValidationError({"scopes": _("Choose read, or read and write.")})
    if TokenScope.WRITE in scopes and TokenScope.READ not in scopes:
        scopes = [TokenScope.READ, *scopes]
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=_hash(secret),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise PermissionDenied(_("This token is not yours."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The active token with this secret, with its use recorded; None otherwise."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=_hash(secret)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    # One write per minute at most: the timestamp is for people, not for accounting.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
