"""The generator's files: determinism, layout, encodings, record ids and the ground truth."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from violeta.synth import AGENCIES, FORMATS, generate
from violeta.synth.generate import expected_records

FILES = [*(f"{a}.csv" for a in AGENCIES), "truth.csv", "truth_people.csv", "README.txt"]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth")
    generate(path, women=150, seed=11)
    return path


def _rows(path: Path, agency: str) -> list[dict[str, str]]:
    fmt = FORMATS[agency]
    with path.joinpath(f"{agency}.csv").open(encoding=fmt.encoding, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=fmt.delimiter))


def test_same_seed_gives_byte_identical_files(out: Path, tmp_path: Path) -> None:
    generate(tmp_path, women=150, seed=11)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_files_do_not_depend_on_the_process(out: Path, tmp_path: Path) -> None:
    """Another interpreter (fresh name pools, another string-hash seed) writes the same bytes."""
    code = f"from violeta.synth import generate; generate({str(tmp_path)!r}, women=150, seed=11)"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)  # noqa: S603
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_different_seeds_give_different_files(out: Path, tmp_path: Path) -> None:
    generate(tmp_path, women=150, seed=12)
    for name in ("C5.csv", "FGJ.csv", "truth_people.csv"):
        assert (tmp_path / name).read_bytes() != (out / name).read_bytes(), name


def test_summary_counts_match_the_files(tmp_path: Path) -> None:
    summary = generate(tmp_path, women=80, seed=3)
    assert summary.women == 80
    assert set(summary.records) == set(AGENCIES)
    for agency in AGENCIES:
        assert summary.records[agency] == len(_rows(tmp_path, agency))
    assert {p.name for p in summary.files} == set(FILES)
    assert summary.elapsed_seconds > 0
    assert summary.total_records == sum(summary.records.values())
    # expected_records (used by bench_generate) is within a third of the truth.
    assert abs(summary.total_records - expected_records(80)) < expected_records(80) / 3


def test_every_agency_writes_rows(out: Path) -> None:
    for agency in AGENCIES:
        assert len(_rows(out, agency)) > 20, agency


def test_encodings_are_the_agencies_own(out: Path) -> None:
    sedesa = (out / "SEDESA.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        sedesa.decode("utf-8")  # Latin-1 accents are not valid UTF-8
    assert "Ó" in sedesa.decode("latin-1")  # e.g. "VIOLENCIA PSICOLÓGICA"
    assert (out / "LINEA.csv").read_bytes().startswith(b"\xef\xbb\xbfID_LLAMADA")
    for agency in ("C5", "SSC", "FGJ", "SEMUJERES"):
        data = (out / f"{agency}.csv").read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        data.decode("utf-8")
    assert (out / "SSC.csv").read_text("utf-8").splitlines()[0].count(";") > 10


def test_record_ids_are_unique_and_in_each_agency_style(out: Path) -> None:
    patterns = {
        "C5": r"C5-20\d\d-\d{7}",
        "SSC": r"IPH-20\d\d-\d{6}",
        "FGJ": r"(CI|OP|EJ)-20\d\d-\d{6}",
        "SEMUJERES": r"SMU-20\d\d-\d{6}",
        "SEDESA": r"NOM046-20\d\d-\d{6}",
        "LINEA": r"765-20\d\d-\d{7}",
    }
    for agency, pattern in patterns.items():
        ids = [row[FORMATS[agency].header[0]] for row in _rows(out, agency)]
        assert len(ids) == len(set(ids)), agency
        assert all(re.fullmatch(pattern, i) for i in ids), agency


def test_dates_and_times_are_dd_mm_yyyy_and_within_the_period(out: Path) -> None:
    date_column = {
        "C5": "FECHA_LLAMADA",
        "SSC": "FECHA_INTERVENCION",
        "FGJ": "FECHA_INICIO",
        "SEMUJERES": "FECHA_ATENCION",
        "SEDESA": "FECHA_ATENCION",
        "LINEA": "FECHA",
    }
    for agency, column in date_column.items():
        for row in _rows(out, agency):
            day, month, year = row[column].split("/")
            assert len(day) == 2 and len(month) == 2 and 2019 <= int(year) <= 2026
            assert (year, month) <= ("2026", "10")


def test_truth_names_every_record_once_as_victim(out: Path) -> None:
    with (out / "truth.csv").open(encoding="utf-8") as handle:
        truth = list(csv.DictReader(handle))
    assert list(truth[0]) == ["agency", "agency_record_id", "role", "person_id"]
    victims = {(t["agency"], t["agency_record_id"]) for t in truth if t["role"] == "victim"}
    for agency in AGENCIES:
        ids = {row[FORMATS[agency].header[0]] for row in _rows(out, agency)}
        assert {i for a, i in victims if a == agency} == ids
    assert all(re.fullmatch(r"W\d{6}", t["person_id"]) for t in truth if t["role"] == "victim")
    aggressors = [t for t in truth if t["role"] == "aggressor"]
    assert aggressors and all(re.fullmatch(r"A\d{6}", t["person_id"]) for t in aggressors)
    # Only agencies that write the aggressor's name have aggressor rows.
    assert {t["agency"] for t in aggressors} == {"C5", "SSC", "FGJ", "SEMUJERES"}


def test_protection_orders_refer_to_a_complaint_and_last_60_or_90_days(out: Path) -> None:
    rows = _rows(out, "FGJ")
    carpetas = {r["CARPETA"] for r in rows if r["TIPO_REGISTRO"] == "CARPETA DE INVESTIGACIÓN"}
    orders = [r for r in rows if r["TIPO_REGISTRO"] == "ORDEN DE PROTECCIÓN"]
    assert orders
    for order in orders:
        assert order["CARPETA"] in carpetas
        start = dt.datetime.strptime(order["VIGENCIA_INICIO"], "%d/%m/%Y")  # noqa: DTZ007
        end = dt.datetime.strptime(order["VIGENCIA_FIN"], "%d/%m/%Y")  # noqa: DTZ007
        assert (end - start).days in {60, 90}
        assert order["VIGENCIA_INICIO"] == order["FECHA_INICIO"]


def test_catalog_entries_respect_the_date_they_came_into_force(out: Path) -> None:
    for row in _rows(out, "FGJ"):
        day, month, year = row["FECHA_INICIO"].split("/")
        if "VICARIA" in row["TIPO_VIOLENCIA"]:
            assert (year, month, day) >= ("2024", "01", "18")
        if "DIGITAL" in row["MODALIDAD"]:
            assert (year, month, day) >= ("2021", "06", "01")
