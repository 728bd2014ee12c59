"""Import jobs of the upload page, run by ``violeta worker`` (a thread beside the deliveries).

A job is claimed by one worker at a time (a conditional UPDATE); while it runs, every batch
commits its records, its rejected rows (``ImportRejection``), the job's counts, ``last_row``
and a heartbeat in one transaction. A worker that dies leaves a job whose heartbeat stops;
after ``STALE`` another worker takes it over and goes on after ``last_row``. Whatever it re-reads
is harmless anyway: rows are keyed by the agency's record id. The uploaded file is deleted when
the job ends (done or failed): it holds personal data in the clear.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from django.db import DatabaseError, close_old_connections
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from violeta.audit.services import audit_log
from violeta.intake.files import FileProblem
from violeta.intake.loader import ImportReport, import_file
from violeta.intake.mapping import FieldError, MappingError
from violeta.intake.models import ImportJob, ImportRejection, ImportStatus
from violeta.intake.selectors import mapping_active
from violeta.intake.services import imports_dir

log = logging.getLogger(__name__)
STALE = dt.timedelta(seconds=120)
MAX_ATTEMPTS = 3


class JobLost(RuntimeError):
    """Another worker took the job over (this one looked dead): stop, roll the batch back."""


def import_job_claim(*, worker: str) -> ImportJob | None:
    """The oldest queued job, or a running one whose worker stopped beating; ``None``."""
    now = timezone.now()
    due = Q(status=ImportStatus.QUEUED) | Q(
        status=ImportStatus.RUNNING, heartbeat_at__lt=now - STALE
    )
    for job in ImportJob.objects.filter(due).order_by("created_at")[:5]:
        taken = ImportJob.objects.filter(
            pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at
        ).update(
            status=ImportStatus.RUNNING,
            worker=worker,
            heartbeat_at=now,
            started_at=Coalesce(F("started_at"), now),
            attempts=F("attempts") + 1,
        )
        if taken:
            job.refresh_from_db()
            return job
    return None


def _finish(job: ImportJob, status: str, error: str = "") -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, error=error, finished_at=timezone.now(), heartbeat_at=timezone.now()
    )
    (imports_dir() / job.stored_as).unlink(missing_ok=True)
    job.refresh_from_db()
    audit_log(
        actor=job.user,
        action="import",
        subject_type="import_job",
        subject_id=job.pk,
        details={
            "agency": job.agency.code,
            "status": status,
            "mapping_version": job.mapping_version,
            **job.counts(),
            "rejected_rows": job.rejected_rows,
        },
    )


def import_job_run(job: ImportJob, *, worker: str) -> ImportJob:
    """Import the job's file from after its ``last_row``; mark it done or failed."""
    if job.attempts > MAX_ATTEMPTS:
        _finish(
            job,
            ImportStatus.FAILED,
            f"{job.file_name}: el proceso se interrumpió {MAX_ATTEMPTS} veces",
        )
        return job
    mapping, version = mapping_active(job.agency.code)
    ImportJob.objects.filter(pk=job.pk).update(mapping_version=version)
    base = ImportJob.objects.values(
        "rows", "created", "updated", "unchanged", "rejected_rows", "warnings"
    ).get(pk=job.pk)

    def on_batch(report: ImportReport, rejected: list[FieldError]) -> None:
        ImportRejection.objects.bulk_create(
            ImportRejection(job_id=job.pk, row=e.row, field=e.field[:100], message=e.message)
            for e in rejected
        )
        moved = ImportJob.objects.filter(pk=job.pk, worker=worker).update(
            total_rows=report.total_rows,
            last_row=report.last_row,
            rows=base["rows"] + report.rows,
            created=base["created"] + report.created,
            updated=base["updated"] + report.updated,
            unchanged=base["unchanged"] + report.unchanged,
            rejected_rows=base["rejected_rows"] + report.rejected_rows,
            warnings=base["warnings"] + report.warning_count,
            heartbeat_at=timezone.now(),
        )
        if not moved:
            raise JobLost(f"import job {job.pk} taken over by another worker")

    path = imports_dir() / job.stored_as
    try:
        report = import_file(
            agency=job.agency,
            path=path,
            actor=job.user,
            mapping=mapping,
            resume_after=job.last_row,
            on_batch=on_batch,
        )
    except (FileProblem, MappingError) as problem:
        message = str(problem).replace(job.stored_as, job.file_name)
        _finish(job, ImportStatus.FAILED, message)
        return job
    ImportJob.objects.filter(pk=job.pk).update(total_rows=report.total_rows)
    _finish(job, ImportStatus.DONE)
    return job


def import_jobs_drain(*, worker: str) -> int:
    """Run every job due now (``violeta worker --once``); return how many ran."""
    done = 0
    while (job := import_job_claim(worker=worker)) is not None:
        _run_safely(job, worker)
        done += 1
    return done


def _run_safely(job: ImportJob, worker: str) -> None:
    try:
        import_job_run(job, worker=worker)
    except JobLost:
        log.warning("import job %s: taken over by another worker", job.pk)
    except DatabaseError as error:  # left running: another attempt after STALE
        log.warning("import job %s: database error %s", job.pk, type(error).__name__)


def import_jobs_loop(*, worker: str, sleep: float, stop: threading.Event) -> None:
    """The worker's import thread: take jobs one at a time until ``stop`` is set."""
    while not stop.is_set():
        close_old_connections()
        try:
            job = import_job_claim(worker=worker)
        except DatabaseError:
            job = None
        if job is None:
            time.sleep(sleep)
            continue
        _run_safely(job, worker)
    close_old_connections()
