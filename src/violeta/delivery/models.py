"""The outbox of alert deliveries, the in-app inbox and the webhook endpoints.

A ``Delivery`` row is written in the same transaction as the change that caused it (see
``services.deliveries_enqueue``), so a rolled-back change sends nothing and a committed one is
delivered even if the process dies right after the commit: ``violeta worker`` reads the outbox.
Payloads carry the alert's kind, id, level, a title and a link, never a name or a narrative.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from violeta.core.fields import EncryptedTextField

LEVELS = ("aviso", "alerta", "alarma")


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")


class State(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_FLIGHT = "in_flight", _("Being delivered")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will be retried")
    PARKED = "parked", _("Parked, retry by hand")


class WebhookEndpoint(models.Model):
    """A receiving system (e.g. a 911 dispatch) and the levels it subscribes to."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    url = models.URLField(_("URL"), max_length=500)
    secret = EncryptedTextField(_("signing secret"))
    levels = models.JSONField(_("levels"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One message to one recipient on one channel, with its retry state and its lease."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=50)
    subject_id = models.BigIntegerField(_("subject"))
    level = models.CharField(_("level"), max_length=10)
    payload = models.JSONField(_("payload"), default=dict)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # The error's class or the HTTP status, never the receiver's answer (it may echo data).
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    locked_by = models.CharField(_("locked by"), max_length=100, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(channel="webhook", endpoint__isnull=False)
                    | (~models.Q(channel="webhook") & models.Q(user__isnull=False))
                ),
                name="delivery_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk}"


class InboxMessage(models.Model):
    """What a user sees in her inbox; created by the worker from an inbox delivery."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_messages"
    )
    delivery = models.OneToOneField(
        Delivery, on_delete=models.PROTECT, null=True, blank=True, related_name="inbox_message"
    )
    level = models.CharField(_("level"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    url = models.CharField(_("link"), max_length=500)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="inbox_unread")]

    def __str__(self) -> str:
        return f"inbox #{self.pk}"
