"""Closed vocabularies of a referral (canalización)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Service(models.TextChoices):
    PSYCHOLOGICAL = "psychological", _("Psychological attention")
    LEGAL = "legal", _("Legal advice")
    SOCIAL = "social", _("Social work")
    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical attention")
    COMPLAINT = "complaint", _("Complaint (denuncia)")
    PROTECTION_ORDER = "protection_order", _("Protection order")
    POLICE_PROTECTION = "police_protection", _("Police protection")
    FOLLOWUP = "followup", _("Follow-up calls")


class Share(models.TextChoices):
    """What she agrees to share with the receiving agency, category by category."""

    IDENTITY = "identity", _("Her identity and contact details")
    ATTENTIONS = "attentions", _("Summary of her attentions (dates, agencies, kinds)")
    VIOLENCE = "violence", _("Types and modalities of violence")
    RISK = "risk", _("Risk level")
    NARRATIVE = "narrative", _("Narrative of this referral and of the record it comes from")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal")
    WRITTEN = "written", _("Written (signed)")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# The only moves a referral makes; anything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.PENDING: frozenset(
        {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.CANCELLED}
    ),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.COMPLETED, ReferralStatus.CANCELLED}),
}
OPEN = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)
