"""Risk instruments (versioned data) and the assessments made with them."""

from __future__ import annotations

import json
from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from violeta.core.fields import EncryptedTextField
from violeta.risk import definition as defn
from violeta.risk.choices import Direction, OverrideState, Status


class InstrumentVersion(models.Model):
    """One version of an instrument, loaded from its JSON file. Once an assessment refers to it
    its definition never changes (services.instrument_load refuses); it may be retired."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.CharField(_("version"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    definition = models.JSONField(_("definition"))
    digest = models.CharField(_("SHA-256 of the definition"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk instrument version")
        verbose_name_plural = _("risk instrument versions")
        ordering = ["code", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="risk_instrument_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @cached_property
    def parsed(self) -> defn.Definition:
        return defn.parse(self.definition)

    @property
    def title(self) -> str:
        return defn.localized(self.parsed.name)


class RiskAssessment(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("woman")
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    unit = models.ForeignKey(
        "agencies.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    instrument = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    answers = EncryptedTextField(_("answers (JSON)"), default="{}")
    score = models.IntegerField(_("score"), null=True, blank=True)
    computed_level = models.CharField(_("computed level"), max_length=30, blank=True)
    final_level = models.CharField(_("final level"), max_length=30, blank=True)
    # The final level's place on the common scale, kept for lists and warnings.
    final_equivalent = models.CharField(max_length=20, blank=True)
    override_direction = models.CharField(
        _("override"), max_length=4, choices=Direction.choices, blank=True
    )
    override_level = models.CharField(_("level asked for"), max_length=30, blank=True)
    override_reason = EncryptedTextField(_("reason for the override"), blank=True)
    override_state = models.CharField(
        _("override state"), max_length=10, choices=OverrideState.choices, blank=True
    )
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    override_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    override_decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Bumped by every save of the answers: an edit started from an older one is refused
    # (optimistic locking, violeta.core.conflicts).
    version = models.PositiveIntegerField(_("version"), default=1)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    next_reassessment_due = models.DateTimeField(_("re-assess by"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-completed_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "status", "completed_at"]),
            models.Index(fields=["agency", "status", "next_reassessment_due"]),
        ]

    def __str__(self) -> str:
        return f"assessment:{self.pk}"

    def answer_dict(self) -> dict[str, str | float]:
        data: dict[str, str | float] = json.loads(self.answers or "{}")
        return data

    def level_name(self, code: str) -> str:
        level = self.instrument.parsed.level(code)
        return level.name if level else code

    @property
    def computed_name(self) -> str:
        return self.level_name(self.computed_level)

    @property
    def final_name(self) -> str:
        return self.level_name(self.final_level)

    @property
    def override_name(self) -> str:
        return self.level_name(self.override_level)
