"""Personalised safety plans: one plan per decision to make one, every edit a new version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from violeta.core.fields import EncryptedTextField


class SafetyPlan(models.Model):
    """A plan made for a woman by one agency. ``based_on`` keeps what it was generated from:
    the level, the factors and, when it came from an assessment, the instrument's code and
    version and the assessment's id (codes and ids only; no link to the risk models yet)."""

    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="safety_plans",
        verbose_name=_("woman"),
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    based_on = models.JSONField(_("generated from"), default=dict)
    content_version = models.CharField(_("version of the plan content"), max_length=20)

    class Meta:
        verbose_name = _("safety plan")
        verbose_name_plural = _("safety plans")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"safety-plan:{self.pk}"


class SafetyPlanVersion(models.Model):
    """The plan's sections and steps as they stood after one edit (the first: as generated)."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = EncryptedTextField(_("content"))  # JSON: the sections and their steps
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    edited_at = models.DateTimeField(_("edited at"), auto_now_add=True)
    change_note = EncryptedTextField(_("what changed"), blank=True)

    class Meta:
        verbose_name = _("safety plan version")
        verbose_name_plural = _("safety plan versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_safety_plan_version")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}@{self.number}"
