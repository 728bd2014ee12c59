"""Certificates of prior attention (constancias): what was issued, signed and to whom."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from violeta.core.fields import EncryptedTextField


class Purpose(models.TextChoices):
    WOMAN_REQUEST = "woman", _("At her request")
    INVESTIGATION = "investigation", _("For a criminal investigation")


class Certificate(models.Model):
    """One issued certificate. Its content (names included) is stored encrypted, exactly as it
    was signed, so the PDF can be produced again and the signature checked at any time."""

    code = models.CharField(_("verification code"), max_length=19, unique=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"))
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    attentions = models.PositiveIntegerField(_("attentions listed"))
    content = EncryptedTextField(_("signed content"))
    digest = models.CharField(_("SHA-256 of the content"), max_length=64)
    signature = models.CharField(_("signature"), max_length=200)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        verbose_name = _("certificate of prior attention")
        verbose_name_plural = _("certificates of prior attention")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.code
