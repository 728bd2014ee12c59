"""Translating agency rows with a mapping: dates, code lists, names, encodings, errors."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from violeta.intake.mapping import (
    MappingError,
    load_mapping,
    normalize_label,
    read_rows,
    split_full_name,
    translate_row,
    validate_mapping,
)

AGENCIES = ("C5", "SSC", "FGJ", "SEMUJERES", "SEDESA", "LINEA")


def _c5_row(**changes: str) -> dict[str, str]:
    row = {
        "FOLIO": "C5-2023-0001234", "FECHA_LLAMADA": "04/05/2023", "HORA_LLAMADA": "21:30",
        "ALCALDIA": "IZTAPALAPA", "COLONIA": "SANTA CRUZ MEYEHUALCO",
        "INCIDENTE": "VIOLENCIA FAMILIAR", "TIPO_VIOLENCIA": "FISICA/PSICOLOGICA",
        "ARMA": "NINGUNA", "NOMBRE_VICTIMA": "GUADALUPE HERNANDEZ LOPEZ", "EDAD_VICTIMA": "33",
        "SEXO_VICTIMA": "MUJER", "TELEFONO_VICTIMA": "5512345678",
        "DIRECCION_VICTIMA": "CALLE PINO 12", "QUIEN_REPORTA": "VICTIMA",
        "NOMBRE_AGRESOR": "", "RELACION_AGRESOR": "ESPOSO", "UNIDADES_ENVIADAS": "2",
        "DESCRIPCION": "REPORTA AGRESION FISICA",
    }  # fmt: skip
    row.update(changes)
    return row


def test_shipped_mappings_are_valid() -> None:
    for agency in AGENCIES:
        mapping = load_mapping(agency)
        assert mapping["agency"] == agency
        assert validate_mapping(mapping) == []
    with pytest.raises(MappingError):
        load_mapping("NOPE")


def test_a_good_row_becomes_a_canonical_record() -> None:
    record, errors = translate_row(load_mapping("C5"), _c5_row(), 2)
    assert errors == []
    assert record is not None
    assert record["agency"] == "C5"
    assert record["kind"] == "emergency_call"
    assert record["occurred_at"] == "2023-05-04T21:30:00"
    assert record["alcaldia"] == "09007"
    assert record["violence_types"] == ["fisica", "psicologica"]
    assert record["modalities"] == ["familiar"]
    assert record["weapons"] == []
    assert record["relationship"] == "pareja"
    assert record["details"] == {"units_sent": 2, "caller": "victima"}
    victim = record["victim"]
    assert (victim["given_names"], victim["first_surname"], victim["second_surname"]) == (
        "GUADALUPE", "HERNANDEZ", "LOPEZ",
    )  # fmt: skip
    assert victim["age"] == 33 and victim["birth_date"] == "" and victim["sex"] == "M"
    assert victim["phone"] == "5512345678"
    assert record["aggressor"] is None  # C5 did not learn his name


def test_bad_date_is_an_error_naming_the_field() -> None:
    record, errors = translate_row(load_mapping("C5"), _c5_row(FECHA_LLAMADA="31/02/2023"), 7)
    assert record is None
    assert len(errors) == 1
    assert errors[0].row == 7
    assert errors[0].field == "occurred_at"
    assert "«31/02/2023 21:30»" in errors[0].message
    assert "dd/mm/aaaa HH:MM" in errors[0].message
    row = {**_fgj_complaint(), "VICTIMA_FECHA_NACIMIENTO": "1990-02-15"}
    record, errors = translate_row(load_mapping("FGJ"), row, 3)
    assert [(e.field, e.message) for e in errors] == [
        ("victim.birth_date", "fecha inválida: «1990-02-15» (se espera dd/mm/aaaa)")
    ]


def test_unknown_labels_are_errors_known_ones_match_without_case_or_accents() -> None:
    mapping = load_mapping("C5")
    record, errors = translate_row(mapping, _c5_row(ALCALDIA="IZTAPALPA"), 4)
    assert record is None
    assert [e.field for e in errors] == ["alcaldia"]
    assert "«IZTAPALPA»" in errors[0].message
    _, errors = translate_row(mapping, _c5_row(TIPO_VIOLENCIA="FISICA/TELEPATICA"), 5)
    assert [e.field for e in errors] == ["violence_types"]
    for label in ("Iztapalapa", " iztapalapa ", "IZTAPALAPA"):
        record, errors = translate_row(mapping, _c5_row(ALCALDIA=label), 6)
        assert record is not None and record["alcaldia"] == "09007"
    record, _ = translate_row(mapping, _c5_row(ALCALDIA="Álvaro  Obregón"), 6)
    assert record is not None and record["alcaldia"] == "09010"
    assert normalize_label("  Álvaro  Obregón ") == "ALVARO OBREGON"


def test_several_errors_in_one_row_are_all_reported() -> None:
    row = _c5_row(EDAD_VICTIMA="treinta", UNIDADES_ENVIADAS="-1", HORA_LLAMADA="")
    record, errors = translate_row(load_mapping("C5"), row, 9)
    assert record is None
    assert {e.field for e in errors} == {"victim.age", "details.units_sent", "occurred_at"}


def test_missing_column_and_required_value() -> None:
    row = _c5_row()
    del row["ALCALDIA"]
    _, errors = translate_row(load_mapping("C5"), row, 2)
    assert [(e.field, e.message) for e in errors] == [
        ("alcaldia", "falta la columna «ALCALDIA» en el archivo")
    ]
    _, errors = translate_row(load_mapping("C5"), _c5_row(FOLIO=""), 2)
    assert [e.field for e in errors] == ["agency_record_id"]


def _fgj_complaint() -> dict[str, str]:
    row = dict.fromkeys(_columns(load_mapping("FGJ")), "")
    row.update({
        "ID_REGISTRO": "CI-2024-000010", "TIPO_REGISTRO": "Carpeta de investigación",
        "CARPETA": "CI-FIDVF/007/UI-1 C/D/00010/03-2024", "FECHA_INICIO": "05/03/2024",
        "HORA_INICIO": "10:15", "FECHA_HECHOS": "04/03/2024", "DELITO": "VIOLENCIA FAMILIAR",
        "ALCALDIA_HECHOS": "09007", "TIPO_VIOLENCIA": "PSICOLÓGICA; VICARIA",
        "MODALIDAD": "FAMILIAR", "ARMA": "SIN ARMA", "NIVEL_RIESGO": "MEDIO",
        "VICTIMA_NOMBRE": "MARÍA DEL CARMEN", "VICTIMA_PRIMER_APELLIDO": "DE LA CRUZ",
        "VICTIMA_FECHA_NACIMIENTO": "15/02/1990", "VICTIMA_SEXO": "FEMENINO",
        "VICTIMA_CURP": "CULC900215MDFRPR01", "VICTIMA_ALCALDIA": "15058",
        "IMPUTADO_NOMBRE": "JOSÉ LUIS", "IMPUTADO_SEXO": "MASCULINO",
        "RELACION_VICTIMA_IMPUTADO": "CONCUBINO(A)",
    })  # fmt: skip
    return row


def test_kind_from_a_column_and_fields_that_apply_to_one_kind() -> None:
    mapping = load_mapping("FGJ")
    record, errors = translate_row(mapping, _fgj_complaint(), 2)
    assert errors == [] and record is not None
    assert record["kind"] == "complaint"
    assert record["details"] == {
        "carpeta": "CI-FIDVF/007/UI-1 C/D/00010/03-2024", "crime": "violencia_familiar",
        "facts_date": "2024-03-04",
    }  # fmt: skip
    assert record["violence_types"] == ["psicologica", "vicaria"]
    assert record["victim"]["birth_date"] == "1990-02-15"
    assert record["victim"]["alcaldia"] == ""  # Nezahualcóyotl: outside Mexico City
    assert record["aggressor"]["given_names"] == "JOSÉ LUIS"
    assert record["aggressor"]["sex"] == "H"
    order = {**_fgj_complaint(), "ID_REGISTRO": "OP-2024-000003",
             "TIPO_REGISTRO": "ORDEN DE PROTECCIÓN", "DELITO": "", "TIPO_ORDEN": "JUDICIAL",
             "MEDIDAS": "PROHIBICIÓN DE ACERCARSE; RONDINES POLICIALES",
             "VIGENCIA_INICIO": "05/03/2024", "VIGENCIA_FIN": "04/05/2024"}  # fmt: skip
    record, errors = translate_row(mapping, order, 3)
    assert errors == [] and record is not None
    assert record["kind"] == "protection_order"
    assert record["details"]["order_type"] == "judicial"
    assert record["details"]["order_measures"] == ["no_acercarse", "vigilancia_policial"]
    assert record["details"]["order_valid_until"] == "2024-05-04"
    assert "crime" not in record["details"]
    _, errors = translate_row(mapping, {**order, "VIGENCIA_FIN": ""}, 4)
    assert [e.field for e in errors] == ["details.order_valid_until"]


def test_full_name_split_minds_particles_and_given_name_phrases() -> None:
    assert split_full_name("GUADALUPE HERNANDEZ LOPEZ") == ("GUADALUPE", "HERNANDEZ", "LOPEZ")
    assert split_full_name("MARIA DE LOS ANGELES DE LA CRUZ DEL RIO") == (
        "MARIA DE LOS ANGELES", "DE LA CRUZ", "DEL RIO",
    )  # fmt: skip
    assert split_full_name("Ana María de la Cruz Núñez") == ("Ana María", "de la Cruz", "Núñez")
    assert split_full_name("MARIA DEL CARMEN LOPEZ") == ("MARIA DEL CARMEN", "LOPEZ", "")
    assert split_full_name("MARIA DEL CARMEN LOPEZ PEREZ") == ("MARIA DEL CARMEN", "LOPEZ", "PEREZ")
    assert split_full_name("JOSE LUIS  PEREZ") == ("JOSE", "LUIS", "PEREZ")  # ambiguous: as written
    assert split_full_name("LUPITA HERNANDEZ") == ("LUPITA", "HERNANDEZ", "")
    assert split_full_name("GUADALUPE") == ("GUADALUPE", "", "")
    assert split_full_name("") == ("", "", "")
    assert split_full_name("HERNANDEZ LOPEZ, MARIA GUADALUPE", order="surnames_first") == (
        "MARIA GUADALUPE", "HERNANDEZ", "LOPEZ",
    )  # fmt: skip
    assert split_full_name("DE LA CRUZ LOPEZ ANA", order="surnames_first") == (
        "ANA", "DE LA CRUZ", "LOPEZ",
    )  # fmt: skip


def _columns(mapping: dict[str, Any]) -> list[str]:
    specs = mapping["fields"].values()
    return [c for s in specs for c in (s.get("column"), s.get("time_column")) if c]


def _write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_latin1_file_is_read_with_its_accents(tmp_path: Path) -> None:
    mapping = load_mapping("SEDESA")
    header = ",".join(_columns(mapping))
    values = {
        "FOLIO": "NOM046-2024-000001", "FECHA_ATENCION": "10/06/2024", "HORA_ATENCION": "08:05",
        "ALCALDIA_OCURRENCIA": "ÁLVARO OBREGÓN", "TIPO_VIOLENCIA": "VIOLENCIA FÍSICA",
        "AGENTE_LESION": "PARTES DEL CUERPO", "RELACION_AGRESOR": "CÓNYUGE/PAREJA/NOVIO",
        "NOMBRE": "MARÍA", "PRIMER_APELLIDO": "PEÑA", "SEXO": "F", "SEXO_AGRESOR": "M",
        "MUNICIPIO_RESIDENCIA": "NEZAHUALCÓYOTL", "AVISO_MP": "SI",
    }  # fmt: skip
    row = ",".join(values.get(column, "") for column in header.split(","))
    path = _write(tmp_path / "SEDESA.csv", f"{header}\r\n{row}\r\n", "latin-1")
    [(number, cells)] = list(read_rows(path, mapping))
    assert number == 2
    record, errors = translate_row(mapping, cells, number)
    assert errors == [] and record is not None
    assert record["victim"]["first_surname"] == "PEÑA"
    assert record["victim"]["given_names"] == "MARÍA"
    assert record["alcaldia"] == "09010"
    assert record["relationship"] == "pareja"
    # NOM-046 writes F (femenino) and M (masculino): M means a man here.
    assert record["victim"]["sex"] == "M" and record["aggressor"]["sex"] == "H"
    # The encoding is detected: a mapping that says UTF-8 still reads a Latin-1 export.
    [(_, again)] = list(read_rows(path, {**mapping, "encoding": "utf-8"}))
    assert again == cells


def test_bom_is_handled_and_row_numbers_count_lines(tmp_path: Path) -> None:
    mapping = load_mapping("LINEA")
    header = (
        "ID_LLAMADA,FECHA,HORA,TIPO_LLAMADA,CONTESTADA,NOMBRE_USUARIA,TELEFONO,CURP,EDAD,"
        "ALCALDIA,RIESGO,VIOLENCIA_REPORTADA,COMENTARIOS"
    )
    rows = [
        "765-2024-0000001,01/02/2024,09:10,Seguimiento,Sí,Lupita Hernández,55 12 34 56 78,,33,"
        'Alcaldía Iztapalapa,Riesgo alto,"psicológica, física","Refiere\nnuevas amenazas"',
        "",
        "765-2024-0000002,01/02/2024,09:40,Seguimiento,No,María del Carmen López,"
        "55 12 34 56 79,,,Municipio Nezahualcóyotl,,,No contestó.",
    ]
    path = _write(tmp_path / "LINEA.csv", "\r\n".join([header, *rows]) + "\r\n", "utf-8-sig")
    read = list(read_rows(path, mapping))
    assert [number for number, _ in read] == [2, 5]  # the first row spans lines 2 and 3
    first, errors = translate_row(mapping, read[0][1], read[0][0])
    assert errors == [] and first is not None
    assert first["agency_record_id"] == "765-2024-0000001"  # the BOM is not in the header
    assert first["victim"]["given_names"] == "Lupita"
    assert first["victim"]["phone"] == "5512345678"
    assert first["violence_types"] == ["psicologica", "fisica"]
    assert first["risk_level"] == "alto"
    assert first["details"] == {"answered": True, "call_type": "seguimiento"}
    second, errors = translate_row(mapping, read[1][1], read[1][0])
    assert errors == [] and second is not None
    assert second["details"]["answered"] is False
    assert second["victim"]["alcaldia"] == "" and second["victim"]["age"] is None
    assert second["victim"]["given_names"] == "María del Carmen"


def test_a_new_agency_needs_only_a_mapping(tmp_path: Path) -> None:
    """An administrator's mapping for a file Violeta has never seen: semicolons, surnames
    first, yes/no in its own words, an inline code list, a constant, a default value."""
    mapping: dict[str, Any] = {
        "agency": "DIF",
        "encoding": "utf-8",
        "delimiter": ";",
        "empty_values": ["SIN DATO"],
        "fields": {
            "agency_record_id": {"column": "Expediente", "required": True},
            "kind": {"type": "constant", "value": "service_session"},
            "occurred_at": {"column": "Fecha", "type": "datetime",
                            "formats": ["%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]},
            "alcaldia": {"column": "Alcaldía", "type": "code",
                         "codes": {"Coyoacán": "09003", "Tlalpan": "09012"}},
            "details.service_type": {"column": "Servicio", "type": "code",
                                     "codes": {"psico": "psicologica"}, "default": "psico"},
            "details.accompanied": {"column": "Acompañada", "type": "bool",
                                    "true": ["x"], "false": ["-"]},
            "victim.full_name": {"column": "Nombre", "type": "full_name",
                                 "order": "surnames_first"},
            "victim.curp": {"column": "CURP", "type": "curp"},
        },
    }  # fmt: skip
    assert validate_mapping(mapping) == []
    path = _write(
        tmp_path / "dif.csv",
        "Expediente;Fecha;Alcaldía;Servicio;Acompañada;Nombre;CURP\n"
        "D-1;2025-01-31 17:45;tlalpan;;x;LÓPEZ PÉREZ, ANA;helg-900215-mdfrpd07\n"
        "D-2;31/01/2025 18:00;SIN DATO;psico;?;RÍOS, ITZEL;\n",
        "utf-8",
    )
    (n1, r1), (n2, r2) = read_rows(path, mapping)
    record, errors = translate_row(mapping, r1, n1)
    assert errors == [] and record is not None
    assert record["occurred_at"] == "2025-01-31T17:45:00"
    assert record["alcaldia"] == "09012"
    assert record["details"] == {"service_type": "psicologica", "accompanied": True}
    assert record["victim"]["given_names"] == "ANA"
    assert record["victim"]["second_surname"] == "PÉREZ"
    assert record["victim"]["curp"] == "HELG900215MDFRPD07"
    record, errors = translate_row(mapping, r2, n2)
    assert record is None
    assert [(e.row, e.field) for e in errors] == [(3, "details.accompanied")]


def test_broken_mappings_are_reported() -> None:
    good = load_mapping("C5")
    broken = copy.deepcopy(good)
    broken["fields"]["alcaldia"]["type"] = "guess"
    assert "tipo desconocido" in validate_mapping(broken)[0]
    broken = copy.deepcopy(good)
    broken["fields"]["alcaldia"]["codes"] = "no_such_list"
    assert "no_such_list" in validate_mapping(broken)[0]
    broken = copy.deepcopy(good)
    broken["fields"]["victim.shoe_size"] = {"column": "TALLA"}
    assert "victim.shoe_size" in validate_mapping(broken)[0]
    broken = copy.deepcopy(good)
    del broken["fields"]["occurred_at"]
    assert "occurred_at" in validate_mapping(broken)[0]
    with pytest.raises(MappingError):
        translate_row(broken, _c5_row(), 2)
