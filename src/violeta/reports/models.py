"""Reports received from the public (web form, WhatsApp) and the messages that follow them.

The reporter's secret is stored only as a password hash; the description, contact and
messages are encrypted at rest; a WhatsApp number is stored encrypted and found by a blind
index.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from violeta.core.fields import EncryptedTextField
from violeta.reports.choices import Author, Channel, Delivery, ReporterRole, Status


class PublicReport(models.Model):
    folio = models.CharField(_("folio"), max_length=20, unique=True)
    secret_hash = models.CharField(max_length=200)
    reporter_role = models.CharField(_("who reports"), max_length=10, choices=ReporterRole.choices)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    contact = EncryptedTextField(_("contact"), blank=True)
    violence_types = models.ManyToManyField(
        "catalogs.ViolenceType", verbose_name=_("types of violence"), blank=True
    )
    alcaldia = models.ForeignKey(
        "catalogs.Alcaldia", on_delete=models.PROTECT, null=True, blank=True
    )
    immediate_danger = models.BooleanField(_("in immediate danger"), default=False)
    description = EncryptedTextField(_("what happened"))
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.RECEIVED
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="public_reports"
    )
    routing_reason = models.CharField(_("why this agency"), max_length=60)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_channel = models.CharField(max_length=10, choices=Channel.choices)
    last_channel = models.CharField(max_length=10, choices=Channel.choices)
    channels = models.JSONField(_("channels used"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return self.folio


class StatusChange(models.Model):
    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=15, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status} -> {self.to_status}"


class ReportMessage(models.Model):
    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=10, choices=Author.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    text = EncryptedTextField()
    delivery = models.CharField(max_length=10, choices=Delivery.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.author} {self.channel}"


class Conversation(models.Model):
    """One WhatsApp sender: where she is in the questions, and the report she follows."""

    phone_index = models.CharField(max_length=32, unique=True)
    phone = EncryptedTextField()
    state = models.CharField(max_length=20)
    answers = models.JSONField(default=dict)  # role, alcaldía code, danger: codes only
    report = models.ForeignKey(
        PublicReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"conversation {self.pk} ({self.state})"


class InboundMessage(models.Model):
    """A WhatsApp message id already processed (WhatsApp retries deliveries)."""

    message_id = models.CharField(max_length=200, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.message_id
