"""Uploads that lie about their type: told by content, refused with a clear message before a
single row is stored, on the upload page and in the loader (``violeta import``, the worker)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from violeta.agencies.models import Agency
from violeta.intake import jobs
from violeta.intake.files import XLSX_MAX_SHARED_STRINGS, FileProblem
from violeta.intake.loader import import_file
from violeta.intake.models import ImportJob, ImportStatus
from violeta.intake.tests.test_loader import HEADER, _row
from violeta.records.models import AgencyRecord

pytestmark = pytest.mark.django_db
CSV = ("\r\n".join([HEADER, _row("T-1"), _row("T-2")]) + "\r\n").encode()


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return Path(settings.DATA_DIR)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(_row("T-1").split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bomb() -> bytes:
    """A real XLSX whose shared strings unpack to more than the limit (a few hundred KB)."""
    real = zipfile.ZipFile(io.BytesIO(_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in real.infolist():
            if part.filename != "xl/sharedStrings.xml":
                archive.writestr(part.filename, real.read(part.filename))
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(b'<sst xmlns="http://schemas.openxmlformats.org/"><si><t>')
            block = b"A" * (1 << 20)
            for _ in range((XLSX_MAX_SHARED_STRINGS >> 20) + 8):
                strings.write(block)
            strings.write(b"</t></si></sst>")
    return out.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"This program cannot be run in DOS"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n"

LIARS = [
    # name, content, declared type, what the page says (es-MX), what the loader says
    ("foto.csv", _png(), "text/csv", "su contenido es PNG", "es un PNG"),
    ("archivo.csv", _zip({"a.txt": b"hola"}), "text/csv", "es un archivo ZIP, no un libro XLSX",
     "es un archivo ZIP, no un libro XLSX"),
    ("informe.csv", PDF, "text/csv", "su contenido es PDF", "es un PDF"),
    ("programa.csv", ELF, "text/csv", "su contenido es ELF", "es un ELF"),
    ("registro.xlsx", CSV, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "se llama .xlsx pero contiene texto CSV", None),
    ("libro.csv", _xlsx(), "text/csv", "es un libro XLSX con nombre de CSV", None),
    ("enorme.xlsx", _bomb(), "application/vnd.ms-excel", "al abrirse ocuparía", "al abrirse"),
    ("registro.csv", EXE, "application/x-msdownload", "su contenido es EXE", "es un EXE"),
    ("datos.csv", bytes(range(256)) * 4, "text/csv", "su contenido es datos binarios",
     "datos binarios"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "declared", "says", "loader_says"), LIARS, ids=[c[0] for c in LIARS]
)
def test_an_upload_that_lies_about_its_type_is_refused_before_anything_is_stored(
    staff_client: Callable[..., Client],
    data_dir: Path,
    tmp_path: Path,
    name: str,
    content: bytes,
    declared: str,
    says: str,
    loader_says: str | None,
) -> None:
    client = staff_client("supervisor")
    upload = SimpleUploadedFile(name, content, content_type=declared)
    response = client.post("/importar/", {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert name in page and says in page.replace("&#x27;", "'"), page[-3000:]
    assert ImportJob.objects.count() == 0 and AgencyRecord.objects.count() == 0
    assert not list((data_dir / "imports").glob("*")) if (data_dir / "imports").exists() else True

    if loader_says is not None:  # violeta import and the worker read by content too
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(FileProblem) as problem:
            import_file(agency=Agency.objects.get(code="SEMUJERES"), path=path)
        assert str(problem.value).startswith(name) and loader_says in str(problem.value)
        assert AgencyRecord.objects.count() == 0


def test_the_declared_type_is_ignored_for_a_real_csv(
    staff_client: Callable[..., Client],
) -> None:
    """A genuine CSV sent as application/x-msdownload is a CSV: queued and imported."""
    client = staff_client("supervisor")
    upload = SimpleUploadedFile("registro.csv", CSV, content_type="application/x-msdownload")
    response = client.post("/importar/", {"file": upload})
    assert response.status_code == 302
    assert jobs.import_jobs_drain(worker="test") == 1
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE and job.created == 2


def test_a_real_xlsx_is_accepted(staff_client: Callable[..., Client]) -> None:
    client = staff_client("supervisor")
    response = client.post("/importar/", {"file": SimpleUploadedFile("libro.xlsx", _xlsx())})
    assert response.status_code == 302
    assert jobs.import_jobs_drain(worker="test") == 1
    assert ImportJob.objects.get().created == 1
