"""The closed vocabularies of the public reporting channel and the status transitions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReporterRole(models.TextChoices):
    WOMAN = "woman", _("The woman who lives the violence")
    WITNESS = "witness", _("A witness")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned")
    IN_ATTENTION = "in_attention", _("In attention")
    CLOSED = "closed", _("Closed")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    WHATSAPP = "whatsapp", _("WhatsApp")


class Author(models.TextChoices):
    REPORTER = "reporter", _("The person who reported")
    STAFF = "staff", _("The agency")


class Delivery(models.TextChoices):
    SHOWN = "shown", _("Shown on the follow-up page")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Sending failed")


# Which status may follow which; "closed" is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.ASSIGNED, Status.IN_ATTENTION, Status.CLOSED}),
    Status.ASSIGNED: frozenset({Status.IN_ATTENTION, Status.CLOSED}),
    Status.IN_ATTENTION: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# Limits of what a reporter may type (characters).
DESCRIPTION_MAX = 5000
MESSAGE_MAX = 2000
CONTACT_MAX = 200
