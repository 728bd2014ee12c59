"""Who may see and write a woman's safety plans, and loading them: need-to-know lives here.

A plan belongs to the agency that made it: its caseworkers and supervisors read, edit and print
it. A new plan is made by a caseworker or supervisor of an agency that attended her (one with a
record of her). Every reading of a plan is audited.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.audit.services import audit_log
from violeta.people.models import Person
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord
from violeta.records.selectors import current_risk_level
from violeta.risk.indicators import file_indicators
from violeta.risk.selectors import current_factors, current_level
from violeta.safetyplan.models import SafetyPlan, SafetyPlanVersion


def her_agencies(person: Person) -> set[int]:
    return set(
        AgencyRecord.objects.filter(parties__person=person, parties__role=PartyRole.VICTIM)
        .values_list("agency_id", flat=True)
        .distinct()
    )


def may_create_plan(user: User, person: Person) -> bool:
    return (
        user.can(Capability.MANAGE_SAFETY_PLANS)
        and user.agency_id is not None
        and user.agency_id in her_agencies(person)
    )


def may_manage(user: User, plan: SafetyPlan) -> bool:
    return user.can(Capability.MANAGE_SAFETY_PLANS) and user.agency_id == plan.agency_id


def plans_for(*, user: User, person: Person) -> list[SafetyPlan]:
    """Her plans made by the user's agency (for her file page; the page's read is audited),
    with those made for a file later merged into hers."""
    if not user.can(Capability.MANAGE_SAFETY_PLANS) or user.agency_id is None:
        return []
    hers = Q(person=person) | Q(person__merged_into=person)
    return list(SafetyPlan.objects.filter(hers, agency_id=user.agency_id))


def plan_for(
    *, user: User, plan_id: int, request: HttpRequest | None, number: int | None = None
) -> tuple[SafetyPlan, SafetyPlanVersion]:
    """A plan and one of its versions (the newest unless ``number``); the read is audited."""
    plan = get_object_or_404(SafetyPlan.objects.select_related("agency"), pk=plan_id)
    if not may_manage(user, plan):
        raise PermissionDenied
    versions = plan.versions.select_related("edited_by")
    version = get_object_or_404(versions, number=number) if number is not None else versions.first()
    if version is None:  # a plan is always created with its first version
        raise PermissionDenied
    audit_log(
        actor=user,
        action="view",
        subject_type="safety_plan",
        subject_id=str(plan.pk),
        request=request,
        details={"person": plan.person_id, "version": version.number},
    )
    return plan, version


def plan_prefill(*, user: User, person: Person, request: HttpRequest | None) -> dict[str, object]:
    """The new plan's form prefilled from her file: the level of her latest completed risk
    assessment (on the common scale; else the newest level a record states) and the factors
    of its answers and of her file's indicators. Reading them is audited."""
    if not may_create_plan(user, person):
        raise PermissionDenied
    assessed = current_level(person.pk)
    if assessed is not None:
        level = assessed.equivalent
        factors = sorted(file_indicators(person.pk).factors() | current_factors(person.pk))
    else:
        records = AgencyRecord.objects.filter(
            parties__person=person, parties__role=PartyRole.VICTIM
        )
        level = current_risk_level(list(records.only("occurred_at", "risk_level")))
        factors = sorted(file_indicators(person.pk).factors())
    audit_log(
        actor=user,
        action="view",
        subject_type="person",
        subject_id=str(person.pk),
        request=request,
        details={"for": "safety_plan", "factors": factors},
    )
    return {"level": level, "factors": factors}


def plan_basis(person: Person, level: str) -> dict[str, str | int]:
    """What a new plan at ``level`` rests on: her latest assessment when the level chosen is
    its level, otherwise the caseworker's own choice."""
    assessed = current_level(person.pk)
    if assessed is None or assessed.equivalent != level:
        return {"source": "manual"}
    code, _space, version = assessed.instrument.partition(" v")
    return {
        "source": "assessment",
        "instrument": code,
        "instrument_version": version,
        "assessment": assessed.assessment_id,
    }
