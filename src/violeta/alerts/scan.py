"""The scheduled pass (``violeta alerts_scan``): time-based rules over the women they may
concern, then escalation of alerts unanswered past their deadline. Idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from violeta.alerts.choices import Trigger
from violeta.alerts.services import alerts_escalate, evaluate_for_person
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord
from violeta.risk.selectors import due_reassessments


@dataclass(frozen=True)
class ScanOutcome:
    women: int
    raised: int
    escalated: int


def _victims(records: list[int]) -> set[int]:
    return set(
        AgencyRecord.objects.filter(pk__in=records)
        .filter(parties__role=PartyRole.VICTIM)
        .values_list("parties__person", flat=True)
    )


def scheduled_candidates(now: dt.datetime, horizon_days: int = 90) -> set[int]:
    """Women a time-based rule may concern: a re-assessment past due, a protection order
    ending within the horizon, a follow-up call not answered within it."""
    women = set(due_reassessments(at=now).values_list("person_id", flat=True))
    today = timezone.localdate(now)
    orders = AgencyRecord.objects.filter(
        kind__code="protection_order", details__has_key="order_valid_until"
    ).values_list("pk", "details")
    ending = []
    for pk, details in orders.iterator():
        try:
            until = dt.date.fromisoformat(str(details["order_valid_until"])[:10])
        except ValueError:
            continue
        if today <= until <= today + dt.timedelta(days=horizon_days):
            ending.append(pk)
    calls = AgencyRecord.objects.filter(
        kind__code="followup_call",
        details__has_key="answered",
        occurred_at__gte=now - dt.timedelta(days=horizon_days),
    ).values_list("pk", "details")
    unanswered = [pk for pk, details in calls.iterator() if details.get("answered") is False]
    return women | _victims(ending + unanswered)


def alerts_scan(*, now: dt.datetime | None = None) -> ScanOutcome:
    now = now or timezone.now()
    women = sorted(scheduled_candidates(now))
    raised = 0
    for person_id in women:
        with transaction.atomic():
            raised += len(evaluate_for_person(person_id, trigger=Trigger.SCHEDULED, now=now))
    escalated = alerts_escalate(now=now)
    return ScanOutcome(len(women), raised, len(escalated))
