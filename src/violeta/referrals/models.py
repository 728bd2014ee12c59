"""A referral (canalización) of a woman from one agency to another agency's service."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from violeta.core.fields import EncryptedTextField
from violeta.referrals.choices import ConsentMethod, ReferralStatus, Service, Share


def overdue_q(now: dt.datetime) -> Q:
    """Pending past its answer date, or accepted past its completion date."""
    return Q(status=ReferralStatus.PENDING, respond_by__lt=now) | Q(
        status=ReferralStatus.ACCEPTED, complete_by__lt=now
    )


class Referral(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("woman")
    )
    from_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    from_unit = models.ForeignKey(
        "agencies.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("referred at"))
    record = models.ForeignKey(
        "records.AgencyRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the attention it comes from"),
    )
    to_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    to_unit = models.ForeignKey(
        "agencies.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.CharField(_("service requested"), max_length=30, choices=Service.choices)
    reason = EncryptedTextField(_("why she is referred and what is asked"))
    narrative = EncryptedTextField(_("narrative"), blank=True)
    # Her consent, as she gave it.
    consent_given = models.BooleanField(_("she consents to share"))
    consent_method = models.CharField(
        _("how she consented"), max_length=10, choices=ConsentMethod.choices, blank=True
    )
    consent_scope = models.JSONField(_("what she agrees to share"), default=list, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded at"))
    # Sharing without (or beyond) her consent: a supervisor's decision, with its reason.
    override = models.BooleanField(_("consent overridden"), default=False)
    override_scope = models.JSONField(_("what is shared by the override"), default=list)
    override_reason = EncryptedTextField(_("why her consent is overridden"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What the receiving agency sees, fixed when the referral was made: only the categories the
    # consent (or the override) covers, encrypted. The receiving side never reads anything else.
    shared = EncryptedTextField(_("what the referral carries"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    respond_by = models.DateTimeField(_("answer due"))
    complete_by = models.DateTimeField(_("completion due"))
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = EncryptedTextField(_("why it was declined"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = EncryptedTextField(_("outcome"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = EncryptedTextField(_("why it was cancelled"), blank=True)

    # The form a referral was sent from: a double click or a resubmitted page sends it once.
    form_token = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "form_token"],
                condition=~Q(form_token=""),
                name="one_referral_per_form",
            )
        ]
        indexes = [
            models.Index(fields=["to_agency", "status"], name="referral_to_status"),
            models.Index(fields=["from_agency", "status"], name="referral_from_status"),
        ]

    def __str__(self) -> str:
        return f"referral:{self.pk}"

    @property
    def shared_scope(self) -> frozenset[str]:
        """The categories the receiving agency sees."""
        if self.override:
            return frozenset(self.override_scope)
        return frozenset(self.consent_scope) if self.consent_given else frozenset()

    @property
    def shared_content(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.shared) if self.shared else {}
        return data

    def is_overdue(self, now: dt.datetime) -> bool:
        if self.status == ReferralStatus.PENDING:
            return now > self.respond_by
        return self.status == ReferralStatus.ACCEPTED and now > self.complete_by

    def scope_labels(self) -> list[str]:
        return [str(Share(s).label) for s in Share.values if s in self.shared_scope]
