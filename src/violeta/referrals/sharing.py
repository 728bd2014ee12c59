"""What a referral carries: built once, when it is made, from the categories consented to.

Nothing outside the consented (or overridden) categories is ever put in it, so the receiving
agency's pages, which read only this, cannot show more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from violeta.people.models import Person
from violeta.records.choices import PartyRole, RiskLevel
from violeta.records.models import AgencyRecord
from violeta.records.selectors import current_risk_level
from violeta.referrals.choices import Share
from violeta.risk.selectors import current_level


def _identity(person: Person) -> dict[str, str]:
    return {
        "full_name": person.full_name,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "curp": person.curp,
        "phone": person.phone,
        "address": person.address,
        "colonia": person.colonia,
        "alcaldia": str(person.alcaldia) if person.alcaldia_id else "",
    }


def _date(value: dt.datetime) -> str:
    return timezone.localtime(value).date().isoformat()


def shared_content(
    *,
    person: Person,
    from_agency_id: int,
    scope: Iterable[str],
    narrative: str,
    record: AgencyRecord | None,
) -> dict[str, Any]:
    """Her data for the receiving agency, category by category, only those in ``scope``."""
    scope = frozenset(scope)
    records = list(
        AgencyRecord.objects.filter(parties__person=person, parties__role=PartyRole.VICTIM)
        .select_related("agency", "kind")
        .prefetch_related("violence_types", "modalities")
        .order_by("occurred_at", "pk")
    )
    content: dict[str, Any] = {"v": 1}
    if Share.IDENTITY in scope:
        content["identity"] = _identity(person)
    if Share.ATTENTIONS in scope:
        content["attentions"] = [
            {"date": _date(r.occurred_at), "agency": r.agency.code, "kind": str(r.kind.label)}
            for r in records
        ]
    if Share.VIOLENCE in scope:
        # From the referring agency's own records: no more than the referring caseworker sees.
        own = [r for r in records if r.agency_id == from_agency_id]
        content["violence_types"] = sorted(
            {str(t.label) for r in own for t in r.violence_types.all()}
        )
        content["modalities"] = sorted({str(m.label) for r in own for m in r.modalities.all()})
    if Share.RISK in scope:
        assessed = current_level(person.pk)  # her assessed level first, else her records'
        level = assessed.equivalent if assessed else current_risk_level(records)
        content["risk_level"] = str(RiskLevel(level).label) if level else ""
    if Share.NARRATIVE in scope:
        content["narrative"] = narrative
        content["record_narrative"] = record.narrative if record is not None else ""
    return content
