"""Synthetic records for the export tests, registered through the real service."""

from __future__ import annotations

from typing import Any

from violeta.agencies.models import Agency
from violeta.records.choices import RecordSource
from violeta.records.services import RegisterOutcome, record_register
from violeta.records.tests.factories import VALID_CURP, canonical_record
from violeta.records.validation import Catalogs, validate_record

OTHER_WOMAN = {
    "given_names": "Rosario",
    "first_surname": "Castañeda",
    "second_surname": "Villa",
    "birth_date": "1985-07-30",
    "curp": "",
    "phone": "55 9999 0000",
}
ORDER = {
    "order_type": "administrativa",
    "order_measures": ["no_acercarse", "vigilancia_policial"],
    "order_valid_from": "2025-03-01",
    "order_valid_until": "2025-04-29",
}


def register(
    record_id: str, agency: str, kind: str, *, victim: dict[str, Any] | None = None, **over: Any
) -> RegisterOutcome:
    raw = canonical_record(
        agency_record_id=record_id,
        kind=kind,
        victim={"curp": VALID_CURP, **(victim or {})},
        **over,
    )
    data = validate_record(raw, agency=Agency.objects.get(code=agency), cats=Catalogs.load())
    return record_register(actor=None, data=data, source=RecordSource.IMPORT)
