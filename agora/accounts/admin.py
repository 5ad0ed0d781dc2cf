"""Django's admin, for staff with two-factor authentication. Changes go through the services
(validation, search index, permissions); tokens, invitations and memberships are read-only
here and managed on the site."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from agora.accounts import permissions, services
from agora.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    OrganisationIdentifier,
    User,
)


def admin_has_permission(request: HttpRequest) -> bool:
    return permissions.can_use_admin(request.user)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ("email", "display_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_active")
    search_fields = ("email", "display_name")
    fields = (
        "email",
        "display_name",
        "preferred_language",
        "is_active",
        "is_staff",
        "date_joined",
        "last_login",
        "deleted_at",
    )
    readonly_fields = (
        "email",
        "display_name",
        "preferred_language",
        "date_joined",
        "last_login",
        "deleted_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people sign up; administrators come from `agora createadmin`

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # accounts are deleted by their owners, keeping public records

    def save_model(
        self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool
    ) -> None:
        services.user_set_access(
            actor=request.user,  # type: ignore[arg-type]  # staff, checked by the admin
            user=obj,
            is_staff=form.cleaned_data["is_staff"],
            is_active=form.cleaned_data["is_active"],
        )


class IdentifierInline(
    ReadOnlyAdminMixin, admin.TabularInline[OrganisationIdentifier, Organisation]
):
    model = OrganisationIdentifier
    extra = 0


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline[Membership, Organisation]):
    model = Membership
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name", "kind", "jurisdiction", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    fields = ("name", "slug", *services.ORGANISATION_FIELDS[1:])
    inlines = [IdentifierInline, MembershipInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("slug",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # public records point at organisations

    def save_model(
        self, request: HttpRequest, obj: Organisation, form: ModelForm[Organisation], change: bool
    ) -> None:
        data = {
            f: form.cleaned_data[f] for f in services.ORGANISATION_FIELDS if f in form.cleaned_data
        }
        if change:
            original = Organisation.objects.get(pk=obj.pk)
            services.organisation_update(actor=request.user, organisation=original, **data)  # type: ignore[arg-type]
        else:
            created = services.organisation_create(
                actor=request.user,  # type: ignore[arg-type]  # staff, checked by the admin
                slug=form.cleaned_data.get("slug", ""),
                **data,
            )
            obj.pk = created.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The inlines are read-only; nothing else to save."""


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Invitation]):
    list_display = (
        "email",
        "organisation",
        "role",
        "created",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    exclude = ("nonce",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "prefix", "scopes", "created", "expires_at", "revoked_at")
    exclude = ("token_hash",)
