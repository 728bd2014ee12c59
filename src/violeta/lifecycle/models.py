"""Her data's lifecycle: retention by record kind, anonymised files, rectifications and the
register of ARCO requests (Mexico's law on personal data held by public bodies)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from violeta.core.fields import EncryptedTextField


class RetentionRule(models.Model):
    """How many years a record of one kind is kept once her file is closed (docs/lifecycle.md).
    The shipped values are starting points, set by each agency's records officer."""

    kind = models.SlugField(_("record kind (code)"), max_length=40, unique=True)
    years = models.PositiveSmallIntegerField(
        _("years kept after the file closes"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    basis = models.TextField(_("legal and practical basis"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return f"{self.kind}:{self.years}"


class AnonymisedPerson(models.Model):
    """A file whose identities were destroyed at the end of retention: what remains counts in
    statistics, and ``violeta link`` leaves its identities alone."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, related_name="anonymised"
    )
    file = models.PositiveIntegerField(_("her file (id)"))  # the file in use it belonged to
    anonymised_at = models.DateTimeField(_("anonymised at"))
    counts = models.JSONField(_("what was destroyed (counts)"), default=dict)

    class Meta:
        verbose_name = _("anonymised file")
        verbose_name_plural = _("anonymised files")

    def __str__(self) -> str:
        return f"anonymised:{self.person_id}"


class ArcoKind(models.TextChoices):
    ACCESS = "access", _("Access")
    RECTIFICATION = "rectification", _("Rectification")
    CANCELLATION = "cancellation", _("Cancellation")
    OPPOSITION = "opposition", _("Opposition")


class ArcoStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    PARTIAL = "partial", _("Partially granted")
    DENIED = "denied", _("Denied")


class ArcoRequest(models.Model):
    """One request of access, rectification, cancellation or opposition about her data."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    kind = models.CharField(_("right exercised"), max_length=15, choices=ArcoKind.choices)
    folio = models.CharField(_("folio of the request"), max_length=60)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer due by"))
    status = models.CharField(
        _("status"), max_length=10, choices=ArcoStatus.choices, default=ArcoStatus.PENDING
    )
    request_summary = EncryptedTextField(_("what she asks"), blank=True)
    answer = EncryptedTextField(_("answer"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("ARCO request")
        verbose_name_plural = _("ARCO requests")
        indexes = [models.Index(fields=["agency", "status", "due_on"], name="arco_agency_due")]

    def __str__(self) -> str:
        return f"arco:{self.pk}"


class IdentityVersion(models.Model):
    """Her identity as it was before a rectification: the old values, encrypted."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    snapshot = EncryptedTextField()  # JSON: the fields changed, with their old values
    fields = models.JSONField(default=list)  # the names of the fields changed
    request = models.ForeignKey(
        ArcoRequest, on_delete=models.PROTECT, related_name="versions", null=True
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["person", "version"], name="unique_identity_version")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.version}"


class NonWorkingDay(models.Model):
    """A day the transparency unit does not count (its published calendar), besides weekends
    and the federal rest days already known to :mod:`violeta.lifecycle.business_days`."""

    day = models.DateField(_("day"), unique=True)
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("non-working day")
        verbose_name_plural = _("non-working days")

    def __str__(self) -> str:
        return self.day.isoformat()
