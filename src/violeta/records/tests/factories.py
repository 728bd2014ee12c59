"""Canonical records for tests (synthetic identities only)."""

from __future__ import annotations

from typing import Any

# A CURP built by the published rules for this synthetic woman, with a valid check digit.
VALID_CURP = "HELG900215MDFRPD07"


def canonical_record(**overrides: Any) -> dict[str, Any]:
    victim = {
        "given_names": "Guadalupe",
        "first_surname": "Hernández",
        "second_surname": "López",
        "birth_date": "1990-02-15",
        "sex": "M",
        "curp": "",
        "phone": "55 1234 5678",
        "address": "Calle Pino 12",
        "colonia": "Santa Cruz Meyehualco",
        "alcaldia": "09007",
    }
    victim.update(overrides.pop("victim", {}))
    record: dict[str, Any] = {
        "agency_record_id": "SEM-0001",
        "kind": "service_session",
        "occurred_at": "2025-03-04T10:30:00",
        "alcaldia": "09007",
        "colonia": "Santa Cruz Meyehualco",
        "violence_types": ["psicologica", "fisica"],
        "modalities": ["familiar"],
        "relationship": "pareja",
        "weapons": [],
        "risk_level": "medio",
        "narrative": "Sesión de primera vez; refiere golpes de su pareja.",
        "details": {"service_type": "psicologica"},
        "victim": victim,
        "aggressor": {
            "given_names": "Juan Carlos",
            "first_surname": "Ramírez",
            "second_surname": "Soto",
            "sex": "H",
        },
    }
    record.update(overrides)
    return record
