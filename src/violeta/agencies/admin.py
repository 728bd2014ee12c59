from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from violeta.agencies.models import Agency, Unit, User


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
