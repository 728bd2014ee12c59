"""A woman's follow-up at one agency: active, supervised after a long silence, closed by a person.

Time alone never closes a follow-up: with no activity for ``CASE_INACTIVE_DAYS`` the sweep
moves it to *supervised*; a supervisor may close it once it has been supervised for
``CASE_SUPERVISED_DAYS``, with a reason. Any new activity reopens it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from violeta.core.fields import EncryptedTextField


class CaseState(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUPERVISED = "supervised", _("Supervised")
    CLOSED = "closed", _("Closed")


class CaseFollowUp(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("woman")
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    state = models.CharField(
        _("state"), max_length=10, choices=CaseState.choices, default=CaseState.ACTIVE
    )
    opened_at = models.DateTimeField(_("opened at"))
    last_activity_at = models.DateTimeField(_("last activity"), db_index=True)
    supervised_since = models.DateTimeField(_("supervised since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_reason = EncryptedTextField(_("why it was closed"), blank=True)
    reopened_at = models.DateTimeField(_("last reopened at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["person", "agency"], name="one_followup_per_agency")
        ]
        indexes = [models.Index(fields=["agency", "state"], name="followup_agency_state")]

    def __str__(self) -> str:
        return f"followup:{self.pk}"
