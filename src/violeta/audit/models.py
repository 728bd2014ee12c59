"""The audit trail: an append-only, hash-chained log of who did what to whose data.

Entries are written only through :mod:`violeta.audit.services`. The ORM refuses to change or
delete them (``save()`` of an existing row, ``delete()``, ``QuerySet.update()`` /
``delete()``), and a database trigger (migration ``0002``) refuses ``UPDATE`` and ``DELETE``
issued in raw SQL. The hash chain (:mod:`violeta.audit.chain`) catches what gets past both
(someone who drops the trigger): ``violeta audit verify``.

No personal data in clear is stored here: subjects are referred to by type and primary key,
and ``details`` holds identifiers and codes only.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditTrailImmutable(Exception):
    """Raised on any attempt to change or delete an audit entry through the ORM."""

    def __init__(self, message: str = "the audit trail is append-only") -> None:
        super().__init__(message)


class Action(models.TextChoices):
    VIEW = "view", _("View")
    SEARCH = "search", _("Search")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    DELETE = "delete", _("Delete")
    LINK = "link", _("Link")
    ADMIN = "admin", _("Administration")


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    """Reads and inserts only: ``update()`` and ``delete()`` raise."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditTrailImmutable

    def delete(self) -> NoReturn:
        raise AuditTrailImmutable

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> NoReturn:
        raise AuditTrailImmutable

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditTrailImmutable


AuditManager = models.Manager.from_queryset(AuditQuerySet)


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True, editable=False)
    at = models.DateTimeField(_("when"), editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # The user name, or "system:<job>", as it was when the entry was written.
    actor_label = models.CharField(_("who"), max_length=150, db_index=True)
    agency_code = models.CharField(_("agency"), max_length=20, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    subject_type = models.CharField(_("subject type"), max_length=40, blank=True)
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditManager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["action", "at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject_type}:{self.subject_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailImmutable
        kwargs["force_insert"] = True  # never an UPDATE, even for a doctored instance
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditTrailImmutable
