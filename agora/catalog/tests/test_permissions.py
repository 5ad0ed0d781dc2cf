"""Every catalog permission for every kind of person, as one table."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from agora.accounts.models import Organisation, User
from agora.accounts.tests.factories import OrganisationFactory, make_member
from agora.catalog import permissions
from agora.catalog.choices import DatasetStatus
from agora.catalog.models import Dataset

ROLES = ("anonymous", "citizen", "member", "editor", "admin", "staff")

MATRIX: dict[str, set[str]] = {
    "view_published": set(ROLES),
    "view_archived": set(ROLES),
    "view_draft": {"member", "editor", "admin", "staff"},
    "create": {"editor", "admin", "staff"},
    "edit": {"editor", "admin", "staff"},
}


def decide(action: str, user: object, organisation: Organisation) -> bool:
    def dataset(status: str) -> Dataset:
        return Dataset(organisation=organisation, title="T", slug="t", status=status)

    checks = {
        "view_published": lambda: permissions.can_view_dataset(
            user, dataset(DatasetStatus.PUBLISHED)
        ),
        "view_archived": lambda: permissions.can_view_dataset(
            user, dataset(DatasetStatus.ARCHIVED)
        ),
        "view_draft": lambda: permissions.can_view_dataset(user, dataset(DatasetStatus.DRAFT)),
        "create": lambda: permissions.can_create_dataset(user, organisation),
        "edit": lambda: permissions.can_edit_dataset(user, dataset(DatasetStatus.PUBLISHED)),
    }
    return bool(checks[action]())


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(
    role: str, action: str, people: dict[str, User | None], organisation: Organisation
) -> None:
    user = people[role] or AnonymousUser()
    assert decide(action, user, organisation) is (role in MATRIX[action])


def test_roles_in_another_organisation_give_nothing_here(organisation: Organisation) -> None:
    elsewhere = OrganisationFactory()
    editor = make_member(elsewhere, "editor")
    draft = Dataset(organisation=organisation, title="T", slug="t")
    assert not permissions.can_view_dataset(editor, draft)
    assert not permissions.can_create_dataset(editor, organisation)
    assert not permissions.can_edit_dataset(editor, draft)
