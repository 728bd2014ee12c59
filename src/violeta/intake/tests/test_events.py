"""Importing the events early warnings read: stored in ``details``; bad values rejected."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from violeta.agencies.models import Agency
from violeta.intake.loader import import_file
from violeta.intake.mapping import load_mapping
from violeta.records.models import AgencyRecord
from violeta.synth import generate
from violeta.synth.generate import FORMATS

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("events-import")
    generate(path, women=400, seed=8, escalating_share=0.3)
    return path


def _rows(path: Path, agency: str) -> list[dict[str, str]]:
    fmt = FORMATS[agency]
    with path.open(encoding=fmt.encoding, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=fmt.delimiter))


def _write(path: Path, agency: str, rows: list[dict[str, str]]) -> Path:
    fmt = FORMATS[agency]
    with path.open("w", encoding=fmt.encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fmt.header, delimiter=fmt.delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_every_event_of_the_four_agencies_is_stored_in_details(
    catalogs: None, synthetic: Path
) -> None:
    for agency in ("C5", "SSC", "FGJ", "LINEA"):
        report = import_file(
            agency=Agency.objects.get(code=agency), path=synthetic / f"{agency}.csv"
        )
        assert report.rejected == [], report.rejected[:3]
    events = Counter(
        (kind, details.get("event"))
        for kind, details in AgencyRecord.objects.values_list("kind__code", "details")
    )
    fgj = _rows(synthetic / "FGJ.csv", "FGJ")
    expected = Counter(row["TIPO_REGISTRO"] for row in fgj)
    assert events["justice_event", "aggressor_release"] == expected["LIBERACIÓN DEL IMPUTADO"] > 0
    assert events["justice_event", "aggressor_leave"] == expected["PERMISO DE SALIDA DEL IMPUTADO"]
    breaches = expected["DENUNCIA POR INCUMPLIMIENTO DE ORDEN DE PROTECCIÓN"]
    assert events["complaint", "order_breach"] == breaches > 0
    ssc = _rows(synthetic / "SSC.csv", "SSC")
    flagged = sum(row["INCUMPLIMIENTO_ORDEN"] == "SÍ" for row in ssc)
    assert events["police_intervention", "order_breach"] == flagged > 0
    missing = sum(
        r["INCIDENTE"] == "PERSONA DESAPARECIDA" for r in _rows(synthetic / "C5.csv", "C5")
    )
    assert events["emergency_call", "missing_report"] == missing > 0
    assert events["justice_event", "missing_report"] == expected["REPORTE DE PERSONA DESAPARECIDA"]

    order = AgencyRecord.objects.filter(kind__code="protection_order").first()
    assert order is not None
    assert set(order.details) >= {"order_valid_from", "order_valid_until", "order_measures"}
    answered = Counter(
        d["answered"]
        for d in AgencyRecord.objects.filter(kind__code="followup_call").values_list(
            "details", flat=True
        )
    )
    assert answered[True] > 0 and answered[False] > 0


def test_bad_event_values_are_rejected_with_row_field_and_reason(
    catalogs: None, synthetic: Path, tmp_path: Path
) -> None:
    ssc = _rows(synthetic / "SSC.csv", "SSC")[:3]
    ssc[1]["INCUMPLIMIENTO_ORDEN"] = "TAL VEZ"
    report = import_file(
        agency=Agency.objects.get(code="SSC"), path=_write(tmp_path / "SSC.csv", "SSC", ssc)
    )
    assert report.created == 2
    [error] = report.rejected
    assert (error.row, error.field) == (3, "details.event")
    assert "TAL VEZ" in error.message

    fgj = _rows(synthetic / "FGJ.csv", "FGJ")
    order = next(r for r in fgj if r["TIPO_REGISTRO"] == "ORDEN DE PROTECCIÓN")
    notice = next(r for r in fgj if r["TIPO_REGISTRO"] == "LIBERACIÓN DEL IMPUTADO")
    rows = [
        {**notice, "TIPO_REGISTRO": "LIBERACIÓN ANTICIPADA"},
        {**order, "MEDIDAS": "PROHIBICIÓN DE ACERCARSE; PULSERA"},
        {**order, "VIGENCIA_FIN": "31/13/2024"},
        {**order, "VIGENCIA_INICIO": "01/01/2024", "VIGENCIA_FIN": "01/07/2024"},
    ]
    report = import_file(
        agency=Agency.objects.get(code="FGJ"), path=_write(tmp_path / "FGJ.csv", "FGJ", rows)
    )
    assert report.created == 0
    fields = {(e.row, e.field) for e in report.rejected}
    assert {(2, "kind"), (2, "details.event")} <= fields
    assert (3, "details.order_measures") in fields
    assert (4, "details.order_valid_until") in fields
    assert (5, "details.order_valid_until") in fields  # 182 days: more than 60 + 30
    assert not AgencyRecord.objects.filter(agency__code="FGJ").exists()

    linea = _rows(synthetic / "LINEA.csv", "LINEA")[:1]
    linea[0]["CONTESTADA"] = "Quizá"
    report = import_file(
        agency=Agency.objects.get(code="LINEA"), path=_write(tmp_path / "LINEA.csv", "LINEA", linea)
    )
    assert [(e.row, e.field) for e in report.rejected] == [(2, "details.answered")]


def test_an_older_ssc_export_without_the_breach_column_still_imports(
    catalogs: None, synthetic: Path, tmp_path: Path
) -> None:
    rows = _rows(synthetic / "SSC.csv", "SSC")[:2]
    fmt = FORMATS["SSC"]
    header = [c for c in fmt.header if c != "INCUMPLIMIENTO_ORDEN"]
    path = tmp_path / "SSC.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, delimiter=";", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    assert "details.event" in load_mapping("SSC")["fields"]
    report = import_file(agency=Agency.objects.get(code="SSC"), path=path)
    assert report.created == 2 and report.rejected == []
    assert all("event" not in d for d in AgencyRecord.objects.values_list("details", flat=True))
