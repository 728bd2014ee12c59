"""Every write on assessments: started, answered, completed and overridden; each audited in the
same transaction (instrument versions: :mod:`violeta.risk.versions`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from violeta.agencies.models import User
from violeta.audit.services import audit_log
from violeta.cases.services import activity_touch
from violeta.core.conflicts import EditConflict
from violeta.people.models import Person, PersonKind
from violeta.people.services import person_in_use, person_lock
from violeta.risk import schedule, scoring
from violeta.risk.access import may_assess, may_lower, may_see
from violeta.risk.choices import Direction, OverrideState, Status
from violeta.risk.definition import Item
from violeta.risk.models import InstrumentVersion, RiskAssessment


@transaction.atomic
def assessment_start(
    *,
    person: Person,
    instrument: InstrumentVersion,
    actor: User,
    request: HttpRequest | None = None,
) -> RiskAssessment:
    if not may_assess(actor) or actor.agency is None:
        raise PermissionDenied
    if person.kind != PersonKind.WOMAN:
        raise ValidationError(_("Risk is assessed for women's files only."))
    if instrument.retired_at is not None:
        raise ValidationError(
            _("%(instrument)s is retired: use a current version.") % {"instrument": instrument}
        )
    person = person_in_use(person)
    person_lock(person)  # two requests arriving together: the second finds the first's draft
    draft = RiskAssessment.objects.filter(
        person=person, instrument=instrument, assessed_by=actor, status=Status.DRAFT
    ).first()
    if draft is not None:  # a double submit, or coming back to it: her draft, not a second one
        return draft
    assessment = RiskAssessment.objects.create(
        person=person,
        agency=actor.agency,
        unit=actor.unit,
        assessed_by=actor,
        instrument=instrument,
    )
    audit_log(
        actor=actor,
        action="create",
        subject_type="risk_assessment",
        subject_id=assessment.pk,
        request=request,
        details={"person": person.pk, "instrument": str(instrument)},
    )
    return assessment


@dataclass
class SaveOutcome:
    assessment: RiskAssessment
    missing: list[Item]

    @property
    def completed(self) -> bool:
        return self.assessment.status == Status.COMPLETED


@transaction.atomic
def assessment_save(
    *,
    assessment: RiskAssessment,
    answers: dict[str, Any],
    complete: bool,
    actor: User,
    base: int | None = None,
    merge: bool = False,
    request: HttpRequest | None = None,
) -> SaveOutcome:
    """Save the answers; with ``complete``, score it unless required items are unanswered
    (then it stays a draft and the missing items are returned). Answers that are not allowed
    raise :class:`scoring.AnswerError` naming each item, and nothing is stored.

    ``base``: the version the edit started from; if another save came since, EditConflict
    (nothing stored). ``merge``: ``answers`` change only the items they name (None clears
    one), applied to the answers as saved, under the row's lock."""
    if not may_see(actor, assessment):
        raise PermissionDenied
    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != Status.DRAFT:
        raise ValidationError(_("A completed assessment can't be changed: start a new one."))
    if base is not None and base != assessment.version:
        raise EditConflict(
            _("Someone else saved this assessment meanwhile."), current=assessment.version
        )
    if merge:
        answers = {**assessment.answer_dict(), **answers}
    definition = assessment.instrument.parsed
    cleaned = scoring.clean_answers(definition, answers)
    assessment.answers = json.dumps(cleaned, ensure_ascii=False)
    assessment.version += 1
    fields = ["answers", "version", "updated_at"]
    missing = scoring.missing_required(definition, cleaned) if complete else []
    if complete and not missing:
        explanation = scoring.explain(definition, cleaned)
        now = timezone.now()
        assessment.status = Status.COMPLETED
        assessment.score = explanation.total
        assessment.computed_level = assessment.final_level = explanation.level.code
        assessment.final_equivalent = explanation.level.equivalent
        assessment.completed_at = now
        assessment.next_reassessment_due = schedule.due_after(explanation.level, now)
        fields += [
            "status",
            "score",
            "computed_level",
            "final_level",
            "final_equivalent",
            "completed_at",
            "next_reassessment_due",
        ]
    assessment.save(update_fields=fields)
    details: dict[str, Any] = {
        "person": assessment.person_id,
        "answered": len(cleaned),
        "status": assessment.status,
    }
    if complete:
        details["missing"] = [i.id for i in missing]
    if assessment.status == Status.COMPLETED:
        details |= {"score": assessment.score, "level": assessment.computed_level}
    audit_log(
        actor=actor,
        action="update",
        subject_type="risk_assessment",
        subject_id=assessment.pk,
        request=request,
        details=details,
    )
    if assessment.completed_at is not None:  # her follow-up at this agency stays active
        activity_touch(
            assessment.person_id, assessment.agency_id, assessment.completed_at, actor=actor
        )
        _alerts(assessment)
    return SaveOutcome(assessment, missing)


def _alerts(assessment: RiskAssessment) -> None:
    """Early warnings over her file, in this transaction (imported late: alerts read risk)."""
    from violeta.alerts.hooks import assessment_changed

    assessment_changed(assessment)


def _set_final(assessment: RiskAssessment, code: str) -> None:
    level = assessment.instrument.parsed.level(code)
    assert level is not None
    assessment.final_level = code
    assessment.final_equivalent = level.equivalent
    start = assessment.completed_at or timezone.now()
    assessment.next_reassessment_due = schedule.due_after(level, start)


OVERRIDE_FIELDS = [
    "override_direction",
    "override_level",
    "override_reason",
    "override_state",
    "override_by",
    "override_approved_by",
    "override_decided_at",
    "final_level",
    "final_equivalent",
    "next_reassessment_due",
]


@transaction.atomic
def level_override(
    *,
    assessment: RiskAssessment,
    level: str,
    reason: str,
    actor: User,
    request: HttpRequest | None = None,
) -> RiskAssessment:
    """The professional's judgement. Raising takes effect at once, with a reason; lowering
    needs a supervisor of the same agency: hers takes effect, anyone else's waits for one."""
    if not may_see(actor, assessment):
        raise PermissionDenied
    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != Status.COMPLETED:
        raise ValidationError(_("Complete the assessment before changing its level."))
    if assessment.override_state in (OverrideState.PENDING, OverrideState.APPROVED):
        raise ValidationError(_("This assessment's level was already changed or is awaiting one."))
    definition = assessment.instrument.parsed
    if definition.level(level) is None:
        raise ValidationError(
            _("«%(level)s» is not a level of this instrument.") % {"level": level}
        )
    if not reason.strip():
        raise ValidationError(_("Say why the level is changed."))
    rank, computed = definition.rank(level), definition.rank(assessment.computed_level)
    if rank == computed:
        raise ValidationError(_("Choose a level other than the computed one."))
    direction = Direction.UP if rank > computed else Direction.DOWN
    immediate = direction == Direction.UP or may_lower(actor, assessment)
    now = timezone.now()
    assessment.override_direction = direction
    assessment.override_level = level
    assessment.override_reason = reason.strip()
    assessment.override_by = actor
    assessment.override_state = OverrideState.APPROVED if immediate else OverrideState.PENDING
    assessment.override_approved_by = actor if immediate and direction == Direction.DOWN else None
    assessment.override_decided_at = now if immediate else None
    if immediate:
        _set_final(assessment, level)
    assessment.save(update_fields=OVERRIDE_FIELDS)
    audit_log(
        actor=actor,
        action="update",
        subject_type="risk_assessment",
        subject_id=assessment.pk,
        request=request,
        reason=reason.strip(),
        details={
            "operation": "override",
            "direction": direction,
            "computed": assessment.computed_level,
            "asked": level,
            "state": assessment.override_state,
        },
    )
    if immediate:
        _alerts(assessment)
    return assessment


@transaction.atomic
def override_decide(
    *,
    assessment: RiskAssessment,
    approve: bool,
    actor: User,
    reason: str = "",
    request: HttpRequest | None = None,
) -> RiskAssessment:
    """A supervisor of the same agency approves or rejects a request to lower the level."""
    if not may_lower(actor, assessment):
        raise PermissionDenied
    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.override_state != OverrideState.PENDING:
        raise ValidationError(_("Nothing awaits a decision on this assessment."))
    assessment.override_state = OverrideState.APPROVED if approve else OverrideState.REJECTED
    assessment.override_approved_by = actor
    assessment.override_decided_at = timezone.now()
    if approve:
        _set_final(assessment, assessment.override_level)
    assessment.save(update_fields=OVERRIDE_FIELDS)
    audit_log(
        actor=actor,
        action="update",
        subject_type="risk_assessment",
        subject_id=assessment.pk,
        request=request,
        reason=reason.strip(),
        details={
            "operation": "override_decision",
            "state": assessment.override_state,
            "final": assessment.final_level,
        },
    )
    if approve:
        _alerts(assessment)
    return assessment
