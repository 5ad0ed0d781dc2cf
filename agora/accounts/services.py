"""Writes for users, organisations, memberships, invitations and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agora.accounts import permissions, selectors
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
from agora.core import official_actions, personal_data
from agora.core.errors import Conflict, PermissionDenied, ValidationError
from agora.core.official_actions import public_text
from agora.core.search import search_index
from agora.core.slugs import unique_slug
from agora.core.validators import validate_single_line

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

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
    try:
        validate_single_line(display_name)
    except ValidationError as exc:
        raise ValidationError({"display_name": exc.messages}) from exc
    if preferred_language and preferred_language not in dict(settings.LANGUAGES):
        raise ValidationError({"preferred_language": _("Choose one of the offered languages.")})
    user.display_name = display_name
    user.preferred_language = preferred_language
    user.save(update_fields=["display_name", "preferred_language"])
    return user


@transaction.atomic
def user_set_access(*, actor: User, user: User, is_staff: bool, is_active: bool) -> User:
    """Staff grant or withdraw staff rights and suspend or restore accounts."""
    if not permissions.is_staff(actor):
        raise PermissionDenied(_("Only staff can change who is staff."))
    if user.pk == actor.pk and not (is_staff and is_active):
        raise Conflict(_("You cannot withdraw your own staff rights or suspend yourself."))
    user.is_staff = is_staff
    user.is_active = is_active
    user.save(update_fields=["is_staff", "is_active"])
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    if language in dict(settings.LANGUAGES) and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def user_pseudonym(user: User) -> str:
    # Stored once, so in the platform's language rather than the deleting person's.
    with translation.override(settings.LANGUAGE_CODE):
        return _("Former user %(number)s") % {"number": f"{user.pk:05d}"}


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Deletes what is personal; public records stay, attributed to a pseudonym.

    The row is kept (emptied) so that public records keep pointing at someone. The last
    administrator of an organisation must hand over first.
    """
    memberships = list(user.memberships.select_related("organisation"))
    for membership in memberships:
        _lock_memberships(membership.organisation)
        if _is_last_admin(membership):
            raise Conflict(
                _(
                    "You are the last administrator of %(organisation)s: make someone else administrator first."
                )
                % {"organisation": membership.organisation.name}
            )
    user.display_name = user_pseudonym(user)  # from here on, records name the pseudonym
    for membership in memberships:
        _record_membership(
            None,
            membership,
            "accounts.membership.remove",
            gettext_lazy("%(member)s left (account deleted)"),
        )
    personal_data.erase_all(user)
    AccessAttempt.objects.filter(username__iexact=user.email).delete()
    AccessFailureLog.objects.filter(username__iexact=user.email).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.memberships.all().delete()
    user.api_tokens.all().delete()
    Invitation.objects.filter(email__iexact=user.email, accepted_at__isnull=True).delete()
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
    organisation = Organisation(
        name=name.strip(),
        kind=kind,
        slug=slug or unique_slug(Organisation, name, fallback="organisation"),
    )
    for field, value in fields.items():
        if field not in ORGANISATION_FIELDS:
            raise TypeError(f"unknown organisation field {field!r}")
        setattr(organisation, field, value)
    _validate_organisation(organisation)
    organisation.save()
    official_actions.record(
        actor=actor,
        organisation=organisation,
        action="accounts.organisation.create",
        subject=organisation,
        summary=public_text(gettext_lazy("Organisation “%(name)s” added"), name=organisation.name),
        data={
            "kind": organisation.kind,
            "parent": organisation.parent.slug if organisation.parent else None,
        },
    )
    for scheme, value in identifiers or []:
        organisation_identifier_add(
            actor=actor, organisation=organisation, scheme=scheme, value=value
        )
    search_index(organisation_document(organisation))
    return organisation


# Fields only staff may change: what kind of body an organisation is, and where it sits.
STAFF_ONLY_FIELDS = ("kind", "parent")


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, **fields: Any) -> Organisation:
    """Changes an organisation's public details (its admins; its kind and parent: staff)."""
    if not permissions.can_edit_organisation(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators can edit it."))
    changed = []
    for field, value in fields.items():
        if field not in ORGANISATION_FIELDS:
            raise TypeError(f"unknown organisation field {field!r}")
        if getattr(organisation, field) == value:
            continue
        if field in STAFF_ONLY_FIELDS and not permissions.is_staff(actor):
            raise PermissionDenied(
                _("Only staff can change the kind or the parent of an organisation.")
            )
        setattr(organisation, field, value)
        changed.append(field)
    _validate_organisation(organisation)
    if changed:
        # Only the changed columns: two people editing different fields keep both edits.
        organisation.save(update_fields=[*changed, "modified"])
        official_actions.record(
            actor=actor,
            organisation=organisation,
            action="accounts.organisation.update",
            subject=organisation,
            summary=public_text(
                gettext_lazy("Details changed: %(fields)s"), fields=_FieldNames(changed)
            ),
            data={f: _public_value(getattr(organisation, f)) for f in changed},
        )
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
    official_actions.record(
        actor=actor,
        organisation=organisation,
        action="accounts.organisation.identifier_add",
        subject=organisation,
        summary=public_text(
            gettext_lazy("Identifier %(identifier)s added"), identifier=str(identifier)
        ),
        data={"scheme": identifier.scheme, "value": identifier.value},
    )
    search_index(organisation_document(organisation))
    return identifier


# Memberships ---------------------------------------------------------------------------


class _FieldNames:
    """The verbose names of organisation fields, joined when formatted (in the right language)."""

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields

    def __str__(self) -> str:
        names = (getattr(Organisation._meta.get_field(f), "verbose_name", f) for f in self.fields)
        return ", ".join(str(name) for name in names)


def _public_value(value: Any) -> Any:
    return value.slug if isinstance(value, Organisation) else value


def _record_membership(
    actor: User | None, membership: Membership, action: str, summary: StrPromise, **data: Any
) -> None:
    official_actions.record(
        actor=actor,
        organisation=membership.organisation,
        action=action,
        subject=membership,
        summary=public_text(
            summary, member=membership.user.display_name, role=Role(membership.role).label
        ),
        data={"member": membership.user.display_name, "role": membership.role, **data},
    )


def _lock_memberships(organisation: Organisation) -> None:
    """Serialises membership changes of one organisation, so that the last-administrator
    rule holds when two administrators act at once."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _is_last_admin(membership: Membership) -> bool:
    return (
        membership.role == Role.ADMIN
        and membership.organisation.memberships.filter(role=Role.ADMIN).count() == 1
    )


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
    _record_membership(
        actor, membership, "accounts.membership.add", gettext_lazy("%(member)s added as %(role)s")
    )
    user.__dict__.pop("roles", None)
    return membership


@transaction.atomic
def membership_set_role(*, actor: User, membership: Membership, role: str) -> Membership:
    organisation = membership.organisation
    if not permissions.can_manage_members(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators can change roles."))
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles.")})
    _lock_memberships(organisation)
    membership.refresh_from_db(fields=["role"])
    if role != Role.ADMIN and _is_last_admin(membership):
        raise Conflict(_("An organisation needs at least one administrator."))
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role", "modified"])
    _record_membership(
        actor,
        membership,
        "accounts.membership.role",
        gettext_lazy("%(member)s is now %(role)s"),
        previous_role=previous,
    )
    membership.user.__dict__.pop("roles", None)
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """Removes a member; members may also leave on their own."""
    organisation = membership.organisation
    leaving = actor.pk == membership.user_id
    if not leaving and not permissions.can_manage_members(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators can remove members."))
    _lock_memberships(organisation)
    membership.refresh_from_db(fields=["role"])
    if _is_last_admin(membership):
        raise Conflict(_("An organisation needs at least one administrator."))
    _record_membership(
        actor,
        membership,
        "accounts.membership.remove",
        gettext_lazy("%(member)s left") if leaving else gettext_lazy("%(member)s removed"),
    )
    membership.delete()
    membership.user.__dict__.pop("roles", None)


# Invitations ---------------------------------------------------------------------------


def invitation_link(invitation: Invitation) -> str:
    query = urlencode({"token": selectors.invitation_secret(invitation)})
    return f"{settings.SITE_URL}{reverse('accounts:invitation_accept')}?{query}"


def invitation_email_send(invitation: Invitation) -> None:
    """Sends the invitation by email, in the inviter's language (run as a task)."""
    context = {
        "invitation": invitation,
        "url": invitation_link(invitation),
        "site_name": settings.SITE_NAME,
    }
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
) -> Invitation:
    """Invites someone by email; the message goes out from a background task."""
    from agora.accounts.tasks import invitation_send

    if not permissions.can_manage_members(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators can invite members."))
    email = email.strip().lower()
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=actor,
        nonce=secrets.token_urlsafe(16),
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    invitation.full_clean(exclude=["invited_by"])
    _lock_memberships(organisation)
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise Conflict(_("%(email)s is already a member.") % {"email": email})
    if organisation.invitations.pending().filter(email__iexact=email).exists():
        raise Conflict(_("%(email)s already has a pending invitation.") % {"email": email})
    invitation.save()
    official_actions.record(
        actor=actor,
        organisation=organisation,
        action="accounts.invitation.create",
        subject=None,
        # The invited address is private: the public record keeps the role only.
        summary=public_text(
            gettext_lazy("Invitation sent for the role of %(role)s"),
            role=Role(invitation.role).label,
        ),
        data={"invitation": invitation.pk, "role": invitation.role},
    )
    transaction.on_commit(lambda: invitation_send.enqueue(invitation.pk))
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, invitation: Invitation) -> Membership:
    """Turns a pending invitation into a membership for the signed-in user."""
    invitation = (
        Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    )
    if not selectors.invitation_is_pending(invitation):
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
    _record_membership(
        user,
        membership,
        "accounts.membership.join",
        gettext_lazy("%(member)s joined as %(role)s"),
        invitation=invitation.pk,
    )
    user.__dict__.pop("roles", None)
    return membership


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    if not permissions.can_manage_members(actor, invitation.organisation):
        raise PermissionDenied(_("Only the organisation's administrators can revoke invitations."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "modified"])
        official_actions.record(
            actor=actor,
            organisation=invitation.organisation,
            action="accounts.invitation.revoke",
            subject=None,
            summary=public_text(
                gettext_lazy("Invitation for the role of %(role)s revoked"),
                role=Role(invitation.role).label,
            ),
            data={"invitation": invitation.pk, "role": invitation.role},
        )


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
