"""The observatory's aggregation store: releases of published figures, the only thing the public
pages read. A release is computed whole (observatory_refresh) and swapped in one transaction."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from violeta.observatory.official_models import (  # noqa: F401 (models of this app)
    OfficialDataset,
    OfficialFigure,
)


class Release(models.Model):
    created_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    k = models.PositiveSmallIntegerField(_("minimum people per published figure"))
    first_month = models.CharField(_("first month"), max_length=7)
    last_month = models.CharField(_("last month"), max_length=7)
    is_current = models.BooleanField(_("current"), default=False)
    suppressed = models.PositiveIntegerField(_("figures hidden"), default=0)
    seconds = models.FloatField(_("seconds to compute"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("observatory release")
        verbose_name_plural = _("observatory releases")

    def __str__(self) -> str:
        return f"release {self.pk} ({self.first_month}..{self.last_month})"


class Figure(models.Model):
    """One published quantity (see observatory.tables): ``None`` counts are hidden."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="figures")
    key = models.CharField(_("key"), max_length=120)
    records = models.PositiveIntegerField(_("records"), null=True)
    women = models.PositiveIntegerField(_("women"), null=True)

    class Meta:
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")
        constraints = [
            models.UniqueConstraint(fields=["release", "key"], name="one_figure_per_key")
        ]

    def __str__(self) -> str:
        return self.key
