"""Writes of the intake app: a new mapping version; an uploaded file queued as a job."""

from __future__ import annotations

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


@transaction.atomic
def import_job_create(
    *, user: User, upload: UploadedFile, request: HttpRequest | None = None
) -> ImportJob:
    """Store the uploaded file under the data folder and queue it for ``violeta worker``."""
    assert user.agency is not None  # the view checks it
    name = Path(upload.name or "archivo").name[:200]
    suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    stored = f"{uuid.uuid4().hex}{suffix}"
    with (imports_dir() / stored).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
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
