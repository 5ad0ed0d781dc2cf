"""Who may see and do what with information requests: small predicates, one place.

A request is public once sent, unless embargoed (until its date) or hidden by a moderator;
the requester and staff always see it, and so do the members of the body asked and of the
oversight body handling an appeal. The requester writes follow-ups, classifies replies and
takes the next legal step; officials of the body classify replies to it; officials of the
oversight body record its decisions.
"""

from __future__ import annotations

from agora.accounts.choices import OrganisationKind
from agora.accounts.models import Organisation, User
from agora.accounts.permissions import Actor, can_act_for_organisation, is_staff, role_in
from agora.foi.choices import RequestStatus
from agora.foi.models import FoiRequest, FoiStage

CLOSED = (RequestStatus.WITHDRAWN, RequestStatus.CLOSED)


def is_requester(user: Actor, request: FoiRequest) -> bool:
    return isinstance(user, User) and user.is_active and user.pk == request.requester_id


def is_official(user: Actor, request: FoiRequest) -> bool:
    """A member of the body asked (any role: answering requests is their job)."""
    return role_in(user, request.body) is not None


def handles_appeal(user: Actor, request: FoiRequest) -> bool:
    return any(
        stage.handler is not None
        and stage.handler.kind == OrganisationKind.OVERSIGHT_BODY
        and role_in(user, stage.handler) is not None
        for stage in request.stages.all()
    )


def can_view_request(user: Actor, request: FoiRequest) -> bool:
    if not request.hidden and not request.is_embargoed:
        return True
    return (
        is_requester(user, request)
        or is_staff(user)
        or is_official(user, request)
        or handles_appeal(user, request)
    )


def can_file_request(user: Actor) -> bool:
    return isinstance(user, User) and user.is_active


def can_write(user: Actor, request: FoiRequest) -> bool:
    """Follow-ups, clarifications, the next legal step, approving attachments, redactions."""
    return is_requester(user, request) and request.status not in CLOSED


def can_classify(user: Actor, request: FoiRequest) -> bool:
    return request.status not in CLOSED and (
        is_requester(user, request) or is_official(user, request) or is_staff(user)
    )


def can_decide(user: Actor, stage: FoiStage) -> bool:
    """Record the oversight body's (or the court's) decision at this stage."""
    if stage.handler is not None and can_act_for_organisation(user, stage.handler):
        return True
    return is_staff(user) or is_requester(user, stage.request)


def can_moderate(user: Actor) -> bool:
    return is_staff(user)


def can_view_private(user: Actor, request: FoiRequest) -> bool:
    """Originals of messages and unapproved attachments: the requester, the body, staff."""
    return is_requester(user, request) or is_official(user, request) or is_staff(user)


def can_edit_body(user: Actor, organisation: Organisation) -> bool:
    return is_staff(user) or can_act_for_organisation(user, organisation)
