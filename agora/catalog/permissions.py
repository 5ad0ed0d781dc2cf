"""Who may see and change datasets: small predicates, one place.

Published and archived datasets are public. A draft is seen by the publishing organisation's
members and by staff; its editors and administrators (and staff) create, change, publish and
archive datasets.
"""

from __future__ import annotations

from agora.accounts.models import Organisation, User
from agora.accounts.permissions import Actor, can_act_for_organisation, is_staff, role_in
from agora.catalog.choices import DataRequestStatus
from agora.catalog.models import DataRequest, Dataset, Reuse


def can_view_dataset(user: Actor, dataset: Dataset) -> bool:
    return dataset.is_public or is_staff(user) or role_in(user, dataset.organisation) is not None


def can_create_dataset(user: Actor, organisation: Organisation) -> bool:
    return can_act_for_organisation(user, organisation)


def can_edit_dataset(user: Actor, dataset: Dataset) -> bool:
    """Change metadata and resources, upload versions, publish and archive."""
    return can_act_for_organisation(user, dataset.organisation)


# Data requests: anyone signed in asks, supports and comments; the organisation asked answers.


def can_request_data(user: Actor) -> bool:
    return isinstance(user, User) and user.is_active


def can_support(user: Actor, request: DataRequest) -> bool:
    return can_request_data(user) and request.status in (
        DataRequestStatus.OPEN,
        DataRequestStatus.PLANNED,
    )


def can_answer(user: Actor, request: DataRequest) -> bool:
    return can_act_for_organisation(user, request.organisation)


# Reuses and discussions.


def can_add_reuse(user: Actor) -> bool:
    return can_request_data(user)


def can_edit_reuse(user: Actor, reuse: Reuse) -> bool:
    return is_staff(user) or (isinstance(user, User) and user.pk == reuse.author_id)


def can_discuss(user: Actor, dataset: Dataset) -> bool:
    return can_request_data(user) and dataset.is_public


def can_speak_for(user: Actor, dataset: Dataset) -> bool:
    """Answer a discussion as the publishing organisation, and close it."""
    return can_edit_dataset(user, dataset)
