"""Agencies' mappings kept as data (versioned) and the import jobs of the upload page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from violeta.core.fields import EncryptedTextField


class AgencyMapping(models.Model):
    """One version of an agency's mapping (format: docs/generator.md, "Agency mapping
    format"). Never edited in place: a change is a new version, the newest active one is used.
    Version 1 of each agency is the shipped file (data migration)."""

    agency_code = models.CharField(_("agency code"), max_length=20)
    version = models.PositiveIntegerField(_("version"))
    body = models.JSONField(_("mapping"))
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["agency_code", "-version"]
        verbose_name = _("agency mapping")
        verbose_name_plural = _("agency mappings")
        constraints = [
            models.UniqueConstraint(fields=["agency_code", "version"], name="mapping_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.agency_code} v{self.version}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A file uploaded on /importar/, imported in the background by ``violeta worker``.
    ``last_row`` is the last line of the file whose batch is committed: a job taken over after
    a crash starts after it (re-reading earlier rows would also be harmless: idempotent)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=255)
    stored_as = models.CharField(max_length=255)  # under DATA_DIR/imports, never web-served
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    mapping_version = models.PositiveIntegerField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    last_row = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)  # the file's problem, when it failed
    worker = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="import_job_due")]

    def __str__(self) -> str:
        return f"import {self.pk} {self.file_name}"

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return min(99, round(100 * self.rows / self.total_rows)) if self.total_rows else 0

    @property
    def finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}

    def counts(self) -> dict[str, Any]:
        return {n: getattr(self, n) for n in ("rows", "created", "updated", "unchanged")}


class ImportRejection(models.Model):
    """One reason one row of a job was not stored (row, canonical field, message). The message
    may quote the cell (an unknown code, a malformed date), so it is encrypted."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    row = models.PositiveIntegerField()
    field = models.CharField(max_length=100)
    message = EncryptedTextField()

    class Meta:
        ordering = ["row", "pk"]
        indexes = [models.Index(fields=["job", "row"], name="import_rejection_row")]

    def __str__(self) -> str:
        return f"{self.job_id} fila {self.row} {self.field}"
