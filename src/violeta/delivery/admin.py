"""Administrators manage webhook endpoints (the secret is write-only) and see deliveries."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from violeta.delivery.forms import WebhookEndpointForm
from violeta.delivery.models import Delivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("name", "url", "levels", "active", "created_at")
    list_filter = ("active",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deliveries point to it; deactivate instead


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "channel",
        "kind",
        "subject_id",
        "level",
        "state",
        "attempts",
        "created_at",
    )
    list_filter = ("state", "channel", "level")
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
