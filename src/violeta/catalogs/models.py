"""Catalogs of Mexico's general law (LGAMVLV) and of Mexico City, kept as data.

An administrator can add entries; each carries the date it came into force, so a statistic can
tell a type that did not exist yet (vicaria, January 2024) from one that was not recorded.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogEntry(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "es").startswith("en") else self.name_es


class GbvimsType(models.TextChoices):
    """The six core types of the UN's GBVIMS classification."""

    RAPE = "rape", _("Rape")
    SEXUAL_ASSAULT = "sexual_assault", _("Sexual assault")
    PHYSICAL_ASSAULT = "physical_assault", _("Physical assault")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    DENIAL_OF_RESOURCES = "denial_of_resources", _("Denial of resources, opportunities or services")
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Psychological / emotional abuse")


class ViolenceType(CatalogEntry):
    """A type of violence (LGAMVLV Art. 6) with its GBVIMS mapping ("" where none applies)."""

    gbvims = models.CharField(
        _("GBVIMS type"), max_length=30, choices=GbvimsType.choices, blank=True
    )

    class Meta(CatalogEntry.Meta):
        verbose_name = _("type of violence")
        verbose_name_plural = _("types of violence")


class Modality(CatalogEntry):
    class Meta(CatalogEntry.Meta):
        verbose_name = _("modality of violence")
        verbose_name_plural = _("modalities of violence")


class Alcaldia(models.Model):
    inegi_code = models.CharField(_("INEGI code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["name"]
        verbose_name = _("alcaldía")
        verbose_name_plural = _("alcaldías")

    def __str__(self) -> str:
        return self.name


class RecordKind(CatalogEntry):
    class Meta(CatalogEntry.Meta):
        verbose_name = _("record kind")
        verbose_name_plural = _("record kinds")
