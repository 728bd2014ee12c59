"""Tests of the synthetic data generator (no database)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from violeta.intake.mapping import load_mapping, normalize_label, read_rows, translate_row
from violeta.synth import AGENCIES


def canonical_records(out: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every row of the six files through its shipped mapping, with the true woman's id.
    Fails on the first row the mapping cannot read."""
    with (out / "truth.csv").open(encoding="utf-8") as handle:
        truth = {
            (t["agency"], t["agency_record_id"]): t["person_id"]
            for t in csv.DictReader(handle)
            if t["role"] == "victim"
        }
    found = []
    for agency in AGENCIES:
        mapping = load_mapping(agency)
        for number, row in read_rows(out / f"{agency}.csv", mapping):
            record, errors = translate_row(mapping, row, number)
            assert not errors and record is not None, (agency, number, errors)
            found.append((truth[(agency, record["agency_record_id"])], record))
    return found


def people(out: Path, role: str = "victim") -> dict[str, dict[str, str]]:
    with (out / "truth_people.csv").open(encoding="utf-8") as handle:
        return {p["person_id"]: p for p in csv.DictReader(handle) if p["role"] == role}


def full_name(party: dict[str, Any]) -> str:
    """The name as one normalized string (robust to how a full-name column was split)."""
    parts = (party["given_names"], party["first_surname"], party["second_surname"])
    return normalize_label(" ".join(p for p in parts if p))
