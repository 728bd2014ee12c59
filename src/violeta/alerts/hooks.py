"""Where other modules call in: in their own transaction, so that an alert (and its
deliveries) commits with the change that caused it, or not at all."""

from __future__ import annotations

from collections.abc import Iterable

from violeta.alerts.choices import Trigger
from violeta.alerts.services import evaluate_for_person
from violeta.records.models import AgencyRecord
from violeta.risk.models import RiskAssessment

ORDER_KIND = "protection_order"


def record_registered(record: AgencyRecord, person_id: int) -> None:
    triggers = [Trigger.ON_RECORD.value]
    if record.kind.code == ORDER_KIND:
        triggers.append(Trigger.ON_ORDER.value)
    evaluate_for_person(person_id, trigger=triggers, record_id=record.pk)


def records_registered(pairs: Iterable[tuple[AgencyRecord, int]]) -> None:
    """Many new records (an import): each woman once per record, oldest first."""
    for record, person_id in sorted(pairs, key=lambda p: (p[0].occurred_at, p[0].pk)):
        record_registered(record, person_id)


def assessment_changed(assessment: RiskAssessment) -> None:
    evaluate_for_person(assessment.person_id, trigger=Trigger.ON_ASSESSMENT.value)
