"""Synthetic files for the alert tests: records built directly, levels set directly."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from violeta.agencies.models import Agency, User
from violeta.alerts.models import Alert
from violeta.alerts.services import evaluate_for_person
from violeta.people.models import Person, PersonKind
from violeta.records.choices import RecordSource
from violeta.records.services import RegisterOutcome, record_register
from violeta.records.tests.factories import canonical_record
from violeta.records.validation import Catalogs, validate_record
from violeta.risk.choices import Status
from violeta.risk.models import RiskAssessment
from violeta.risk.tests.factories import shipped
from violeta.risk.tests.test_indicators import NOW
from violeta.risk.tests.test_indicators import Records as _Records

__all__ = ["NOW", "Records", "aggressor", "evaluate", "level", "recent", "register", "woman"]


def recent(days_ago: float = 1) -> str:
    """An ``occurred_at`` a few days back: new records raise alerts only when recent."""
    when = timezone.localtime() - dt.timedelta(days=days_ago)
    return when.replace(tzinfo=None, microsecond=0).isoformat()


def register(
    record_id: str, agency: str = "SEMUJERES", days_ago: float = 1, **victim: str
) -> RegisterOutcome:
    """Register a record as an agency would (validation, linkage, hooks), ``days_ago``."""
    kind = {"SEMUJERES": "service_session", "C5": "emergency_call"}[agency]
    raw = canonical_record(
        agency_record_id=record_id, kind=kind, victim=victim, occurred_at=recent(days_ago)
    )
    data = validate_record(raw, agency=Agency.objects.get(code=agency), cats=Catalogs.load())
    return record_register(actor=None, data=data, source=RecordSource.IMPORT)


_builders = itertools.count(1)


class Records(_Records):
    """The risk tests' builder, with record ids unique across builders of one test."""

    def __init__(self, woman: Person, aggressor: Person | None = None) -> None:
        super().__init__(woman, aggressor)
        self.n = next(_builders) * 1000


def woman(name: str = "Ana") -> Person:
    return Person.objects.create(kind=PersonKind.WOMAN, given_names=name, first_surname="Prueba")


def aggressor(name: str = "Beto") -> Person:
    return Person.objects.create(kind=PersonKind.AGGRESSOR, given_names=name, first_surname="X")


def level(
    person: Person, user: User, equivalent: str, due: dt.datetime | None = None
) -> RiskAssessment:
    """A completed VPR assessment at ``equivalent`` (the VPR's codes are the common scale)."""
    return RiskAssessment.objects.create(
        person=person,
        agency=user.agency or Agency.objects.get(code="SEMUJERES"),
        assessed_by=user,
        instrument=shipped()["vpr"],
        status=Status.COMPLETED,
        computed_level=equivalent,
        final_level=equivalent,
        final_equivalent=equivalent,
        completed_at=NOW - dt.timedelta(days=1),
        next_reassessment_due=due,
    )


def evaluate(
    person: Person,
    trigger: str = "on_record",
    record_id: int | None = None,
    now: dt.datetime = NOW,
) -> list[Alert]:
    return evaluate_for_person(person.pk, trigger=trigger, record_id=record_id, now=now)
