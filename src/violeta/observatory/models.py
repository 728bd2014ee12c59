"""The observatory's aggregation store: releases of published figures, the only thing the public
pages read. A release is computed whole (observatory_refresh) and swapped in one transaction.

Every release's metadata is kept (the public release history); the figures of the current and
the previous release are kept; ``PublishedValue`` keeps every exact value a figure ever had in
a release (what the rule across releases needs, docs/observatory.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from violeta.observatory.official_models import (  # noqa: F401 (models of this app)
    OfficialDataset,
    OfficialFigure,
)


class Mode(models.TextChoices):
    K = "k", _("k threshold with complementary suppression")
    DP = "dp", _("differential privacy (OpenDP) and k threshold")


class Release(models.Model):
    created_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("last checked at"), null=True)
    k = models.PositiveSmallIntegerField(_("minimum people per published figure"))
    first_month = models.CharField(_("first month"), max_length=7)
    last_month = models.CharField(_("last month"), max_length=7)
    is_current = models.BooleanField(_("current"), default=False)
    suppressed = models.PositiveIntegerField(_("figures hidden"), default=0)
    held = models.PositiveIntegerField(_("figures held at an earlier value"), default=0)
    seconds = models.FloatField(_("seconds to compute"), default=0)
    mode = models.CharField(_("mode"), max_length=2, choices=Mode.choices, default=Mode.K)
    epsilon = models.FloatField(_("epsilon spent by this release"), null=True)
    max_records = models.PositiveSmallIntegerField(_("records counted per woman"), null=True)
    noise_scale = models.FloatField(_("Laplace noise scale"), null=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("observatory release")
        verbose_name_plural = _("observatory releases")

    def __str__(self) -> str:
        return f"release {self.pk} ({self.first_month}..{self.last_month})"

    def spent(self) -> object:
        """The privacy budget spent up to this release (``services.Budget``), for templates."""
        from violeta.observatory.services import budget

        return budget(self)


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


class BoundarySet(models.Model):
    """The alcaldías' boundaries loaded by ``violeta observatory boundaries PATH`` (at most one
    set: a reload replaces it whole). Without one, the public map is a tile grid."""

    source = models.CharField(_("source file"), max_length=255)
    attribution = models.CharField(_("attribution"), max_length=300)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    tolerance = models.FloatField(_("simplification tolerance (degrees)"))
    width = models.FloatField(_("map width"))
    height = models.FloatField(_("map height"))

    class Meta:
        verbose_name = _("set of boundaries")
        verbose_name_plural = _("sets of boundaries")

    def __str__(self) -> str:
        return self.source


class Boundary(models.Model):
    """One alcaldía's boundary: simplified WGS84 geometry and its projected SVG path."""

    boundary_set = models.ForeignKey(
        BoundarySet, on_delete=models.CASCADE, related_name="boundaries"
    )
    alcaldia = models.ForeignKey(
        "catalogs.Alcaldia", on_delete=models.PROTECT, related_name="+", verbose_name=_("alcaldía")
    )
    geometry = models.JSONField(_("geometry (GeoJSON, WGS84, simplified)"))
    svg_path = models.TextField(_("SVG path"))

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")
        constraints = [
            models.UniqueConstraint(
                fields=["boundary_set", "alcaldia"], name="one_boundary_per_alcaldia"
            )
        ]

    def __str__(self) -> str:
        return str(self.alcaldia_id)


class ReleaseCounts(models.Model):
    """Internal, never published: every figure's exact (records, women) when a release was made
    (mode k), kept for the current release and the one it replaced, for the audit of the next
    release against it (``observatory.across``). A table of its own so that the public pages,
    which read the current ``Release`` on every request, never load it."""

    release = models.OneToOneField(
        Release, on_delete=models.CASCADE, primary_key=True, related_name="exact",
        verbose_name=_("release"),
    )  # fmt: skip
    counts = models.JSONField(_("exact counts"))

    class Meta:
        verbose_name = _("exact counts of a release")
        verbose_name_plural = _("exact counts of releases")

    def __str__(self) -> str:
        return f"exact counts of release {self.release_id}"


class PublishedValue(models.Model):
    """An exact value (records, women) a figure had when some release published it (mode k).
    Internal: a new value of the figure is published only if it differs from each of these by
    nothing or by at least k (``disclosure.too_close``)."""

    key = models.CharField(_("key"), max_length=120)
    records = models.PositiveIntegerField(_("records"))
    women = models.PositiveIntegerField(_("women"))
    first_release = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="+", verbose_name=_("first published in")
    )
    last_release = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="+", verbose_name=_("last published in")
    )

    class Meta:
        verbose_name = _("published value")
        verbose_name_plural = _("published values")
        constraints = [
            models.UniqueConstraint(fields=["key", "records", "women"], name="one_published_value")
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.records}/{self.women}"


class CountState(models.Model):
    """The exact counts behind the figures as last counted (internal, never published: the
    releases hold what is shown), so the next refresh counts only what changed
    (``observatory.incremental``). At most one row."""

    class How(models.TextChoices):
        FULL = "full", _("every record counted")
        DELTA = "delta", _("only the women with new records counted again")

    first_month = models.CharField(_("first month"), max_length=7)
    until = models.DateTimeField(_("counted up to"))
    counted_at = models.DateTimeField(_("counted at"))
    full_at = models.DateTimeField(_("last full count at"))
    how = models.CharField(_("how"), max_length=5, choices=How.choices)
    watermark = models.BigIntegerField(_("last identity counted"))
    checksum = models.JSONField(_("checksum of the identities counted"))
    counts = models.JSONField(_("counts: [key parts, records, women]"))
    seconds = models.FloatField(_("seconds to count"), default=0)

    class Meta:
        verbose_name = _("count state")
        verbose_name_plural = _("count states")

    def __str__(self) -> str:
        return f"{self.how} count up to {self.until:%Y-%m-%d %H:%M}"
