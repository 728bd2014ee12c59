from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from violeta.audit.services import audit_log
from violeta.lifecycle.models import NonWorkingDay, RetentionRule


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A change here decides when files are destroyed or when answers fall due: audited."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_log(
            actor=request.user,
            action="admin",
            subject_type=obj._meta.model_name,
            subject_id=obj.pk,
            request=request,
            details={"fields": sorted(form.changed_data), "created": not change},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        pk = obj.pk
        super().delete_model(request, obj)
        audit_log(
            actor=request.user,
            action="admin",
            subject_type=obj._meta.model_name,
            subject_id=pk,
            request=request,
            details={"deleted": True},
        )


@admin.register(RetentionRule)
class RetentionRuleAdmin(AuditedAdmin):
    list_display = ("kind", "years", "updated_at")
    fields = ("kind", "years", "basis")


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(AuditedAdmin):
    list_display = ("day", "note")
