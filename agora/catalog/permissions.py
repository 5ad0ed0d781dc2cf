"""Who may see and change datasets: small predicates, one place.

Published and archived datasets are public. A draft is seen by the publishing organisation's
members and by staff; its editors and administrators (and staff) create, change, publish and
archive datasets.
"""

from __future__ import annotations

from agora.accounts.models import Organisation, User
from agora.accounts.permissions import Actor, can_act_for_organisation, is_staff, role_in
from agora.catalog.choices import DataRequestStatus
from agora.catalog.models import DataRequest, Dataset


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
