"""``{% has_passkey user as name %}``: whether she has a passkey (the verify page offers it)."""

from __future__ import annotations

from typing import Any

from django import template

from violeta.agencies.models import PasskeyDevice

register = template.Library()


@register.simple_tag
def has_passkey(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return PasskeyDevice.objects.filter(user=user, confirmed=True).exists()
