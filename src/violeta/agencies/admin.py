from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from violeta.agencies.models import Agency, PasskeyDevice, Unit, User
from violeta.audit.models import Action
from violeta.audit.services import audit_log


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active")
    filter_horizontal = ("record_kinds",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "alcaldia")
    list_filter = ("agency",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "agency", "role", "is_active", "last_login")
    list_filter = ("agency", "role", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Agency and role"), {"fields": ("agency", "unit", "role")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Agency and role"), {"fields": ("agency", "unit", "role")}),
    )


@admin.register(PasskeyDevice)
class PasskeyDeviceAdmin(admin.ModelAdmin):
    """Administrators see staff passkeys and may remove a lost one; only their owner registers
    them (from the passkeys page), and the key material is not shown."""

    list_display = ("name", "user", "created_at", "last_used_at")
    list_filter = ("user__agency",)
    search_fields = ("user__username", "name")
    fields = ("user", "name", "created_at", "last_used_at", "sign_count")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: PasskeyDevice) -> None:
        self.delete_queryset(request, PasskeyDevice.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[PasskeyDevice]) -> None:
        with transaction.atomic():
            for device in queryset.select_for_update():
                audit_log(
                    actor=request.user,  # type: ignore[arg-type]
                    action=Action.DELETE,
                    subject_type="passkey",
                    subject_id=device.pk,
                    request=request,
                    details={"factor": "passkey", "device": device.pk, "owner": device.user_id},
                )
                device.delete()
