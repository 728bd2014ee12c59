"""Closed vocabularies of risk assessment."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Risk factors an instrument's items are tagged with. Fixed: the safety plan and the early
# warnings read them, so an instrument may only use these.
FACTORS = frozenset(
    {
        "weapons",
        "threats_to_kill",
        "strangulation",
        "children",
        "pregnancy",
        "leaving_home",
        "separation",
        "digital_harassment",
        "stalking",
        "jealousy_control",
        "substance_abuse",
        "suicide_risk",
        "escalation",
        "sexual_violence",
        "isolation",
        "order_breach",
    }
)

# Every instrument's level maps to one of these (the scale records and warnings share).
COMMON_LEVELS = ("no_apreciado", "bajo", "medio", "alto", "extremo")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed")


class Direction(models.TextChoices):
    UP = "up", _("Raised")
    DOWN = "down", _("Lowered")


class OverrideState(models.TextChoices):
    PENDING = "pending", _("Awaiting a supervisor")
    APPROVED = "approved", _("In force")
    REJECTED = "rejected", _("Rejected")
