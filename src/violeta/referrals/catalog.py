"""Which services each agency receives referrals for (``data/services.json``)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from violeta.referrals.choices import Service

DATA = Path(__file__).resolve().parent / "data" / "services.json"


@cache
def _services() -> dict[str, tuple[str, ...]]:
    raw: dict[str, object] = json.loads(DATA.read_text(encoding="utf-8"))
    table: dict[str, tuple[str, ...]] = {}
    for code, services in raw.items():
        if code.startswith("_") or not isinstance(services, list):
            continue
        unknown = [s for s in services if s not in Service.values]
        if unknown:
            raise ValueError(f"{DATA}: agency {code} lists unknown services {unknown}")
        table[code] = tuple(services)
    return table


def services_of(agency_code: str) -> tuple[str, ...]:
    """The service codes ``agency_code`` receives referrals for (none if not listed)."""
    return _services().get(agency_code, ())


def receiving_agencies() -> tuple[str, ...]:
    return tuple(_services())
