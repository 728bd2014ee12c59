"""The one import path: rejected rows reported, good rows stored, re-import changes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from violeta.agencies.models import Agency
from violeta.intake.loader import import_file, write_rejections
from violeta.people.models import Person
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.records.tests.factories import VALID_CURP

pytestmark = pytest.mark.django_db

HEADER = (
    "ID_ATENCION,FOLIO_CRU,FECHA_ATENCION,HORA_ATENCION,UNIDAD_ATENCION,TIPO_ATENCION,"
    "TIPOS_VIOLENCIA,MODALIDADES,USO_ARMAS,NIVEL_RIESGO,NOMBRE,PRIMER_APELLIDO,SEGUNDO_APELLIDO,"
    "FECHA_NACIMIENTO,EDAD,CURP,TELEFONO,DOMICILIO,COLONIA,ALCALDIA,NOMBRE_AGRESOR,"
    "PRIMER_APELLIDO_AGRESOR,SEGUNDO_APELLIDO_AGRESOR,EDAD_AGRESOR,SEXO_AGRESOR,VINCULO,"
    "OBSERVACIONES"
)


def _row(record_id: str, *, date: str = "11/01/2019", curp: str = "", birth: str = "") -> str:
    return (
        f"{record_id},CRU-1,{date},17:09,LUNA Miguel Hidalgo,Psicológica,Psicológica,Familiar,"
        f"No,Bajo,Josefina,Cordero,García,{birth},29,{curp},56-7964-8633,Retorno Sonora 127,"
        "Anáhuac,Miguel Hidalgo,Jesús,Medina,,31,Hombre,Pareja,Sesión de atención."
    )


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_bad_rows_are_reported_and_good_rows_stored(catalogs: None, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "SEMUJERES.csv",
        [_row("A-1"), _row("A-2", date="31/02/2019"), _row("A-3", birth="01/01/2999")],
    )
    report = import_file(agency=Agency.objects.get(code="SEMUJERES"), path=path)

    assert (report.rows, report.created, report.rejected_rows) == (3, 1, 2)
    assert AgencyRecord.objects.get().agency_record_id == "A-1"
    by_row = {(e.row, e.field) for e in report.rejected}
    assert (3, "occurred_at") in by_row  # line 3 of the file (the header is line 1)
    assert (4, "victim.birth_date") in by_row
    out = tmp_path / "rechazos.csv"
    write_rejections(report, out)
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["fila", "campo", "motivo"] and len(rows) == 3
    assert "Josefina" not in out.read_text(encoding="utf-8")  # no values from the row


def test_importing_the_same_file_twice_creates_nothing_twice(
    catalogs: None, tmp_path: Path
) -> None:
    rows = [_row("A-1", birth="03/05/1990"), _row("A-2", birth="03/05/1990")]
    path = _write(tmp_path / "SEMUJERES.csv", rows)
    agency = Agency.objects.get(code="SEMUJERES")
    import_file(agency=agency, path=path)
    again = import_file(agency=agency, path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AgencyRecord.objects.count() == 2
    # One woman (same name and date of birth); the aggressor, without a date of birth, is not
    # merged by the exact rule: two aggressor persons until probabilistic linkage.
    assert Person.objects.filter(kind="woman").count() == 1
    assert Person.objects.filter(kind="aggressor").count() == 2


def test_mistyped_curp_is_kept_as_a_warning_and_links_nobody(
    catalogs: None, tmp_path: Path
) -> None:
    typo = VALID_CURP[:-1] + "1"
    path = _write(tmp_path / "SEMUJERES.csv", [_row("A-1", curp=typo)])
    report = import_file(agency=Agency.objects.get(code="SEMUJERES"), path=path)
    assert report.created == 1 and report.rejected == []
    assert [(w.row, w.field) for w in report.warnings] == [(2, "victim.curp")]
    identity = ReportedIdentity.objects.get(role="victim")
    assert identity.curp == typo and identity.curp_bidx == ""


def test_a_repeated_id_in_one_file_is_one_record_updated(catalogs: None, tmp_path: Path) -> None:
    rows = [_row("A-1", birth="03/05/1990"), _row("A-1", birth="03/05/1990", date="12/01/2019")]
    path = _write(tmp_path / "SEMUJERES.csv", rows)
    report = import_file(agency=Agency.objects.get(code="SEMUJERES"), path=path)
    assert (report.created, report.updated) == (1, 1)
    record = AgencyRecord.objects.get()
    assert record.version == 2 and record.occurred_at.day == 12


def test_bulk_path_links_by_curp_and_fills_what_the_file_lacked(
    catalogs: None, tmp_path: Path
) -> None:
    # Row 1 has no CURP; row 2 (same name and birth date) brings it; row 3 has only the CURP
    # with another name spelling: all three are one woman, as in the row-by-row path.
    rows = [
        _row("A-1", birth="15/02/1990"),
        _row("A-2", birth="15/02/1990", curp=VALID_CURP),
        _row("A-3", curp=VALID_CURP).replace("Josefina,Cordero", "Josefina,Corderos"),
    ]
    path = _write(tmp_path / "SEMUJERES.csv", rows)
    import_file(agency=Agency.objects.get(code="SEMUJERES"), path=path)
    women = Person.objects.filter(kind="woman")
    assert women.count() == 1
    assert women.get().curp == VALID_CURP
    methods = sorted(
        ReportedIdentity.objects.filter(role="victim").values_list("link_method", flat=True)
    )
    assert methods == ["curp", "exact", "single"]
