"""Agencies, their units and their staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from violeta.agencies.roles import Capability, Role, role_can


class Agency(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("what it registers"), blank=True)
    record_kinds = models.ManyToManyField(
        "catalogs.RecordKind", verbose_name=_("record kinds it registers"), blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.code


class Unit(models.Model):
    """A service window of an agency (a women's centre, a police sector, a prosecutor's unit)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    alcaldia = models.ForeignKey(
        "catalogs.Alcaldia", on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["agency__code", "name"]
        unique_together = [("agency", "name")]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return f"{self.agency.code} · {self.name}"


class User(AbstractUser):  # type: ignore[django-manager-missing]  # PasskeyDevice: untyped base
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("agency")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        swappable = "AUTH_USER_MODEL"

    def can(self, capability: Capability) -> bool:
        return self.is_active and role_can(self.role, capability)


class PasskeyDevice(ThrottlingMixin, Device):
    """A passkey (WebAuthn credential) as a second factor beside TOTP.

    A django-otp device, so ``django_otp.login`` and ``user.is_verified()`` treat it like the
    TOTP device; it takes no typed token (``verify_token`` stays False), it is verified by
    :func:`violeta.agencies.passkeys.passkey_authenticate`. The credential id and public key
    are not personal data; they are never logged.
    """

    credential_id: models.CharField[str, str] = models.CharField(
        max_length=1400, unique=True
    )  # base64url, no padding
    public_key: models.BinaryField[bytes, bytes] = models.BinaryField()  # COSE key
    sign_count: models.PositiveBigIntegerField[int, int] = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    created_at: models.DateTimeField[Any, datetime] = models.DateTimeField(
        _("registered"), auto_now_add=True
    )
    last_used_at: models.DateTimeField[Any, datetime | None] = models.DateTimeField(
        _("last used"), null=True, blank=True
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_PASSKEY_THROTTLE_FACTOR", 1))
