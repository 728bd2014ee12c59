"""Reads of the risk module. ``current_level`` / ``current_levels`` are the interface other
modules (the file page, lists, early warnings) use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from violeta.agencies.models import User
from violeta.audit.services import audit_log
from violeta.people.models import Person
from violeta.risk.access import may_assess, may_lower, may_see
from violeta.risk.choices import OverrideState, Status
from violeta.risk.models import InstrumentVersion, RiskAssessment
from violeta.risk.scoring import weight_of


@dataclass(frozen=True)
class CurrentLevel:
    """A woman's current level: the final level of her latest completed assessment."""

    person_id: int
    assessment_id: int
    level: str  # the instrument's code for it (e.g. "alto", "severe")
    label: str
    equivalent: str  # on the common scale: no_apreciado, bajo, medio, alto, extremo
    computed_level: str
    overridden: bool
    instrument: str  # "vpr v1"
    agency_code: str
    completed_at: dt.datetime
    next_reassessment_due: dt.datetime | None

    @property
    def overdue(self) -> bool:
        due = self.next_reassessment_due
        return due is not None and due < timezone.now()


def _as_current(person_id: int, a: RiskAssessment) -> CurrentLevel:
    assert a.completed_at is not None
    return CurrentLevel(
        person_id=person_id,
        assessment_id=a.pk,
        level=a.final_level,
        label=a.final_name,
        equivalent=a.final_equivalent,
        computed_level=a.computed_level,
        overridden=a.final_level != a.computed_level,
        instrument=str(a.instrument),
        agency_code=a.agency.code,
        completed_at=a.completed_at,
        next_reassessment_due=a.next_reassessment_due,
    )


def _with_merged(person_ids: Iterable[int]) -> dict[int, int]:
    """Each file id, and each id merged into it (at any depth), mapped to the file's id."""
    owner = {pk: pk for pk in person_ids}
    frontier = set(owner)
    for _hop in range(10):
        rows = Person.objects.filter(merged_into__in=frontier).values_list("pk", "merged_into")
        frontier = set()
        for pk, into in rows:
            if pk not in owner and into is not None:
                owner[pk] = owner[into]
                frontier.add(pk)
        if not frontier:
            break
    return owner


def current_levels(person_ids: Iterable[int]) -> dict[int, CurrentLevel]:
    """The current level of each woman who has one, in a fixed number of queries."""
    owner = _with_merged(person_ids)
    latest: dict[int, CurrentLevel] = {}
    completed = (
        RiskAssessment.objects.filter(person_id__in=owner, status=Status.COMPLETED)
        .select_related("instrument", "agency")
        .order_by("-completed_at", "-pk")
    )
    instruments: dict[int, InstrumentVersion] = {}  # each definition parsed once
    for assessment in completed:
        file_id = owner[assessment.person_id]
        if file_id not in latest:
            assessment.instrument = instruments.setdefault(
                assessment.instrument_id, assessment.instrument
            )
            latest[file_id] = _as_current(file_id, assessment)
    return latest


def current_level(person_id: int) -> CurrentLevel | None:
    return current_levels([person_id]).get(person_id)


def factors_of(assessment: RiskAssessment) -> frozenset[str]:
    """The risk factors (choices.FACTORS) of the items whose answer carries weight."""
    definition = assessment.instrument.parsed
    answers = assessment.answer_dict()
    found: set[str] = set()
    for item in definition.items:
        if item.id in answers and weight_of(item, answers[item.id]) > 0:
            found.update(item.factors)
    return frozenset(found)


def current_factors(person_id: int) -> frozenset[str]:
    """The factors present in her latest completed assessment (empty if none)."""
    level = current_level(person_id)
    if level is None:
        return frozenset()
    assessment = RiskAssessment.objects.select_related("instrument").get(pk=level.assessment_id)
    return factors_of(assessment)


@dataclass(frozen=True)
class HistoryRow:
    assessment: RiskAssessment
    may_open: bool


def history_for(*, user: User, person: Person) -> list[HistoryRow]:
    """Her completed assessments from every agency (level only) and her drafts in the user's
    agency, newest first. Answers open only to the agency that made the assessment."""
    ids = list(_with_merged([person.pk]))
    rows = (
        RiskAssessment.objects.filter(person_id__in=ids)
        .select_related("instrument", "agency", "assessed_by")
        .order_by(F("completed_at").desc(nulls_first=True), "-created_at")
    )
    history = []
    for a in rows:
        mine = may_see(user, a)
        if a.status == Status.COMPLETED or mine:
            history.append(HistoryRow(a, mine))
    return history


def assessment_for(*, user: User, pk: int, request: HttpRequest | None) -> RiskAssessment:
    """One assessment with its answers, for the agency that made it; the reading is audited."""
    assessment = get_object_or_404(
        RiskAssessment.objects.select_related("instrument", "agency", "unit", "assessed_by"),
        pk=pk,
    )
    if not may_see(user, assessment):
        raise PermissionDenied
    audit_log(
        actor=user,
        action="view",
        subject_type="risk_assessment",
        subject_id=assessment.pk,
        request=request,
        details={"person": assessment.person_id},
    )
    return assessment


def instruments_available() -> QuerySet[InstrumentVersion]:
    return InstrumentVersion.objects.filter(retired_at=None).order_by("code", "-loaded_at")


def due_reassessments(*, at: dt.datetime | None = None) -> QuerySet[RiskAssessment]:
    """Every completed assessment past its re-assessment date (at ``at``, default now) that no
    later completed assessment of the same woman (merged files included) replaced, the most
    overdue first. No access check: for system jobs (early warnings); pages use
    :func:`overdue`."""
    same_woman = (  # her file, or a file merged into it or it into (one hop)
        Q(person_id=OuterRef("person_id"))
        | Q(person__merged_into=OuterRef("person_id"))
        | Q(person_id=OuterRef("person__merged_into"))
        | Q(person__merged_into=OuterRef("person__merged_into"))
    )
    later = RiskAssessment.objects.filter(
        same_woman, status=Status.COMPLETED, completed_at__gt=OuterRef("completed_at")
    )
    return (
        RiskAssessment.objects.filter(
            status=Status.COMPLETED, next_reassessment_due__lt=at or timezone.now()
        )
        .exclude(Exists(later))
        .order_by("next_reassessment_due")
    )


def overdue(
    *, user: User, unit_id: int | None = None, assessor_id: int | None = None
) -> list[RiskAssessment]:
    """Her agency's overdue re-assessments (see :func:`due_reassessments`)."""
    if not may_assess(user) or user.agency_id is None:
        raise PermissionDenied
    qs = due_reassessments().filter(agency_id=user.agency_id)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if assessor_id is not None:
        qs = qs.filter(assessed_by_id=assessor_id)
    return list(qs.select_related("person", "unit", "assessed_by", "instrument"))


def pending_overrides(*, user: User) -> list[RiskAssessment]:
    """Requests to lower a level awaiting a supervisor of the user's agency."""
    if user.agency_id is None:
        return []
    rows = RiskAssessment.objects.filter(
        agency_id=user.agency_id, override_state=OverrideState.PENDING
    ).select_related("instrument", "person", "override_by")
    return [a for a in rows if may_lower(user, a)]
