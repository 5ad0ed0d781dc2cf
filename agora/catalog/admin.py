from django.contrib import admin

from agora.catalog.models import Dataset, Resource, ResourceVersion


class ResourceInline(admin.TabularInline[Resource, Dataset]):
    model = Resource
    fields = ("title", "format", "remote_url")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin[Dataset]):
    """Read-mostly: datasets change through their organisation's pages, which record the
    changes in the public ledger."""

    list_display = ("title", "organisation", "status", "modified")
    list_filter = ("status", "organisation")
    search_fields = ("title", "slug")
    readonly_fields = ("organisation", "slug", "status", "issued", "data_modified")
    inlines = [ResourceInline]


@admin.register(ResourceVersion)
class ResourceVersionAdmin(admin.ModelAdmin[ResourceVersion]):
    list_display = ("resource", "number", "filename", "size", "created")
    readonly_fields = (
        "resource",
        "number",
        "file",
        "filename",
        "size",
        "sha256",
        "media_type",
        "format",
        "created_by",
    )

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
