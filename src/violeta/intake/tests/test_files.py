"""Files as agencies export them: encodings, XLSX, delimiters; whole-file problems."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from violeta.agencies.models import Agency
from violeta.intake.files import FileProblem, detect_encoding
from violeta.intake.loader import import_file
from violeta.intake.tests.test_loader import HEADER, _row
from violeta.records.models import AgencyRecord

pytestmark = pytest.mark.django_db


def _file(path: Path, rows: list[str], encoding: str = "utf-8", header: str = HEADER) -> Path:
    path.write_bytes("\r\n".join([header, *rows]).encode(encoding) + b"\r\n")
    return path


def _semujeres() -> Agency:
    return Agency.objects.get(code="SEMUJERES")


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("latin-1", "cp1252"), ("cp1252", "cp1252")],
)
def test_each_encoding_is_detected_and_read_with_its_accents(
    catalogs: None, tmp_path: Path, encoding: str, detected: str
) -> None:
    path = _file(tmp_path / "SEMUJERES.csv", [_row("Ñ-1", birth="03/05/1990")], encoding)
    assert detect_encoding(path) == detected
    report = import_file(agency=_semujeres(), path=path)
    assert (report.created, report.rejected_rows) == (1, 0)
    record = AgencyRecord.objects.get()
    assert record.agency_record_id == "Ñ-1"  # the BOM is not part of the first column
    identity = record.parties.get(role="victim")
    assert identity.second_surname == "García"


def test_latin1_bytes_cp1252_does_not_define_fall_back_to_latin1(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("A,B\r\nPEÑA,".encode("latin-1") + b"\x81\r\n")
    assert detect_encoding(path) == "latin-1"


def test_xlsx_streams_with_date_cells_and_date_text(catalogs: None, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    first: list[object] = list(_row("X-1", birth="03/05/1990").split(","))
    second = _row("X-2").split(",")
    first[2] = dt.datetime(2019, 1, 11)  # noqa: DTZ001 - a date cell, as Excel stores it
    first[3] = dt.time(17, 9)
    first[14] = 29  # a number cell (EDAD)
    sheet.append(first)
    sheet.append(second)  # dates as dd/mm/yyyy text
    sheet.append(_row("X-3", date="32/01/2019").split(","))
    path = tmp_path / "semujeres.xlsx"
    book.save(path)
    report = import_file(agency=_semujeres(), path=path)
    assert (report.rows, report.created, report.rejected_rows) == (3, 2, 1)
    assert [(e.row, e.field) for e in report.rejected] == [(4, "occurred_at")]
    record = AgencyRecord.objects.get(agency_record_id="X-1")
    assert record.occurred_at.date() == dt.date(2019, 1, 11)
    assert record.parties.get(role="victim").age == 29


def test_a_semicolon_file_is_read_when_the_mapping_says_comma(
    catalogs: None, tmp_path: Path
) -> None:
    # The cells hold no ';' of their own, so the same file with ';' is unambiguous.
    rows = [_row("S-1").replace(",", ";")]
    path = _file(tmp_path / "SEMUJERES.csv", rows, header=HEADER.replace(",", ";"))
    assert import_file(agency=_semujeres(), path=path).created == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "SEMUJERES.csv: el archivo está vacío"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "libro de Excel antiguo (.xls)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "no es un archivo CSV ni XLSX"),
        (b"PK\x03\x04 not really a zip", "no es un XLSX válido"),
        (HEADER.replace(",", " ").encode() + b"\nA 1\n", "una sola columna"),
        (
            HEADER.replace("FECHA_ATENCION,", "").encode() + b"\nA\n",
            "faltan columnas obligatorias: «FECHA_ATENCION» (occurred_at)",
        ),
        (HEADER.encode() + b'\nA-1,"never closed\n' + b"x" * 200_000, "CSV mal formado"),
    ],
)
def test_a_broken_file_is_refused_whole_naming_file_and_reason(
    catalogs: None, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "SEMUJERES.csv"
    path.write_bytes(content)
    with pytest.raises(FileProblem) as problem:
        import_file(agency=_semujeres(), path=path)
    assert message in str(problem.value)
    assert str(problem.value).startswith("SEMUJERES.csv")
    assert AgencyRecord.objects.count() == 0


def test_good_rows_before_a_broken_quote_are_not_stored(catalogs: None, tmp_path: Path) -> None:
    rows = [_row(f"G-{i}") for i in range(600)] + ['G-X,"never closed', "x" * 200_000]
    path = _file(tmp_path / "SEMUJERES.csv", rows)
    with pytest.raises(FileProblem, match=r"fila 60\d"):
        import_file(agency=_semujeres(), path=path)
    assert AgencyRecord.objects.count() == 0  # checked before the first batch


def test_a_row_with_too_many_cells_is_rejected_not_misread(catalogs: None, tmp_path: Path) -> None:
    path = _file(tmp_path / "SEMUJERES.csv", [_row("A-1") + ",de más", _row("A-2")])
    report = import_file(agency=_semujeres(), path=path)
    assert report.created == 1
    [error] = report.rejected
    assert (error.row, error.field) == (2, "fila") and "28 celdas" in error.message


def test_future_dates_and_html_or_sql_text(catalogs: None, tmp_path: Path) -> None:
    later = (dt.datetime.now(tz=dt.UTC).date() + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    hostile = "<script>alert(1)</script> Robert'); DROP TABLE records_agencyrecord;--"
    rows = [_row("F-1", date=later), _row("H-1").replace("Sesión de atención.", f'"{hostile}"')]
    report = import_file(agency=_semujeres(), path=_file(tmp_path / "SEMUJERES.csv", rows))
    assert [(e.row, e.field) for e in report.rejected] == [(2, "occurred_at")]
    assert AgencyRecord.objects.get(agency_record_id="H-1").narrative == hostile  # as text


def test_an_unclosed_quote_is_caught_whatever_the_csv_modules_limit(
    catalogs: None, tmp_path: Path
) -> None:
    """The csv module's field limit is process-wide and other libraries raise it (frictionless
    does, when the exports are validated): the check must not depend on it."""
    import csv
    import sys

    previous = csv.field_size_limit(sys.maxsize)
    try:
        path = tmp_path / "SEMUJERES.csv"
        path.write_bytes(HEADER.encode() + b'\nA-1,"never closed\n' + b"x" * 200_000)
        with pytest.raises(FileProblem, match="comilla sin cerrar"):
            import_file(agency=_semujeres(), path=path)
    finally:
        csv.field_size_limit(previous)
    assert AgencyRecord.objects.count() == 0
