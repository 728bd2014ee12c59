"""Reads of the intake app: which mapping an agency's files are read with."""

from __future__ import annotations

from typing import Any

from violeta.intake.mapping import load_mapping
from violeta.intake.models import AgencyMapping


def mapping_active(agency_code: str) -> tuple[dict[str, Any], int | None]:
    """The agency's newest active mapping and its version; the shipped file (version ``None``)
    when the database has none (a new agency with a shipped file only).

    While no administrator has edited an agency's mapping, a shipped file that changed (a new
    Violeta release) becomes a new version here, on first use; once an administrator has made a
    version, hers stay in force and the shipped file is not applied over them."""
    from violeta.intake.services import mapping_follow_shipped

    mapping_follow_shipped(agency_code)
    current = (
        AgencyMapping.objects.filter(agency_code=agency_code.upper(), active=True)
        .order_by("-version")
        .first()
    )
    if current is not None:
        return current.body, current.version
    return load_mapping(agency_code), None
