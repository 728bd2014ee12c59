"""API clients (one or more per agency), their tokens (stored hashed) and idempotency keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from violeta.agencies.roles import Role
from violeta.core.fields import EncryptedTextField

# What a token may do: "<area>:read" for GETs, "<area>:write" for writes.
SCOPES: dict[str, str] = {
    "risk:read": "Read instruments, assessments and women's risk levels",
    "risk:write": "Start, answer and complete assessments; change a level",
    "records:read": "Read the client agency's own records",
    "records:write": "Register and update the agency's records (JSON or a FHIR Bundle)",
    "people:search": "Search a woman by identity (candidates, scored)",
    "alerts:read": "Read a woman's alerts sent to the client's agency",
}
# The roles a client may act under: need-to-know is the role's, as for a person.
CLIENT_ROLES = (Role.OPERATOR, Role.CASEWORKER, Role.SUPERVISOR)


class ApiClient(models.Model):
    """An agency's system. It acts through its own service user (agency, role, no password)."""

    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(
        _("role"), max_length=20, choices=[(r.value, r.label) for r in CLIENT_ROLES]
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client"
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["agency__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="api_client_agency_name")
        ]

    def __str__(self) -> str:
        return f"{self.agency.code} · {self.name}"


class ApiToken(models.Model):
    """A bearer token ``vio_<prefix>_<secret>``: only its SHA-256 is kept."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="tokens")
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(_("SHA-256 of the token"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.prefix

    @property
    def usable(self) -> bool:
        now = timezone.now()
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)
            and self.client.active
        )


class IdempotentResponse(models.Model):
    """The stored answer to a write sent with an ``Idempotency-Key``, per client."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_digest = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = EncryptedTextField(default="")  # JSON; it may hold her answers
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key[:20]}"
