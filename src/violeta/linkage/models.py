"""How each reported identity was linked, the review queue and the human decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkMethod(models.TextChoices):
    CURP = "curp", _("Same valid CURP")
    EXACT = "exact", _("Same name and date of birth")
    MODEL = "model", _("Probabilistic model")
    INCIDENT = "incident", _("Same incident (given name and age, within hours)")
    HUMAN = "human", _("Human decision")
    OPERATOR = "operator", _("Chosen by the operator")
    SINGLE = "single", _("No match: a person of her own")
    UNLINKED = "unlinked", _("Too little identity to link")


class Decision(models.TextChoices):
    SAME = "same", _("Same person")
    DIFFERENT = "different", _("Different people")


class LinkDecision(models.Model):
    """A person's word on a pair of reported identities: no automatic run overturns it."""

    identity_a = models.ForeignKey(
        "records.ReportedIdentity", on_delete=models.CASCADE, related_name="+"
    )
    identity_b = models.ForeignKey(
        "records.ReportedIdentity", on_delete=models.CASCADE, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("link decision")
        verbose_name_plural = _("link decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["identity_a", "identity_b"], name="one_decision_per_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(identity_a__lt=models.F("identity_b")),
                name="decision_pair_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identity_a_id}~{self.identity_b_id}:{self.decision}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Waiting for review")
    DECIDED = "decided", _("Decided")


class ReviewReason(models.TextChoices):
    UNCERTAIN = "uncertain", _("The model is unsure")
    CURP_CONFLICT = "curp_conflict", _("Different CURPs for what looks like one person")
    OPERATOR = "operator", _("The operator was unsure")


class ReviewPair(models.Model):
    """A pair the model is unsure of, waiting for a supervisor."""

    identity_a = models.ForeignKey(
        "records.ReportedIdentity", on_delete=models.CASCADE, related_name="+"
    )
    identity_b = models.ForeignKey(
        "records.ReportedIdentity", on_delete=models.CASCADE, related_name="+"
    )
    probability = models.FloatField(_("match probability"), null=True)
    reason = models.CharField(_("reason"), max_length=20, choices=ReviewReason.choices)
    # Which attributes agreed (comparison name → level label): never the values themselves.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decision = models.OneToOneField(
        LinkDecision, on_delete=models.SET_NULL, null=True, blank=True, related_name="review"
    )

    class Meta:
        verbose_name = _("pair to review")
        verbose_name_plural = _("pairs to review")
        constraints = [
            models.UniqueConstraint(
                fields=["identity_a", "identity_b"], name="one_review_per_pair"
            ),
        ]
        indexes = [models.Index(fields=["status", "-probability"])]

    def __str__(self) -> str:
        return f"{self.identity_a_id}~{self.identity_b_id}:{self.status}"
