"""Early-warning rules (versioned data) and the alerts they raise."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from violeta.alerts.choices import Level, State
from violeta.core.fields import EncryptedTextField


class RuleSetVersion(models.Model):
    """One version of the whole rule set. Never edited: a change is a new version."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    rules = models.JSONField(_("rules"))
    digest = models.CharField(_("SHA-256 of the rules"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.CharField(_("reason for the change"), max_length=300, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("alert rule set version")
        verbose_name_plural = _("alert rule set versions")

    def __str__(self) -> str:
        return f"rules v{self.version}"

    def rule(self, code: str) -> dict[str, Any] | None:
        return next((r for r in self.rules if r["code"] == code), None)


class Alert(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("woman")
    )
    rule_code = models.CharField(_("rule"), max_length=40)
    ruleset = models.ForeignKey(RuleSetVersion, on_delete=models.PROTECT, related_name="alerts")
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    cause_key = models.CharField(_("cause"), max_length=120)
    evidence = models.JSONField(_("evidence (record ids)"), default=list)
    facts = models.JSONField(_("facts (codes and numbers)"), default=dict)
    state = models.CharField(_("state"), max_length=15, choices=State.choices, default=State.OPEN)
    unit = models.ForeignKey(
        "agencies.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit of her alcaldía"),
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="alerts_received", verbose_name=_("recipients")
    )
    escalated_to = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="alerts_escalated", blank=True
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    deadline = models.DateTimeField(_("answer by"))
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    acknowledge_note = EncryptedTextField(_("note on acknowledging"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    close_note = EncryptedTextField(_("note on closing"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "person", "cause_key"],
                condition=~Q(state="closed"),
                name="one_open_alert_per_cause",
            )
        ]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return f"alert:{self.pk}"
