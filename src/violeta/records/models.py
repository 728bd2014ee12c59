"""What each agency registered: one AgencyRecord per event, with the identities as reported."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from violeta.core.fields import EncryptedTextField
from violeta.linkage.models import LinkMethod
from violeta.people.models import IdentityFields
from violeta.records.choices import PartyRole, RecordSource, Relationship, RiskLevel


class AgencyRecord(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("agency"),
    )
    agency_record_id = models.CharField(_("agency's record id"), max_length=64)
    kind = models.ForeignKey(
        "catalogs.RecordKind", on_delete=models.PROTECT, verbose_name=_("kind of record")
    )
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    alcaldia = models.ForeignKey(
        "catalogs.Alcaldia",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("alcaldía"),
        related_name="+",
    )
    colonia = EncryptedTextField(_("colonia"), blank=True)
    violence_types = models.ManyToManyField(
        "catalogs.ViolenceType", blank=True, verbose_name=_("types of violence")
    )
    modalities = models.ManyToManyField(
        "catalogs.Modality", blank=True, verbose_name=_("modalities of violence")
    )
    relationship = models.CharField(
        _("relationship of the aggressor"), max_length=20, choices=Relationship.choices, blank=True
    )
    weapons = models.JSONField(_("weapons involved"), default=list, blank=True)
    risk_level = models.CharField(
        _("risk level"), max_length=20, choices=RiskLevel.choices, blank=True
    )
    narrative = EncryptedTextField(_("narrative"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=RecordSource.choices)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("agency record")
        verbose_name_plural = _("agency records")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "agency_record_id"], name="unique_record_id_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}:{self.agency_record_id}"


class ReportedIdentity(IdentityFields):
    """A person as one record reported her (or him), linked to the person it was resolved to."""

    # No index of its own: the unique (record, role) below leads with it.
    record = models.ForeignKey(
        AgencyRecord, on_delete=models.CASCADE, related_name="parties", db_index=False
    )
    role = models.CharField(_("role"), max_length=10, choices=PartyRole.choices)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="mentions", verbose_name=_("person")
    )
    age = models.PositiveSmallIntegerField(_("age given"), null=True, blank=True)
    link_method = models.CharField(
        _("how it was linked"), max_length=10, choices=LinkMethod.choices, blank=True
    )
    link_probability = models.FloatField(_("match probability"), null=True, blank=True)
    # What linkage compares, computed when the identity is stored (linkage.features
    # .identity_blob): one value to decrypt per identity in a batch run instead of eight.
    link_features = EncryptedTextField(_("linkage features"), blank=True, editable=False)

    class Meta:
        verbose_name = _("reported identity")
        verbose_name_plural = _("reported identities")
        constraints = [
            models.UniqueConstraint(fields=["record", "role"], name="one_party_per_role")
        ]
        # The supervisors' list of records waiting for a decision (linkage.unlinked) and the
        # operators' choices a batch run keeps (linkage.batch.human_decisions): those methods
        # only, so that a batch run that links a million identities writes no entry here.
        indexes = [
            models.Index(fields=["link_method"], name=name, condition=models.Q(link_method=method))
            for name, method in (
                ("identity_unlinked", "unlinked"),
                ("identity_operator", "operator"),
            )
        ]


class AgencyRecordVersion(models.Model):
    """A record as it was before an update: its whole content, encrypted, for the history."""

    record = models.ForeignKey(AgencyRecord, on_delete=models.CASCADE, related_name="history")
    version = models.PositiveIntegerField()
    snapshot = EncryptedTextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["record", "version"], name="unique_record_version")
        ]

    def __str__(self) -> str:
        return f"{self.record_id}@{self.version}"
