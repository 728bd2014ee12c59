"""Building risk states with the real services (synthetic data only)."""

from __future__ import annotations

from violeta.agencies.models import User
from violeta.linkage.tests.test_services import _register
from violeta.people.models import Person
from violeta.risk.models import InstrumentVersion, RiskAssessment
from violeta.risk.services import assessment_save, assessment_start
from violeta.risk.versions import instruments_load_shipped


def shipped() -> dict[str, InstrumentVersion]:
    return {o.instrument.code: o.instrument for o in instruments_load_shipped()}


def a_woman(record_id: str = "S-1", **victim: str) -> Person:
    return _register(record_id, **victim).victim


def all_answers(instrument: InstrumentVersion, yes: set[str]) -> dict[str, str]:
    return {i.id: "yes" if i.id in yes else "no" for i in instrument.parsed.items}


def completed(
    person: Person, user: User, instrument: InstrumentVersion, yes: set[str]
) -> RiskAssessment:
    assessment = assessment_start(person=person, instrument=instrument, actor=user)
    outcome = assessment_save(
        assessment=assessment,
        answers=all_answers(instrument, yes),
        complete=True,
        actor=user,
    )
    assert outcome.completed
    return outcome.assessment
