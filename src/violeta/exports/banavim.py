"""The national registry's (BANAVIM) incident file: one row per incident in a period.

An incident is a record of one of :data:`INCIDENT_KINDS` (a 911 call, a police intervention, a
complaint, a medical attention): a record of violence that happened. Service sessions, follow-up
calls, protection orders and prosecutors' notices are attentions, not incidents (the same rule
as the risk indicators). Each row carries the incident, the woman's *profile* and the
aggressor's *profile* (ages, sexes, alcaldía, relationship): never names, CURPs, phones,
addresses or narratives. The woman appears under her file's id, a pseudonym, so that the
registry can keep one file per woman with several incidents.

Protection orders are linked to incidents by :mod:`violeta.exports.orders` (the complaint with
the same carpeta de investigación, else the latest incident of the same woman before it).

The rows are produced in batches of :data:`BATCH` incidents (a handful of queries each), so a
period of any size streams with bounded memory. The columns and their types are the Frictionless
Table Schema in ``schemas/banavim.schema.json`` (docs/exports.md).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone

from violeta.agencies.models import User
from violeta.audit.services import audit_log
from violeta.exports.orders import orders_for
from violeta.exports.period import Period
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.records.selectors import with_parties
from violeta.risk.indicators import INCIDENT_KINDS

SCHEMA_PATH = Path(__file__).parent / "schemas" / "banavim.schema.json"
BATCH = 500


@cache
def table_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


def columns() -> list[str]:
    return [field["name"] for field in table_schema()["fields"]]


def _age(party: ReportedIdentity | None, on: dt.date) -> int | None:
    if party is None:
        return None
    if party.age is not None:
        return party.age
    born = party.birth_date
    if not isinstance(born, dt.date):
        return None
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return years if 0 <= years < 120 else None


def _incident_batches(period: Period) -> Iterator[list[int]]:
    first, after = period.bounds()
    ids = (
        AgencyRecord.objects.filter(
            kind__code__in=INCIDENT_KINDS, occurred_at__gte=first, occurred_at__lt=after
        )
        .order_by("occurred_at", "pk")
        .values_list("pk", flat=True)
    )
    batch: list[int] = []
    for pk in ids.iterator(chunk_size=2000):
        batch.append(pk)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


# Only what a row needs: names, CURPs, phones, addresses, colonias and narratives are neither
# read nor decrypted.
PARTY_FIELDS = ("id", "record_id", "person_id", "role", "sex", "age", "birth_date", "alcaldia")


def _load(ids: list[int]) -> list[AgencyRecord]:
    parties = ReportedIdentity.objects.select_related("alcaldia").only(*PARTY_FIELDS)
    records = with_parties(
        AgencyRecord.objects.filter(pk__in=ids).defer("narrative", "colonia"), parties
    )
    by_id = {r.pk: r for r in records}
    return [by_id[pk] for pk in ids if pk in by_id]


def _first(parties: list[ReportedIdentity]) -> ReportedIdentity | None:
    return parties[0] if parties else None


def _join(values: list[str]) -> str:
    return ";".join(values)


def _row(record: AgencyRecord, orders: list[AgencyRecord]) -> dict[str, Any]:
    victim = _first(record.victims)  # type: ignore[attr-defined]
    aggressor = _first(record.aggressors)  # type: ignore[attr-defined]
    on = timezone.localtime(record.occurred_at).date()
    details = [o.details if isinstance(o.details, dict) else {} for o in orders]
    measures = sorted({m for d in details for m in d.get("order_measures") or []})
    starts = sorted(str(d["order_valid_from"]) for d in details if d.get("order_valid_from"))
    ends = sorted(str(d["order_valid_until"]) for d in details if d.get("order_valid_until"))
    return {
        "incident_id": record.pk,
        "agency": record.agency.code,
        "record_kind": record.kind.code,
        "incident_date": on.isoformat(),
        "incident_alcaldia": record.alcaldia.inegi_code if record.alcaldia else "",
        "violence_types": _join(sorted(t.code for t in record.violence_types.all())),
        "modalities": _join(sorted(m.code for m in record.modalities.all())),
        "weapons": _join(sorted(str(w) for w in record.weapons or [])),
        "risk_level": record.risk_level or "",
        "victim_id": victim.person_id if victim else None,
        "victim_age": _age(victim, on),
        "victim_sex": (victim.sex if victim else "") or "",
        "victim_alcaldia": victim.alcaldia.inegi_code if victim and victim.alcaldia else "",
        "aggressor_known": aggressor is not None,
        "aggressor_age": _age(aggressor, on),
        "aggressor_sex": (aggressor.sex if aggressor else "") or "",
        "relationship": record.relationship or "",
        "protection_order_granted": bool(orders),
        "protection_orders": len(orders),
        "order_record_ids": _join([str(o.pk) for o in orders]),
        "order_types": _join(sorted({str(d.get("order_type") or "") for d in details} - {""})),
        "order_measures": _join(measures),
        "order_valid_from": starts[0] if starts else "",
        "order_valid_until": ends[-1] if ends else "",
    }


def banavim_rows(period: Period) -> Iterator[dict[str, Any]]:
    """The rows of ``period``, oldest incident first, as plain values (see the schema)."""
    for ids in _incident_batches(period):
        records = _load(ids)
        orders = orders_for(records)
        for record in records:
            yield _row(record, orders.get(record.pk, []))


def banavim_audit(
    *, actor: User | None, period: Period, fmt: str, request: Any = None, label: str = ""
) -> None:
    """One audit entry per export: who, which period, which format (no row content)."""
    audit_log(
        actor=actor,
        actor_label=label or None,
        action="export",
        subject_type="national_registry",
        subject_id=f"{period.start.isoformat()}/{period.end.isoformat()}",
        request=request,
        details={"format": fmt, "scope": "banavim", "schema": table_schema()["version"]},
    )
