"""Reads of the intake app: which mapping an agency's files are read with."""

from __future__ import annotations

from typing import Any

from violeta.intake.mapping import load_mapping
from violeta.intake.models import AgencyMapping


def mapping_active(agency_code: str) -> tuple[dict[str, Any], int | None]:
    """The agency's newest active mapping and its version; the shipped file (version ``None``)
    when the database has none (a database not yet migrated with the seed, a new agency)."""
    current = (
        AgencyMapping.objects.filter(agency_code=agency_code.upper(), active=True)
        .order_by("-version")
        .first()
    )
    if current is not None:
        return current.body, current.version
    return load_mapping(agency_code), None
