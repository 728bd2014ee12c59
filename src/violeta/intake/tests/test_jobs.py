"""/importar/: upload, the worker's import job, progress, rejected rows, a job taken over."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from violeta.agencies.models import User
from violeta.audit.models import AuditEntry
from violeta.intake import jobs
from violeta.intake.models import ImportJob, ImportRejection, ImportStatus
from violeta.intake.services import imports_dir
from violeta.intake.tests.test_loader import HEADER, _row
from violeta.records.models import AgencyRecord

pytestmark = pytest.mark.django_db
HOSTILE = "<b>negrita</b>'; DROP TABLE x;--"


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return Path(settings.DATA_DIR)


def _csv(rows: list[str]) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")


def _upload(client: Client, content: bytes, name: str = "registro.csv") -> ImportJob | None:
    response = client.post("/importar/", {"file": SimpleUploadedFile(name, content)})
    if response.status_code != 302:
        return None
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_upload_queues_the_file_and_the_worker_imports_it(
    staff_client: Callable[..., Client], data_dir: Path
) -> None:
    client = staff_client("supervisor")
    bad_code = _row("B-1").replace(",Miguel Hidalgo,Jesús", f",{HOSTILE},Jesús")
    job = _upload(client, _csv([_row("A-1"), bad_code, _row("A-2", date="31/02/2019")]))
    assert job is not None and job.status == ImportStatus.QUEUED
    assert (data_dir / "imports" / job.stored_as).is_file()
    assert job.stored_as not in job.file_name and not str(job.stored_as).startswith("/")
    page = client.get(f"/importar/{job.pk}/")
    assert page.status_code == 200 and b"data-poll-url" in page.content

    assert jobs.import_jobs_drain(worker="test") == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert (job.rows, job.created, job.rejected_rows, job.total_rows) == (3, 1, 2, 3)
    assert job.percent == 100 and job.mapping_version == 1
    assert not (data_dir / "imports" / job.stored_as).exists()  # personal data: deleted
    assert AgencyRecord.objects.filter(agency_record_id="A-1").exists()

    fragment = client.get(f"/importar/{job.pk}/estado/").content.decode()
    assert "&lt;b&gt;negrita&lt;/b&gt;" in fragment and "<b>negrita" not in fragment
    download = client.get(f"/importar/{job.pk}/rechazos.csv")
    text = b"".join(download.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["archivo", "fila", "campo", "motivo"]
    assert {(r[0], r[1], r[2]) for r in table[1:]} == {
        ("registro.csv", "3", "victim.alcaldia"),
        ("registro.csv", "4", "occurred_at"),
    }
    assert AuditEntry.objects.filter(subject_type="import_job", action="export").count() == 1


def test_a_broken_file_fails_whole_and_says_why(staff_client: Callable[..., Client]) -> None:
    client = staff_client("operator")
    content = HEADER.replace("FECHA_ATENCION,", "").encode() + b"\r\n" + b"A-1\r\n"
    job = _upload(client, content, "sin-fecha.csv")
    assert job is not None
    jobs.import_jobs_drain(worker="test")
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error.startswith("sin-fecha.csv, fila 1: faltan columnas obligatorias")
    assert "FECHA_ATENCION" in job.error and AgencyRecord.objects.count() == 0
    assert "sin-fecha.csv" in client.get(f"/importar/{job.pk}/").content.decode()


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("grande.csv", _csv([_row("A-1")] * 40), "grande.csv"),
        ("foto.png", b"\x89PNG\r\n", "foto.png"),
        ("libro.xlsx", b"A,B\r\n1,2\r\n", "libro.xlsx"),
        ("vacio.csv", b"", "vacio.csv"),
    ],
)
def test_uploads_refused_at_once(
    staff_client: Callable[..., Client],
    settings: Any,
    name: str,
    content: bytes,
    problem: str,
) -> None:
    settings.IMPORT_MAX_MB = 0  # every non-empty file is "too large" here...
    if name != "grande.csv":
        settings.IMPORT_MAX_MB = 10  # ...except in the other cases
    client = staff_client("supervisor")
    response = client.post("/importar/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code in {200, 400}
    assert problem in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_who_may_import_and_whose_jobs_she_sees(
    staff_client: Callable[..., Client], make_user: Callable[..., User]
) -> None:
    assert staff_client("caseworker").get("/importar/").status_code == 403
    assert staff_client("analyst", agency=None).get("/importar/").status_code == 403
    c5 = make_user("supervisor", "C5")
    other = ImportJob.objects.create(
        agency=c5.agency, user=c5, file_name="c5.csv", stored_as="x.csv"
    )
    client = staff_client("supervisor")
    assert client.get("/importar/").status_code == 200
    assert client.get(f"/importar/{other.pk}/").status_code == 404
    assert client.get(f"/importar/{other.pk}/rechazos.csv").status_code == 404


class Killed(Exception):
    pass


def test_a_job_whose_worker_died_is_taken_over_after_its_last_row(
    make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user("supervisor")
    rows = [_row(f"R-{i}") for i in range(1200)] + [_row("R-bad", date="99/99/2019")]
    stored = "resume.csv"
    (imports_dir() / stored).write_bytes(_csv(rows))
    job = ImportJob.objects.create(
        agency=user.agency, user=user, file_name="r.csv", stored_as=stored
    )
    claimed = jobs.import_job_claim(worker="dies")
    assert claimed is not None

    calls = {"n": 0}
    original = ImportRejection.objects.bulk_create

    def killed_in_third_batch(objs: Any, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:  # stands for SIGKILL: the third batch never commits
            raise Killed
        return original(objs, *args, **kwargs)

    monkeypatch.setattr(ImportRejection.objects, "bulk_create", killed_in_third_batch)
    with pytest.raises(Killed):
        jobs.import_job_run(claimed, worker="dies")
    monkeypatch.undo()
    job.refresh_from_db()
    assert (job.status, job.last_row, job.created) == (ImportStatus.RUNNING, 1001, 1000)
    assert AgencyRecord.objects.count() == 1000
    assert jobs.import_job_claim(worker="other") is None  # its heartbeat is still fresh
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))

    assert jobs.import_jobs_drain(worker="other") == 1
    job.refresh_from_db()
    assert (job.status, job.worker, job.attempts) == (ImportStatus.DONE, "other", 2)
    assert (job.rows, job.created, job.unchanged, job.rejected_rows) == (1201, 1200, 0, 1)
    assert AgencyRecord.objects.count() == 1200
    assert ImportRejection.objects.filter(job=job).count() == 1


def test_an_oversized_body_is_refused_before_it_is_read(
    staff_client: Callable[..., Client], settings: Any
) -> None:
    settings.IMPORT_MAX_MB = 0
    client = staff_client("supervisor")
    content = _csv([_row("A-1")] * 400)  # > 64 KB
    response = client.post("/importar/", {"file": SimpleUploadedFile("big.csv", content)})
    assert response.status_code == 413
    assert "0 MB" in response.content.decode()
    assert ImportJob.objects.count() == 0
