"""Administrators edit agencies' mappings here. Saving never overwrites: it makes a new active
version (validated with the loader's own checks, audited); older versions stay to compare."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from violeta.agencies.models import User
from violeta.intake.forms import AgencyMappingForm
from violeta.intake.models import AgencyMapping, ImportJob
from violeta.intake.services import mapping_save


@admin.register(AgencyMapping)
class AgencyMappingAdmin(admin.ModelAdmin):
    form = AgencyMappingForm
    list_display = ("agency_code", "version", "active", "note", "created_by", "created_at")
    list_filter = ("agency_code", "active")
    readonly_fields = ("version", "active", "created_by", "created_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # import jobs name the version they used

    def save_model(
        self, request: HttpRequest, obj: AgencyMapping, form: ModelForm, change: bool
    ) -> None:
        user: User = request.user  # type: ignore[assignment]
        saved = mapping_save(
            agency_code=obj.agency_code,
            body=obj.body,
            actor=user,
            note=obj.note,
            request=request,
        )
        obj.pk, obj.version, obj.active = saved.pk, saved.version, saved.active
        obj.created_by, obj.created_at = saved.created_by, saved.created_at
        obj._state.adding = False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "agency",
        "file_name",
        "status",
        "rows",
        "created",
        "rejected_rows",
        "created_at",
    )
    list_filter = ("status", "agency")
    exclude = ("stored_as",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
