"""Writes of the intake app: a new mapping version; an uploaded file queued as a job."""

from __future__ import annotations

import errno
import logging
import os
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest

from violeta.agencies.models import User
from violeta.audit.services import audit_log
from violeta.intake.mapping import MappingError, compile_mapping, load_mapping
from violeta.intake.models import AgencyMapping, ImportJob

log = logging.getLogger(__name__)


def imports_dir() -> Path:
    """Where uploaded files wait for the worker: inside the data folder, never web-served."""
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def mapping_problem(agency_code: str, body: Any) -> str:
    """Why ``body`` cannot be the mapping of ``agency_code`` ("" when it can)."""
    if not isinstance(body, dict):
        return "la correspondencia debe ser un objeto JSON"
    if str(body.get("agency", "")).upper() != agency_code.upper():
        return f"«agency» debe ser «{agency_code.upper()}», no «{body.get('agency', '')}»"
    try:
        compile_mapping(body)
    except MappingError as problem:
        return str(problem)
    return ""


@transaction.atomic
def mapping_save(
    *,
    agency_code: str,
    body: dict[str, Any],
    actor: User | None,
    note: str = "",
    request: HttpRequest | None = None,
) -> AgencyMapping:
    """A new active version of the agency's mapping (earlier ones stay, inactive); audited.
    Raises :class:`MappingError` when the mapping cannot be used."""
    code = agency_code.upper()
    problem = mapping_problem(code, body)
    if problem:
        raise MappingError(problem)
    latest = AgencyMapping.objects.select_for_update().filter(agency_code=code)
    version = (latest.aggregate(v=Max("version"))["v"] or 0) + 1
    latest.filter(active=True).update(active=False)
    saved = AgencyMapping.objects.create(
        agency_code=code, version=version, body=body, active=True, note=note, created_by=actor
    )
    audit_log(
        actor=actor,
        actor_label=None if actor else "system:mapping",
        action="update" if version > 1 else "create",
        subject_type="agency_mapping",
        subject_id=saved.pk,
        request=request,
        details={"agency": code, "version": version},
    )
    return saved


def mapping_follow_shipped(agency_code: str) -> AgencyMapping | None:
    """A new system version when the shipped file differs from the active version and every
    version so far is the system's (no administrator's edit to keep); else nothing."""
    code = agency_code.upper()
    versions = AgencyMapping.objects.filter(agency_code=code)
    active = versions.filter(active=True).order_by("-version").first()
    if active is None or versions.filter(created_by__isnull=False).exists():
        return None
    try:
        shipped = load_mapping(code)
    except MappingError:
        return None
    if shipped == active.body:
        return None
    return mapping_save(agency_code=code, body=shipped, actor=None, note="shipped with Violeta")


class UploadNotStored(Exception):
    """The uploaded file could not be written whole (its disk is full, the folder is not
    writable): nothing of it was kept, no job was queued."""

    def __init__(self, file_name: str, error: OSError) -> None:
        super().__init__(f"{file_name}: {errno.errorcode.get(error.errno or 0, 'error')}")
        self.file_name = file_name
        self.disk_full = error.errno in (errno.ENOSPC, errno.EDQUOT)


def _store_upload(upload: UploadedFile, name: str, stored: str) -> Path:
    """Write the upload whole (flushed to the disk) or not at all: a file that fits only in
    part (a full disk) is removed and :class:`UploadNotStored` raised."""
    target = Path(settings.DATA_DIR) / "imports" / stored
    try:
        target = imports_dir() / stored
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except OSError as error:
        target.unlink(missing_ok=True)
        log.warning("upload not stored: %s", errno.errorcode.get(error.errno or 0, "error"))
        raise UploadNotStored(name, error) from error
    return target


def import_job_create(
    *, user: User, upload: UploadedFile, request: HttpRequest | None = None
) -> ImportJob:
    """Store the uploaded file under the data folder and queue it for ``violeta worker``.
    Raises :class:`UploadNotStored` (no file, no job) when it cannot be written whole."""
    assert user.agency is not None  # the view checks it
    name = Path(upload.name or "archivo").name[:200]
    suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    stored = f"{uuid.uuid4().hex}{suffix}"
    target = _store_upload(upload, name, stored)
    try:
        return _job_queue(user=user, name=name, stored=stored, upload=upload, request=request)
    except BaseException:
        target.unlink(missing_ok=True)  # no file without its job
        raise


@transaction.atomic
def _job_queue(
    *, user: User, name: str, stored: str, upload: UploadedFile, request: HttpRequest | None
) -> ImportJob:
    assert user.agency is not None
    job = ImportJob.objects.create(agency=user.agency, user=user, file_name=name, stored_as=stored)
    audit_log(
        actor=user,
        action="import",
        subject_type="import_job",
        subject_id=job.pk,
        request=request,
        details={"agency": user.agency.code, "bytes": upload.size or 0, "queued": True},
    )
    return job
