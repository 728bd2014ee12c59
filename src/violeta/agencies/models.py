"""Agencies, their units and their staff."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

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


class User(AbstractUser):
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
