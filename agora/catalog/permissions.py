"""Who may see and change datasets: small predicates, one place.

Published and archived datasets are public. A draft is seen by the publishing organisation's
members and by staff; its editors and administrators (and staff) create, change, publish and
archive datasets.
"""

from __future__ import annotations

from agora.accounts.models import Organisation
from agora.accounts.permissions import Actor, can_act_for_organisation, is_staff, role_in
from agora.catalog.models import Dataset


def can_view_dataset(user: Actor, dataset: Dataset) -> bool:
    return dataset.is_public or is_staff(user) or role_in(user, dataset.organisation) is not None


def can_create_dataset(user: Actor, organisation: Organisation) -> bool:
    return can_act_for_organisation(user, organisation)


def can_edit_dataset(user: Actor, dataset: Dataset) -> bool:
    """Change metadata and resources, upload versions, publish and archive."""
    return can_act_for_organisation(user, dataset.organisation)
