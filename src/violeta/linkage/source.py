"""Identity frames read straight from agency files (the generator's), without the database.

The benchmark and the quality evaluation use this path to compare Violeta's linker with plain
Splink on exactly the same records; ``violeta link`` reads the same columns from the database
(:func:`violeta.linkage.batch.identities_frame`).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from violeta.intake.mapping import PARTY_FIELDS, load_mapping, read_rows, translate_row
from violeta.linkage.features import party_key
from violeta.linkage.scoring import ROLE_NAMES

ROLES = {name: role for role, name in ROLE_NAMES.items()}  # "woman" → the party's key


def _iso(value: object) -> str:
    if not value:
        return ""
    return value if isinstance(value, str) else value.isoformat()  # type: ignore[attr-defined]


def uid(agency: str, agency_record_id: str) -> str:
    return f"{agency}|{agency_record_id}"


def frames_from_files(directory: Path) -> dict[str, pd.DataFrame]:
    """One identity frame per role ("woman", "aggressor") from every agency file in
    ``directory`` that has a mapping; rows the mapping rejects are left out."""
    rows: dict[str, list[dict[str, object]]] = {role: [] for role in ROLES}
    for path in sorted(directory.glob("*.csv")):
        try:
            mapping = load_mapping(path.stem)
        except (FileNotFoundError, KeyError, ValueError):
            continue
        for number, raw in read_rows(path, mapping):
            record, errors = translate_row(mapping, raw, number)
            if errors or record is None:
                continue
            occurred = record["occurred_at"]
            for role, party_name in ROLES.items():
                party = record.get(party_name)
                if not party:
                    continue
                row = {name: party.get(name) for name in PARTY_FIELDS}
                row["birth_date"] = _iso(row["birth_date"])
                row["occurred_at"] = _iso(occurred)
                row["agency"] = path.stem
                row["unique_id"] = uid(path.stem, record["agency_record_id"])
                other = record.get("aggressor") if role == "woman" else None
                row["partner"] = (
                    party_key(
                        other["given_names"] or "",
                        other["first_surname"] or "",
                        other.get("second_surname") or "",
                    )
                    if other
                    else ""
                )
                rows[role].append(row)
    return {role: pd.DataFrame(rows[role]) for role in ROLES}


def truth_from_file(path: Path) -> dict[str, dict[str, str]]:
    """The generator's truth: for each role, unique id → true person id."""
    truth: dict[str, dict[str, str]] = {role: {} for role in ROLES}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            role = ROLE_NAMES.get(row["role"])  # type: ignore[arg-type]  # str-enum keys
            if role in truth:
                truth[role][uid(row["agency"], row["agency_record_id"])] = row["person_id"]
    return truth
