"""Who may do what with accounts and organisations: small predicates, one place.

`user` is whoever is asking: an anonymous user, a citizen, a member of an organisation,
or staff. Roles come from `User.roles`, loaded once per request.
"""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from agora.accounts.choices import Role
from agora.accounts.models import Organisation, User
from agora.core.permissions import is_staff

Actor = User | AnonymousUser | AbstractBaseUser

__all__ = ["Actor", "is_staff"]


def role_in(user: Actor, organisation: Organisation) -> str | None:
    if not isinstance(user, User) or not user.is_active:
        return None
    return user.roles.get(organisation.pk)


def lacks_required_second_factor(user: Actor) -> bool:
    """Needs two-factor authentication and has not set it up yet (one query)."""
    return requires_two_factor(user) and not is_mfa_enabled(user)


def requires_two_factor(user: Actor) -> bool:
    """Staff, and whoever can act for an organisation, must sign in with a second factor."""
    if not isinstance(user, User) or not user.is_active:
        return False
    return (
        user.is_staff
        or user.is_superuser
        or any(role in (Role.ADMIN, Role.EDITOR) for role in user.roles.values())
    )


def can_create_organisation(user: Actor) -> bool:
    return is_staff(user)


def can_edit_organisation(user: Actor, organisation: Organisation) -> bool:
    return is_staff(user) or role_in(user, organisation) == Role.ADMIN


def can_act_for_organisation(user: Actor, organisation: Organisation) -> bool:
    """Publish, answer and decide on behalf of the organisation."""
    return is_staff(user) or role_in(user, organisation) in (Role.ADMIN, Role.EDITOR)


def can_view_members(user: Actor, organisation: Organisation) -> bool:
    return is_staff(user) or role_in(user, organisation) is not None


def can_manage_members(user: Actor, organisation: Organisation) -> bool:
    return is_staff(user) or role_in(user, organisation) == Role.ADMIN


def can_use_admin(user: Actor) -> bool:
    """Django's admin: staff who signed in with their second factor."""
    return is_staff(user) and is_mfa_enabled(user)
