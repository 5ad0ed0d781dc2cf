"""Every accounts permission for every kind of person, as one table."""

from __future__ import annotations

import pytest

from agora.accounts import permissions
from agora.accounts.models import Organisation, User
from agora.core.permissions import is_staff

ROLES = ("anonymous", "citizen", "member", "editor", "admin", "staff")

# action -> who may do it, for the organisation of the `people` fixture.
MATRIX: dict[str, set[str]] = {
    "create_organisation": {"staff"},
    "edit_organisation": {"admin", "staff"},
    "act_for_organisation": {"editor", "admin", "staff"},
    "view_members": {"member", "editor", "admin", "staff"},
    "manage_members": {"admin", "staff"},
    "view_tasks": {"staff"},
    "use_admin": {"staff"},
    "requires_two_factor": {"editor", "admin", "staff"},
}


def decide(action: str, user: object, organisation: Organisation) -> bool:
    checks = {
        "create_organisation": lambda: permissions.can_create_organisation(user),
        "edit_organisation": lambda: permissions.can_edit_organisation(user, organisation),
        "act_for_organisation": lambda: permissions.can_act_for_organisation(user, organisation),
        "view_members": lambda: permissions.can_view_members(user, organisation),
        "manage_members": lambda: permissions.can_manage_members(user, organisation),
        "view_tasks": lambda: is_staff(user),
        "use_admin": lambda: permissions.can_use_admin(user),
        "requires_two_factor": lambda: permissions.requires_two_factor(user),
    }
    return bool(checks[action]())


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(
    role: str, action: str, people: dict[str, User | None], organisation: Organisation
) -> None:
    from django.contrib.auth.models import AnonymousUser

    user = people[role] or AnonymousUser()
    assert decide(action, user, organisation) is (role in MATRIX[action])


def test_roles_in_another_organisation_give_nothing_here(people: dict[str, User | None]) -> None:
    from agora.accounts.tests.factories import OrganisationFactory

    elsewhere = OrganisationFactory()
    for role in ("member", "editor", "admin"):
        user = people[role]
        assert not permissions.can_edit_organisation(user, elsewhere)
        assert not permissions.can_view_members(user, elsewhere)
        assert not permissions.can_act_for_organisation(user, elsewhere)


def test_a_deactivated_admin_loses_every_right(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    admin = people["admin"]
    assert admin is not None
    admin.is_active = False
    admin.save()
    admin.__dict__.pop("roles", None)
    assert not permissions.can_edit_organisation(admin, organisation)
    assert not permissions.requires_two_factor(admin)
