"""API shapes for users, organisations, memberships and invitations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Schema
from pydantic import EmailStr, HttpUrl

from agora.accounts.choices import OrganisationKind, Role
from agora.accounts.models import Invitation, Membership, Organisation, User
from agora.core.schemas import ListParams, PagedList, Text


class OrganisationListParams(ListParams):
    kind: OrganisationKind | None = None


class IdentifierOut(Schema):
    scheme: str
    value: str


class OrganisationRef(Schema):
    slug: str
    name: str
    url: str

    @classmethod
    def of(cls, request: HttpRequest, organisation: Organisation) -> OrganisationRef:
        return cls(
            slug=organisation.slug,
            name=organisation.name,
            url=request.build_absolute_uri(organisation.get_absolute_url()),
        )


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: OrganisationKind
    parent: OrganisationRef | None
    identifiers: list[IdentifierOut]
    website: str
    email: str
    jurisdiction: str
    description: str
    url: str
    api_url: str

    @classmethod
    def from_organisation(cls, request: HttpRequest, o: Organisation) -> OrganisationOut:
        parent = None
        if o.parent is not None:
            parent = OrganisationRef.of(request, o.parent)
        return cls(
            slug=o.slug,
            name=o.name,
            kind=OrganisationKind(o.kind),
            parent=parent,
            identifiers=[
                IdentifierOut(scheme=i.scheme, value=i.value) for i in o.identifiers.all()
            ],
            website=o.website,
            email=o.email,
            jurisdiction=o.jurisdiction,
            description=o.description,
            url=request.build_absolute_uri(o.get_absolute_url()),
            api_url=request.build_absolute_uri(
                reverse("api:organisation_detail", kwargs={"slug": o.slug})
            ),
        )


class OrganisationList(PagedList):
    items: list[OrganisationOut]


class OrganisationPatch(Schema):
    """Only the fields sent change; null clears a field (JSON merge patch)."""

    name: Text | None = Field(None, min_length=1, max_length=200)
    website: HttpUrl | None = None
    email: EmailStr | None = None
    jurisdiction: Text | None = Field(None, max_length=100)
    description: Text | None = Field(None, max_length=20000)


class MemberOut(Schema):
    display_name: str
    role: Role
    since: datetime

    @classmethod
    def from_membership(cls, m: Membership) -> MemberOut:
        return cls(display_name=m.user.display_name, role=Role(m.role), since=m.created)


class MemberList(PagedList):
    items: list[MemberOut]


class MembershipOut(Schema):
    organisation: OrganisationRef
    role: Role


class MeOut(Schema):
    id: int
    display_name: str
    email: str
    preferred_language: str
    is_staff: bool
    memberships: list[MembershipOut]

    @classmethod
    def from_user(
        cls, request: HttpRequest, user: User, memberships: Iterable[Membership]
    ) -> MeOut:
        return cls(
            id=user.pk,
            display_name=user.display_name,
            email=user.email,
            preferred_language=user.preferred_language,
            is_staff=user.is_staff,
            memberships=[
                MembershipOut(
                    organisation=OrganisationRef.of(request, m.organisation),
                    role=Role(m.role),
                )
                for m in memberships
            ],
        )


class InvitationIn(Schema):
    email: EmailStr
    role: Role = Role.MEMBER


class InvitationOut(Schema):
    id: int
    email: str
    role: Role
    expires_at: datetime

    @classmethod
    def from_invitation(cls, i: Invitation) -> InvitationOut:
        return cls(id=i.pk, email=i.email, role=Role(i.role), expires_at=i.expires_at)
