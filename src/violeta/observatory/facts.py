"""What the observatory counts, read from the registers at refresh time (never per request).

One :class:`Fact` per agency record: the month it happened, the categories it falls in, and the
woman it is about (an id, only to count distinct women; it never leaves the refresh).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from violeta.alerts.models import Alert
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord, ReportedIdentity

UNKNOWN = "sin_dato"
AGE_GROUPS = ("0_17", "18_29", "30_44", "45_59", "60_mas", UNKNOWN)
STAGES = ("report", "investigation", "protection_order")


@dataclass(frozen=True)
class Fact:
    person: int
    month: str
    alcaldia: str
    agency: str
    age: str
    risk: str
    types: tuple[str, ...]
    modalities: tuple[str, ...]
    stages: tuple[str, ...]


@dataclass(frozen=True)
class AlertFact:
    person: int
    month: str
    level: str


def age_group(age: int | None) -> str:
    if age is None:
        return UNKNOWN
    for limit, group in ((17, "0_17"), (29, "18_29"), (44, "30_44"), (59, "45_59")):
        if age <= limit:
            return group
    return "60_mas"


def _stages(kind: str, details: object) -> tuple[str, ...]:
    if kind == "complaint":
        carpeta = details.get("carpeta") if isinstance(details, dict) else ""
        return ("report", "investigation") if carpeta else ("report",)
    if kind == "protection_order":
        return ("protection_order",)
    return ()


def _many(through: type, column: str, records: list[int] | None = None) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = through.objects.all()  # type: ignore[attr-defined]
    if records is not None:
        rows = rows.filter(agencyrecord_id__in=records)
    for record_id, code in rows.values_list("agencyrecord_id", column).iterator():
        found.setdefault(record_id, []).append(code)
    return found


Victims = dict[int, tuple[int, int | None]]  # record id -> (her person, past merges; her age)


def record_facts(*, until: dt.datetime | None = None) -> list[Fact]:
    """Every record that happened up to ``until`` (now), with its woman resolved past merges."""
    until = until or timezone.now()
    victims: Victims = {}
    for record_id, person, merged, age in (
        ReportedIdentity.objects.filter(role=PartyRole.VICTIM)
        .values_list("record_id", "person_id", "person__merged_into_id", "age")
        .iterator()
    ):
        victims[record_id] = (merged or person, age)
    types = _many(AgencyRecord.violence_types.through, "violencetype__code")
    modalities = _many(AgencyRecord.modalities.through, "modality__code")
    rows = AgencyRecord.objects.filter(occurred_at__lte=until)
    return list(_facts(rows, victims, types, modalities).values())


def facts_of(victims: Victims, *, until: dt.datetime) -> dict[int, Fact]:
    """The facts of these records only (by record id), read in chunks of ``CHUNK`` ids."""
    found: dict[int, Fact] = {}
    ids = sorted(victims)
    for n in range(0, len(ids), CHUNK):
        chunk = ids[n : n + CHUNK]
        types = _many(AgencyRecord.violence_types.through, "violencetype__code", chunk)
        modalities = _many(AgencyRecord.modalities.through, "modality__code", chunk)
        rows = AgencyRecord.objects.filter(occurred_at__lte=until, pk__in=chunk)
        found.update(_facts(rows, victims, types, modalities))
    return found


CHUNK = 500  # ids per IN (...): well under SQLite's limit of bound parameters


def _facts(
    rows: QuerySet[AgencyRecord],
    victims: Victims,
    types: dict[int, list[str]],
    modalities: dict[int, list[str]],
) -> dict[int, Fact]:
    facts = {}
    values = rows.annotate(month=TruncMonth("occurred_at")).values_list(
        "pk", "month", "alcaldia__inegi_code", "agency__code", "kind__code", "risk_level", "details"
    )
    for pk, month, alcaldia, agency, kind, risk, details in values.iterator():
        if pk not in victims:
            continue
        person, age = victims[pk]
        facts[pk] = Fact(
            person=person,
            month=month.strftime("%Y-%m"),
            alcaldia=alcaldia or UNKNOWN,
            agency=agency,
            age=age_group(age),
            risk=risk or UNKNOWN,
            types=tuple(sorted(set(types.get(pk, ())))),
            modalities=tuple(sorted(set(modalities.get(pk, ())))),
            stages=_stages(kind, details),
        )
    return facts


def alert_facts(*, until: dt.datetime | None = None) -> list[AlertFact]:
    until = until or timezone.now()
    return [
        AlertFact(person=person, month=month.strftime("%Y-%m"), level=level)
        for person, month, level in Alert.objects.filter(created_at__lte=until)
        .annotate(month=TruncMonth("created_at"))
        .values_list("person_id", "month", "level")
        .iterator()
    ]
