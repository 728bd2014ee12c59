"""Export of how every record was linked, for quality audits (no names, no identities)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from violeta.records.models import ReportedIdentity

HEADER = ["agency", "agency_record_id", "role", "person_id", "method", "probability"]
ROLE_LABEL = {"victim": "woman", "aggressor": "aggressor"}


def link_rows() -> Iterator[list[str]]:
    rows = (
        ReportedIdentity.objects.order_by(
            "record__agency__code", "record__agency_record_id", "role"
        )
        .values_list(
            "record__agency__code",
            "record__agency_record_id",
            "role",
            "person_id",
            "link_method",
            "link_probability",
        )
        .iterator(chunk_size=5000)
    )
    for agency, record_id, role, person_id, method, probability in rows:
        yield [
            agency,
            record_id,
            ROLE_LABEL.get(role, role),
            str(person_id),
            method,
            "" if probability is None else f"{probability:.4f}",
        ]


def link_export(path: Path) -> int:
    """Write one row per reported identity; returns the number of rows."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in link_rows():
            writer.writerow(row)
            count += 1
    return count
