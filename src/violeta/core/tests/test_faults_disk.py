"""Fault: the disk of the upload folder is full when an operator uploads a registry file.

The upload folder (``DATA_DIR/imports``, where /importar/ keeps a file until the worker imports
it) is a 64 KB tmpfs mounted for the test, filled almost to the brim: the new file fits only
in part. The operator gets a clear message in Spanish (no 500), nothing is kept of the upload
(no job, no truncated file, no records), what was stored before is all there; once space is
freed the same upload goes through and imports.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from violeta.audit.models import AuditEntry
from violeta.intake import jobs
from violeta.intake.models import ImportJob, ImportStatus
from violeta.intake.tests.test_loader import HEADER, _row
from violeta.records.models import AgencyRecord

pytestmark = [pytest.mark.faults, pytest.mark.django_db]


@contextmanager
def tmpfs(folder: Path, size: str = "64k") -> Iterator[Path]:
    """A small tmpfs mounted on ``folder`` (root only: anything else fails the test, loudly)."""
    folder.mkdir(parents=True, exist_ok=True)
    command = ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    except OSError as error:
        pytest.fail(f"cannot run mount to fill a disk on purpose: {error}")
    if done.returncode != 0:
        pytest.fail(
            f"cannot mount a tmpfs on {folder} as uid {os.geteuid()} "
            f"({done.stderr.strip() or done.returncode}): this fault test needs root, as CI has"
        )
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True, timeout=30)  # noqa: S603, S607


def fill(folder: Path, leave: int) -> Path:
    """Fill ``folder``'s disk, then free ``leave`` bytes of it again."""
    filler = folder / "relleno.bin"
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError as error:
            assert error.errno == errno.ENOSPC
        out.truncate(max(0, filler.stat().st_size - leave))
    return filler


def _csv(ids: list[str]) -> bytes:
    return ("\r\n".join([HEADER, *(_row(i) for i in ids)]) + "\r\n").encode("utf-8")


def _post(client: Client, content: bytes, name: str = "registro.csv") -> Any:
    return client.post("/importar/", {"file": SimpleUploadedFile(name, content)})


def _job(response: Any) -> ImportJob:
    assert response.status_code == 302, response.content[:2000]
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_upload_on_a_full_disk_is_refused_clearly_and_keeps_nothing(
    staff_client: Callable[..., Client], settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    folder = Path(settings.DATA_DIR) / "imports"
    client = staff_client("operator")
    with tmpfs(folder):
        done = _job(_post(client, _csv(["OLD-1", "OLD-2"]), "anterior.csv"))
        assert jobs.import_jobs_drain(worker="test") == 1  # stored before: two records
        queued = _job(_post(client, _csv(["Q-1"]), "en-cola.csv"))  # waiting for the worker
        queued_bytes = (folder / queued.stored_as).read_bytes()
        records_before = set(AgencyRecord.objects.values_list("agency_record_id", flat=True))
        assert records_before == {"OLD-1", "OLD-2"}
        uploads_audited = AuditEntry.objects.filter(subject_type="import_job").count()

        filler = fill(folder, leave=8192)
        big = _csv([f"NEW-{n}" for n in range(150)])  # ~30 KB: only the first 8 KB would fit
        assert len(big) > 3 * 8192
        refused = _post(client, big, "nuevo.csv")

        assert refused.status_code == 503
        page = refused.content.decode()
        assert "nuevo.csv" in page and "no tiene espacio" in page, page
        assert 'role="alert"' in page
        assert set(ImportJob.objects.values_list("pk", flat=True)) == {done.pk, queued.pk}
        assert sorted(p.name for p in folder.iterdir()) == sorted([queued.stored_as, filler.name])
        assert (folder / queued.stored_as).read_bytes() == queued_bytes
        assert set(AgencyRecord.objects.values_list("agency_record_id", flat=True)) == {
            "OLD-1",
            "OLD-2",
        }
        assert AuditEntry.objects.filter(subject_type="import_job").count() == uploads_audited

        filler.unlink()  # the administrator frees space: the same upload goes through
        retried = _job(_post(client, big, "nuevo.csv"))
        assert (folder / retried.stored_as).read_bytes() == big
        assert jobs.import_jobs_drain(worker="test") == 2
        retried.refresh_from_db()
        queued.refresh_from_db()
        assert retried.status == queued.status == ImportStatus.DONE
        assert retried.created == 150 and queued.created == 1
    stored = list(AgencyRecord.objects.values_list("agency_record_id", flat=True))
    assert sorted(stored) == sorted(["OLD-1", "OLD-2", "Q-1", *(f"NEW-{n}" for n in range(150))])
