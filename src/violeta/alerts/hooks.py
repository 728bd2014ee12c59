"""Where other modules call in: in their own transaction, so that an alert (and its
deliveries) commits with the change that caused it, or not at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from violeta.alerts.choices import Trigger
from violeta.alerts.ruleset import active_ruleset
from violeta.alerts.services import evaluate_for_person
from violeta.catalogs.events import is_breach
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.risk.choices import Status
from violeta.risk.models import RiskAssessment

ORDER_KIND = "protection_order"
DEFAULT_RECORD_WINDOW_DAYS = 30


def is_recent(record: AgencyRecord, now: dt.datetime | None = None) -> bool:
    """Whether a new record is recent enough to raise alerts on arrival: it happened within
    ``VIOLETA_ALERTS_RECORD_WINDOW_DAYS`` (default 30) of now. Loading an agency's history
    (years of records) must not flood the staff with alerts about events long past; such
    records still count as evidence when a recent one arrives, and the scheduled rules
    (``violeta alerts_scan``) still read them."""
    days = getattr(settings, "VIOLETA_ALERTS_RECORD_WINDOW_DAYS", DEFAULT_RECORD_WINDOW_DAYS)
    return record.occurred_at >= (now or timezone.now()) - dt.timedelta(days=days)


def _triggers(kinds: Iterable[str]) -> list[str]:
    triggers = [Trigger.ON_RECORD.value]
    if ORDER_KIND in kinds:
        triggers.append(Trigger.ON_ORDER.value)
    return triggers


def record_registered(record: AgencyRecord, person_id: int) -> None:
    if not is_recent(record):
        return
    evaluate_for_person(person_id, trigger=_triggers([record.kind.code]), record_id=record.pk)


def _flagged(record: AgencyRecord) -> bool:
    details = record.details if isinstance(record.details, dict) else {}
    return bool(record.weapons or details.get("event") or is_breach(details))


def records_registered(pairs: Iterable[tuple[AgencyRecord, int]]) -> None:
    """Many new records (an import): each woman evaluated once, in this transaction, for
    her recent records (:func:`is_recent`).

    A woman whose file is this one record, with no assessment, no weapons, no event and an
    aggressor named nowhere else can meet no rule (see :mod:`violeta.alerts.evaluation`), so
    only the others are evaluated: a few queries pick them for the whole batch.
    """
    new: dict[int, list[AgencyRecord]] = {}
    now = timezone.now()
    for record, person_id in pairs:
        if not is_recent(record, now):
            continue
        new.setdefault(person_id, []).append(record)
    if not new:
        return
    women = list(new)
    assessed = set(
        RiskAssessment.objects.filter(person__in=women, status=Status.COMPLETED).values_list(
            "person_id", flat=True
        )
    )
    several = set(
        ReportedIdentity.objects.filter(person__in=women, role=PartyRole.VICTIM)
        .values("person")
        .annotate(n=Count("record"))
        .filter(n__gte=2)
        .values_list("person", flat=True)
    )
    flagged = {w for w, records in new.items() if any(_flagged(r) for r in records)}
    record_ids = [r.pk for records in new.values() for r in records]
    named = dict(
        ReportedIdentity.objects.filter(
            record__in=record_ids, role=PartyRole.AGGRESSOR
        ).values_list("record_id", "person_id")
    )
    repeated = set(
        ReportedIdentity.objects.filter(person__in=set(named.values()), role=PartyRole.AGGRESSOR)
        .values("person")
        .annotate(n=Count("record"))
        .filter(n__gte=2)
        .values_list("person", flat=True)
    )
    via_aggressor = {
        w for w, records in new.items() if any(named.get(r.pk) in repeated for r in records)
    }
    ruleset = active_ruleset()
    for woman in sorted(assessed | several | flagged | via_aggressor):
        records = new[woman]
        evaluate_for_person(
            woman,
            trigger=_triggers(r.kind.code for r in records),
            record_ids=[r.pk for r in records],
            ruleset=ruleset,
        )


def assessment_changed(assessment: RiskAssessment) -> None:
    evaluate_for_person(assessment.person_id, trigger=Trigger.ON_ASSESSMENT.value)
