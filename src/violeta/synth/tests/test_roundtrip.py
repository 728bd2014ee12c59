"""Every generated file reads back through its shipped mapping, without a single error."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from violeta.intake.mapping import load_mapping, read_rows, translate_row
from violeta.synth import AGENCIES, generate
from violeta.synth.tests import canonical_records

CATALOGS = Path(__file__).parents[2] / "catalogs" / "data" / "catalogs.json"
AGENCY_KINDS = Path(__file__).parents[2] / "agencies" / "data" / "agencies.json"
DETAILS = {
    "emergency_call": {"units_sent", "caller", "event"},
    "police_intervention": {"arrest", "referred_to", "event"},
    "complaint": {"carpeta", "crime", "facts_date", "event"},
    "justice_event": {"carpeta", "event"},
    "protection_order": {"carpeta", "order_type", "order_measures", "order_valid_from",
                         "order_valid_until"},
    "service_session": {"service_type"},
    "medical_attention": {"mp_notified"},
    "followup_call": {"answered", "call_type"},
}  # fmt: skip


@pytest.fixture(scope="module", params=["default", "hard"])
def out(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp(f"roundtrip-{request.param}")
    generate(path, women=300, seed=9, corruption=request.param)
    return path


def test_every_row_translates_and_matches_the_truth(out: Path) -> None:
    with (out / "truth.csv").open(encoding="utf-8") as handle:
        truth = list(csv.DictReader(handle))
    victims = Counter(t["agency"] for t in truth if t["role"] == "victim")
    named = {(t["agency"], t["agency_record_id"]) for t in truth if t["role"] == "aggressor"}
    for agency in AGENCIES:
        mapping = load_mapping(agency)
        rows = 0
        for number, row in read_rows(out / f"{agency}.csv", mapping):
            record, errors = translate_row(mapping, row, number)
            assert errors == [], (agency, number, errors)
            assert record is not None
            rows += 1
            aggressor = record["aggressor"] or {}
            has_name = bool(aggressor.get("given_names") or aggressor.get("first_surname"))
            assert has_name == ((agency, record["agency_record_id"]) in named)
        assert rows == victims[agency] > 0


def test_canonical_values_are_catalog_codes(out: Path) -> None:
    catalogs = json.loads(CATALOGS.read_text(encoding="utf-8"))
    types = {t["code"] for t in catalogs["violence_types"]}
    modalities = {m["code"] for m in catalogs["modalities"]}
    alcaldias = {a["inegi_code"] for a in catalogs["alcaldias"]} | {""}
    kinds = {a["code"]: set(a["record_kinds"]) for a in json.loads(AGENCY_KINDS.read_text())}
    relationships = {"pareja", "expareja", "novio", "familiar", "conocido", "companero",
                     "desconocido", "otro", ""}  # fmt: skip
    for _, record in canonical_records(out):
        assert record["kind"] in kinds[record["agency"]]
        assert set(record["violence_types"]) <= types
        assert set(record["modalities"]) <= modalities
        assert set(record["weapons"]) <= {"arma_fuego", "arma_blanca", "objeto", "otra"}
        assert record["risk_level"] in {"", "no_apreciado", "bajo", "medio", "alto", "extremo"}
        assert record["relationship"] in relationships
        assert record["alcaldia"] in alcaldias
        assert record["victim"]["alcaldia"] in alcaldias
        assert record["victim"]["sex"] == "M"
        assert set(record["details"]) <= DETAILS[record["kind"]]
        when = dt.datetime.fromisoformat(record["occurred_at"])
        assert dt.datetime(2019, 1, 1) <= when <= dt.datetime(2026, 10, 31, 23, 59)  # noqa: DTZ001
        if record["victim"]["birth_date"]:
            assert dt.date.fromisoformat(record["victim"]["birth_date"]) < when.date()
        assert (
            record["victim"]["given_names"] or record["victim"]["curp"] or record["victim"]["phone"]
        )
    service = [r for _, r in canonical_records(out) if r["kind"] == "service_session"]
    assert {r["details"]["service_type"] for r in service} == {"psicologica", "juridica", "social"}
    calls = [r["details"]["answered"] for _, r in canonical_records(out) if r["agency"] == "LINEA"]
    assert True in calls and False in calls
