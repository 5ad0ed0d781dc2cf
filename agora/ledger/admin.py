"""The ledger in Django's admin: entries and checkpoints are read-only; staff register
witnesses here (through the service, which checks their key)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from agora.accounts.admin import ReadOnlyAdminMixin
from agora.ledger import services
from agora.ledger.models import Checkpoint, LedgerEntry, Witness


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[LedgerEntry]):
    list_display = ("index", "recorded_at", "action", "actor_name", "organisation_name", "summary")
    list_filter = ("action",)
    search_fields = ("summary", "actor_name", "organisation_name")


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Checkpoint]):
    list_display = ("size", "created")


@admin.register(Witness)
class WitnessAdmin(admin.ModelAdmin[Witness]):
    list_display = ("name", "organisation", "created")
    fields = ("name", "vkey", "organisation", "description")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None  # a witness's key is its identity: register a new one instead

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # its cosignatures stay on the record

    def save_model(
        self, request: HttpRequest, obj: Witness, form: ModelForm[Witness], change: bool
    ) -> None:
        created = services.witness_register(
            actor=request.user,  # type: ignore[arg-type]  # staff, checked by the admin
            name=form.cleaned_data["name"],
            vkey=form.cleaned_data["vkey"],
            organisation=form.cleaned_data["organisation"],
            description=form.cleaned_data["description"],
        )
        obj.pk = created.pk
