"""API operations for the current user and organisations."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from agora.accounts import selectors, services
from agora.accounts.apiauth import ApiAuth
from agora.accounts.models import User
from agora.accounts.schemas import (
    InvitationIn,
    InvitationOut,
    MemberList,
    MemberOut,
    MeOut,
    OrganisationList,
    OrganisationListParams,
    OrganisationOut,
    OrganisationPatch,
)
from agora.core.apilinks import next_link
from agora.core.schemas import ERROR_RESPONSES, ListParams

router = Router(tags=["accounts"])
PUBLIC = {"x-agora-public": True}
# The Django `slug` converter: any other address is a 404 before the operation runs.
Slug = Annotated[
    str,
    Path(pattern=r"^[-a-zA-Z0-9_]+$", description="The organisation's short name, as in its URL."),
]


@router.get(
    "/me",
    response={200: MeOut, **ERROR_RESPONSES},
    auth=ApiAuth(required=True),
    summary="The authenticated user",
)
def me(request: HttpRequest) -> MeOut:
    """Your own account: public name, language, and the organisations you belong to."""
    user: User = request.auth  # type: ignore[attr-defined]  # set by ApiAuth
    return MeOut.from_user(request, user, selectors.user_memberships(user=user))


@router.get(
    "/organisations",
    response={200: OrganisationList, **ERROR_RESPONSES},
    summary="List organisations",
    openapi_extra=PUBLIC,
)
def organisation_list(
    request: HttpRequest, params: Query[OrganisationListParams]
) -> OrganisationList:
    """Every organisation, by name; filter by `kind`."""
    page = selectors.organisation_list(
        actor=request.user, kind=params.kind, cursor=params.cursor, limit=params.limit
    )
    return OrganisationList(
        items=[OrganisationOut.from_organisation(request, o) for o in page.items],
        next=next_link(request, page.next_cursor),
        next_cursor=page.next_cursor,
    )


@router.get(
    "/organisations/{slug:slug}",
    response={200: OrganisationOut, **ERROR_RESPONSES},
    summary="One organisation",
    openapi_extra=PUBLIC,
)
def organisation_detail(request: HttpRequest, slug: Slug) -> OrganisationOut:
    return OrganisationOut.from_organisation(
        request, selectors.organisation_get(actor=request.user, slug=slug)
    )


@router.patch(
    "/organisations/{slug:slug}",
    response={200: OrganisationOut, **ERROR_RESPONSES},
    auth=ApiAuth(required=True),
    summary="Change an organisation's details",
)
def organisation_patch(
    request: HttpRequest, slug: Slug, payload: OrganisationPatch
) -> OrganisationOut:
    """For the organisation's administrators. Only the fields sent are changed; null clears one."""
    organisation = selectors.organisation_get(actor=request.user, slug=slug)
    # Every field is text in the database: null clears it (an empty name is then refused).
    changes: dict[str, Any] = {
        field: "" if value is None else str(value)
        for field, value in payload.model_dump(exclude_unset=True).items()
    }
    updated = services.organisation_update(
        actor=request.auth,  # type: ignore[attr-defined]  # set by ApiAuth
        organisation=organisation,
        **changes,
    )
    return OrganisationOut.from_organisation(request, updated)


@router.get(
    "/organisations/{slug:slug}/members",
    response={200: MemberList, **ERROR_RESPONSES},
    auth=ApiAuth(required=True),
    summary="Members of an organisation",
)
def organisation_members(request: HttpRequest, slug: Slug, params: Query[ListParams]) -> MemberList:
    """Visible to the organisation's own members and to staff."""
    organisation = selectors.organisation_get(actor=request.user, slug=slug)
    page = selectors.organisation_members(
        actor=request.user, organisation=organisation, cursor=params.cursor, limit=params.limit
    )
    return MemberList(
        items=[MemberOut.from_membership(m) for m in page.items],
        next=next_link(request, page.next_cursor),
        next_cursor=page.next_cursor,
    )


@router.post(
    "/organisations/{slug:slug}/invitations",
    response={201: InvitationOut, **ERROR_RESPONSES},
    auth=ApiAuth(required=True),
    summary="Invite someone to an organisation",
)
def organisation_invite(
    request: HttpRequest, slug: Slug, payload: InvitationIn
) -> Status[InvitationOut]:
    """For the organisation's administrators: emails an invitation link valid for 14 days."""
    organisation = selectors.organisation_get(actor=request.user, slug=slug)
    invitation = services.invitation_create(
        actor=request.auth,  # type: ignore[attr-defined]  # set by ApiAuth
        organisation=organisation,
        email=str(payload.email),
        role=payload.role,
    )
    return Status(201, InvitationOut.from_invitation(invitation))
