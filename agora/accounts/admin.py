from django.contrib import admin

from agora.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    OrganisationIdentifier,
    User,
)


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ("email", "display_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_active")
    search_fields = ("email", "display_name")
    exclude = ("password",)
    readonly_fields = ("last_login", "date_joined", "deleted_at")


class IdentifierInline(admin.TabularInline[OrganisationIdentifier, Organisation]):
    model = OrganisationIdentifier
    extra = 0


class MembershipInline(admin.TabularInline[Membership, Organisation]):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name", "kind", "jurisdiction", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    inlines = [IdentifierInline, MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = (
        "email",
        "organisation",
        "role",
        "created",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    exclude = ("token_hash",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "prefix", "scopes", "created", "expires_at", "revoked_at")
    exclude = ("token_hash",)
