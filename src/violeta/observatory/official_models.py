"""Official figures published by others (FGJ CDMX, SESNSP), loaded with ``violeta observatory
import-official`` and shown beside Violeta's own. Every load is kept (SESNSP revises past
figures): the site shows the latest load of each source, older ones stay in the admin.

Only aggregates are stored: no victim-level row, id, colonia, street or coordinate."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficialSource(models.TextChoices):
    FGJ_VICTIMS = "fgj-victimas", _("FGJ CDMX: victims in investigation files")
    SESNSP_ALCALDIAS = "sesnsp-alcaldias", _("SESNSP: investigation files by alcaldía, monthly")
    SESNSP_MUNICIPAL = "sesnsp-municipal", _("SESNSP: investigation files by municipality")
    SESNSP_STATE_VICTIMS = "sesnsp-estatal-victimas", _("SESNSP: victims by state, monthly")
    SESNSP_YEARLY = "sesnsp-incidencia-anual", _("SESNSP: crimes by state, yearly")
    SESNSP_911 = "sesnsp-911", _("SESNSP: 911 calls for family violence by state")


class OfficialDataset(models.Model):
    """One load of one file. ``release_date`` is the publisher's (given by whoever loads it)."""

    source = models.CharField(_("source"), max_length=40, choices=OfficialSource.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    rows_read = models.PositiveIntegerField(_("rows read"))
    rows_counted = models.PositiveIntegerField(_("rows counted"))
    skipped = models.JSONField(_("rows not counted, by reason"), default=dict)
    categories = models.JSONField(_("category names"), default=dict)
    release_date = models.DateField(_("release date"))
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    first_period = models.CharField(_("first period"), max_length=7)
    last_period = models.CharField(_("last period"), max_length=7)

    class Meta:
        ordering = ["source", "-release_date", "-loaded_at"]
        verbose_name = _("official dataset load")
        verbose_name_plural = _("official dataset loads")

    def __str__(self) -> str:
        return f"{self.source} {self.release_date} ({self.file_name})"

    @property
    def yearly(self) -> bool:
        return len(self.first_period) == 4


class OfficialFigure(models.Model):
    """An aggregate of a load. ``period``: YYYY-MM (YYYY for yearly sources); ``geo``: INEGI
    code, 5 digits for an alcaldía or municipality, 2 for a state; ``sex`` and ``age_group``
    are empty when the source does not break them down."""

    dataset = models.ForeignKey(OfficialDataset, on_delete=models.CASCADE, related_name="figures")
    period = models.CharField(_("period"), max_length=7)
    geo = models.CharField(_("geography (INEGI code)"), max_length=5)
    category = models.CharField(_("category"), max_length=80)
    sex = models.CharField(_("sex"), max_length=20, blank=True)
    age_group = models.CharField(_("age group"), max_length=20, blank=True)
    value = models.PositiveIntegerField(_("value"))

    class Meta:
        verbose_name = _("official figure")
        verbose_name_plural = _("official figures")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "period", "geo", "category", "sex", "age_group"],
                name="one_official_figure_per_key",
            )
        ]
        indexes = [models.Index(fields=["dataset", "geo", "period"], name="official_geo_period")]

    def __str__(self) -> str:
        return f"{self.period} {self.geo} {self.category}: {self.value}"
