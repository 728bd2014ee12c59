"""Administrators list clients and tokens and revoke tokens; tokens are issued by the command
``violeta api_token create`` (the secret is shown once, there)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from violeta.agencies.models import User
from violeta.api.models import ApiClient, ApiToken
from violeta.api.services import token_revoke


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "role", "active", "created_at")
    list_filter = ("agency", "role", "active")
    readonly_fields = ("agency", "name", "role", "user", "created_at")
    fields = ("agency", "name", "role", "user", "active", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created with its service user by `violeta api_token create`

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "client", "scopes", "created_at", "expires_at", "revoked_at")
    list_filter = ("client__agency", "revoked_at")
    readonly_fields = (
        "client",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    exclude = ("digest",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Revoke: the token stops working at once"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        for token in queryset:
            token_revoke(prefix=token.prefix, actor=actor)
        messages.success(request, gettext_lazy("Tokens revoked."))
