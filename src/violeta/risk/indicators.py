"""Indicators read from the woman's whole file, across every agency (pure reads, no models).

Each indicator carries its evidence (record ids) so a page can explain how it was reached. The
rules, documented here because a caseworker must be able to check them by hand:

* Counts: her records (as the woman attended) in the last 30, 90 and 365 days, also per agency.
* Incidents: records that report an event of violence (``INCIDENT_KINDS``: a 911 call, a police
  intervention, a complaint, a medical attention). Sessions, follow-up calls and protection
  orders are attentions, not incidents. Incident records less than ``EPISODE_GAP`` apart are one
  episode (a 911 call, the police, the hospital and the complaint of one night).
* More frequent: two or more episodes in the last 90 days, more than in the 90 days before, or,
  with three or more episodes, the latest gap between episodes is less than half of the average gap
  before it.
* More severe: ``SEVERITY`` orders what a record shows; an incident is a rise when it reaches
  physical violence or worse (rank 3+) and exceeds every earlier record of hers.
* Breach of a protection order: a record that is one (``details.event == "order_breach"``, as
  the police and the prosecutor register it: ``catalogs.events``; or the older flag
  ``details.order_breach``), or an incident occurring more
  than one day after an order was issued and on or before its ``details.order_valid_until``
  (``ORDER_DAYS`` days after issue when the end is missing), naming the order's aggressor when
  both name one. The day of grace keeps the records that trail the incident which led to the
  order (a complaint's facts date, ``details.facts_date``, counts instead of its filing date).
* Weapons: her records with weapons, and any woman's records naming one of her aggressors with
  weapons. Other women: women other than her on records naming one of her aggressors.
* Children at home: no agency format carries it; Violeta reads ``details.children_at_home``
  (true/false, or a number) when an agency records it, else the indicator is unknown. Violence
  through her children or relatives (the ``vicaria`` type) is its own indicator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.utils import timezone

from violeta.catalogs.events import is_breach
from violeta.people.models import Person
from violeta.people.services import person_in_use
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord, ReportedIdentity

WINDOWS = (30, 90, 365)
INCIDENT_KINDS = frozenset(
    {"emergency_call", "police_intervention", "complaint", "medical_attention"}
)
ORDER_KIND = "protection_order"
EPISODE_GAP = dt.timedelta(days=3)
BREACH_GRACE = dt.timedelta(days=1)
ORDER_DAYS = 60  # the usual validity of an administrative order in Mexico City
# Severity order over the catalogs (higher is graver): the types of violence, the feminicidal
# modality and weapons. Types not listed (and records naming none) rank 0.
SEVERITY: dict[str, int] = {
    "type:psicologica": 1,
    "type:economica": 1,
    "type:patrimonial": 1,
    "type:otra": 1,
    "type:vicaria": 2,
    "type:fisica": 3,
    "type:sexual": 4,
    "weapons": 4,
    "modality:feminicida": 5,
}
PHYSICAL = 3


@dataclass(frozen=True)
class Indicator:
    code: str
    present: bool | None  # None: no record says either way
    evidence: tuple[int, ...] = ()  # record ids
    count: int = 0  # a number the indicator is about (other women, breaches, …)


@dataclass(frozen=True)
class FileIndicators:
    person_id: int
    computed_at: dt.datetime
    counts: dict[int, int]  # window in days -> records
    counts_by_agency: dict[str, dict[int, int]]  # agency code -> window -> records
    indicators: tuple[Indicator, ...] = field(default=())

    def get(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    def factors(self) -> set[str]:
        """The safety plan's factors these indicators establish (its fixed vocabulary)."""
        to_factor = {
            "escalation_frequency": "escalation",
            "escalation_severity": "escalation",
            "order_breach": "order_breach",
            "weapons": "weapons",
            "children_at_home": "children",
            "vicarious_violence": "children",
            "sexual_violence": "sexual_violence",
        }
        return {to_factor[i.code] for i in self.indicators if i.present and i.code in to_factor}


def severity(record: AgencyRecord) -> int:
    ranks = [SEVERITY.get(f"type:{t.code}", 0) for t in record.violence_types.all()]
    ranks += [SEVERITY.get(f"modality:{m.code}", 0) for m in record.modalities.all()]
    if record.weapons:
        ranks.append(SEVERITY["weapons"])
    return max(ranks, default=0)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _moment(record: AgencyRecord) -> dt.datetime:
    """When the incident happened: a complaint's facts date if given, else when it occurred."""
    facts = _date(record.details.get("facts_date")) if isinstance(record.details, dict) else None
    if facts is not None:
        return timezone.make_aware(dt.datetime.combine(facts, dt.time(12)))
    return record.occurred_at


def _aggressors(record: AgencyRecord) -> set[int]:
    return {p.person_id for p in record.aggressor_parties}  # type: ignore[attr-defined]


def file_indicators(person_id: int, *, now: dt.datetime | None = None) -> FileIndicators:
    """The indicators of the woman's file as of ``now`` (records after ``now`` are ignored)."""
    from django.db.models import Prefetch

    now = now or timezone.now()
    person = person_in_use(Person.objects.get(pk=person_id))
    records: list[AgencyRecord] = list(
        AgencyRecord.objects.filter(
            parties__person=person, parties__role=PartyRole.VICTIM, occurred_at__lte=now
        )
        .select_related("agency", "kind")
        .prefetch_related(
            "violence_types",
            "modalities",
            Prefetch(
                "parties",
                queryset=ReportedIdentity.objects.filter(role=PartyRole.AGGRESSOR),
                to_attr="aggressor_parties",
            ),
        )
        .order_by("occurred_at", "pk")
    )
    counts = {days: 0 for days in WINDOWS}
    by_agency: dict[str, dict[int, int]] = {}
    for record in records:
        age = now - record.occurred_at
        for days in WINDOWS:
            if age <= dt.timedelta(days=days):
                counts[days] += 1
                agency = by_agency.setdefault(record.agency.code, {d: 0 for d in WINDOWS})
                agency[days] += 1
    incidents = [r for r in records if r.kind.code in INCIDENT_KINDS]
    aggressors = set().union(*(_aggressors(r) for r in records)) if records else set()
    indicators = (
        _more_frequent(incidents, now),
        _more_severe(records),
        _order_breach(records, incidents),
        *_aggressor_indicators(person, records, aggressors),
        _children_at_home(records),
        _with_type(records, "vicarious_violence", "vicaria"),
        _with_type(records, "sexual_violence", "sexual"),
    )
    return FileIndicators(person.pk, now, counts, by_agency, indicators)


def _episodes(incidents: list[AgencyRecord]) -> list[list[AgencyRecord]]:
    episodes: list[list[AgencyRecord]] = []
    for record in incidents:
        if episodes and record.occurred_at - episodes[-1][-1].occurred_at < EPISODE_GAP:
            episodes[-1].append(record)
        else:
            episodes.append([record])
    return episodes


def _more_frequent(incidents: list[AgencyRecord], now: dt.datetime) -> Indicator:
    episodes = _episodes(incidents)
    quarter = dt.timedelta(days=90)
    recent = [e[0] for e in episodes if now - e[0].occurred_at <= quarter]
    before = [e[0] for e in episodes if quarter < now - e[0].occurred_at <= 2 * quarter]
    if len(recent) >= 2 and len(recent) > len(before):
        return Indicator("escalation_frequency", True, _ids(before + recent), len(recent))
    if len(episodes) >= 3:
        starts = [e[0].occurred_at for e in episodes]
        gaps = [(b - a).total_seconds() for a, b in pairwise(starts)]
        earlier = sum(gaps[:-1]) / len(gaps[:-1])
        if gaps[-1] < earlier / 2:
            return Indicator("escalation_frequency", True, _ids(e[0] for e in episodes))
    return Indicator("escalation_frequency", False)


def _more_severe(records: list[AgencyRecord]) -> Indicator:
    highest = 0
    rises: list[AgencyRecord] = []
    first_seen: AgencyRecord | None = None
    for record in records:
        rank = severity(record)
        if rank >= PHYSICAL and rank > highest and highest > 0:
            rises.append(record)
        if rank > 0 and first_seen is None:
            first_seen = record
        highest = max(highest, rank)
    if not rises or first_seen is None:
        return Indicator("escalation_severity", False)
    return Indicator("escalation_severity", True, _ids([first_seen, *rises]), highest)


def _order_breach(records: list[AgencyRecord], incidents: list[AgencyRecord]) -> Indicator:
    evidence: list[AgencyRecord] = []
    breaches: set[int] = set()  # the records that are breaches (flagged, or incidents)
    for record in records:
        if is_breach(record.details):
            evidence.append(record)
            breaches.add(record.pk)
    for order in (r for r in records if r.kind.code == ORDER_KIND):
        details = order.details if isinstance(order.details, dict) else {}
        start = order.occurred_at + BREACH_GRACE
        until = _date(details.get("order_valid_until")) or (
            timezone.localdate(order.occurred_at) + dt.timedelta(days=ORDER_DAYS)
        )
        named = _aggressors(order)
        for incident in incidents:
            moment = _moment(incident)
            if not (start < moment and timezone.localdate(moment) <= until):
                continue
            if named and _aggressors(incident) and not named & _aggressors(incident):
                continue
            evidence += [order, incident]
            breaches.add(incident.pk)
    return Indicator("order_breach", bool(evidence), _ids(evidence), len(breaches))


def _aggressor_indicators(
    person: Person, records: list[AgencyRecord], aggressors: set[int]
) -> tuple[Indicator, Indicator]:
    hers = [r.pk for r in records if r.weapons]
    theirs: list[int] = []
    others: dict[int, set[int]] = {}  # other woman -> her records naming one of his
    if aggressors:
        naming = (
            AgencyRecord.objects.filter(
                parties__person__in=aggressors, parties__role=PartyRole.AGGRESSOR
            )
            .exclude(pk__in=[r.pk for r in records])
            .values_list("pk", "weapons")
            .distinct()
        )
        theirs = [pk for pk, weapons in naming if weapons]
        for pk, woman in (
            ReportedIdentity.objects.filter(
                role=PartyRole.VICTIM,
                record__parties__person__in=aggressors,
                record__parties__role=PartyRole.AGGRESSOR,
            )
            .exclude(person=person)
            .values_list("record_id", "person_id")
        ):
            others.setdefault(woman, set()).add(pk)
    weapons = Indicator("weapons", bool(hers or theirs), tuple(sorted({*hers, *theirs})))
    other_records = sorted(set().union(*others.values())) if others else []
    linked = Indicator("other_women", bool(others), tuple(other_records), len(others))
    return weapons, linked


def _children_at_home(records: list[AgencyRecord]) -> Indicator:
    stated = [
        r
        for r in records
        if isinstance(r.details, dict) and r.details.get("children_at_home") not in (None, "")
    ]
    if not stated:
        return Indicator("children_at_home", None)
    yes = [r for r in stated if r.details["children_at_home"] not in (False, 0, "0", "no")]
    latest = stated[-1]
    return Indicator("children_at_home", latest in yes, _ids(yes or [latest]))


def _with_type(records: list[AgencyRecord], code: str, violence_type: str) -> Indicator:
    found = [r for r in records if any(t.code == violence_type for t in r.violence_types.all())]
    return Indicator(code, bool(found), _ids(found))


def _ids(records: Iterable[AgencyRecord]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(r.pk for r in records))
