"""Making, editing and printing a woman's safety plan; every write and export is audited.

The plan is safe to hand to her: its content is only the generated (and edited) sections and
steps. Nothing about the aggressor, no record narratives, no level, factors or change notes
reaches the PDF; those stay in ``SafetyPlan.based_on`` and the versions' notes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from violeta.agencies.models import User
from violeta.audit.services import audit_log
from violeta.people.models import Person, PersonKind
from violeta.people.services import person_in_use
from violeta.safetyplan.content import (
    PlanSection,
    check_inputs,
    content_version,
    generate_plan,
    sections_from_json,
    sections_to_json,
)
from violeta.safetyplan.models import SafetyPlan, SafetyPlanVersion
from violeta.safetyplan.selectors import may_create_plan, may_manage

MAX_NOTE = 500
BASED_ON_KEYS = {"source", "instrument", "instrument_version", "assessment"}


def _clean_based_on(based_on: dict[str, Any], level: str, factors: set[str]) -> dict[str, Any]:
    """Codes and ids only: unknown keys and anything but short strings and ints are refused."""
    unknown = sorted(set(based_on) - BASED_ON_KEYS)
    if unknown:
        raise ValidationError(_("Unknown fields in based_on: %(f)s") % {"f": ", ".join(unknown)})
    for key, value in based_on.items():
        if not (isinstance(value, int) or (isinstance(value, str) and len(value) <= 40)):
            raise ValidationError(_("based_on.%(k)s must be a code or an id.") % {"k": key})
    return {**based_on, "level": level, "factors": sorted(factors)}


@transaction.atomic
def safety_plan_create(
    person: Person,
    user: User,
    level: str,
    factors: Iterable[str],
    based_on: dict[str, Any] | None = None,
    *,
    request: HttpRequest | None = None,
) -> SafetyPlan:
    """Generate her plan from the level and factors and store it as version 1.

    ``based_on``: what the level and factors came from, e.g. ``{"instrument": "viogen-vpr",
    "instrument_version": "1", "assessment": 42}``, or ``{"source": "manual"}`` (the default).
    """
    person = person_in_use(person)
    if person.kind != PersonKind.WOMAN:
        raise ValidationError(_("Safety plans are made for women's files only."))
    if not may_create_plan(user, person) or user.agency is None:
        raise PermissionDenied
    try:
        chosen = check_inputs(level, factors)
    except ValueError as error:
        raise ValidationError(str(error)) from error
    based = _clean_based_on(based_on or {"source": "manual"}, level, chosen)
    sections = generate_plan(level, chosen, language="es-mx")
    plan = SafetyPlan.objects.create(
        person=person,
        agency=user.agency,
        created_by=user,
        based_on=based,
        content_version=content_version(),
    )
    SafetyPlanVersion.objects.create(
        plan=plan, number=1, content=json.dumps(sections_to_json(sections)), edited_by=user
    )
    audit_log(
        actor=user,
        action="create",
        subject_type="safety_plan",
        subject_id=str(plan.pk),
        request=request,
        details={"person": person.pk, "level": level, "factors": sorted(chosen), "version": 1},
    )
    return plan


def version_sections(version: SafetyPlanVersion) -> list[PlanSection]:
    return sections_from_json(json.loads(version.content))


class EditConflict(ValidationError):
    """The plan changed since the version an edit started from."""


@transaction.atomic
def safety_plan_edit(
    *,
    plan: SafetyPlan,
    user: User,
    sections: list[dict[str, Any]],
    change_note: str,
    base: int | None = None,
    request: HttpRequest | None = None,
) -> SafetyPlanVersion:
    """Store the edited sections as a new version; older versions are kept as they were.
    ``base``: the version the edit started from; if another was saved since, EditConflict."""
    if not may_manage(user, plan):
        raise PermissionDenied
    change_note = change_note.strip()
    if not change_note:
        raise ValidationError(_("Say what changed in this version."))
    if len(change_note) > MAX_NOTE:
        raise ValidationError(_("The note is longer than %(n)s characters.") % {"n": MAX_NOTE})
    try:
        cleaned = sections_from_json(sections)
    except ValueError as error:
        raise ValidationError(str(error)) from error
    SafetyPlan.objects.select_for_update().filter(pk=plan.pk).first()  # one edit at a time
    last = plan.versions.aggregate(n=Max("number"))["n"] or 0
    if base is not None and base != last:
        raise EditConflict(_("Someone saved a newer version meanwhile."))
    version = SafetyPlanVersion.objects.create(
        plan=plan,
        number=last + 1,
        content=json.dumps(sections_to_json(cleaned)),
        edited_by=user,
        change_note=change_note,
    )
    audit_log(
        actor=user,
        action="update",
        subject_type="safety_plan",
        subject_id=str(plan.pk),
        request=request,
        details={"person": plan.person_id, "version": version.number},
    )
    return version


def safety_plan_pdf(
    *,
    plan: SafetyPlan,
    version: SafetyPlanVersion,
    user: User,
    request: HttpRequest | None = None,
) -> bytes:
    """One version of the plan as a PDF in Spanish, with only its sections and steps."""
    if not may_manage(user, plan) or version.plan_id != plan.pk:
        raise PermissionDenied
    from weasyprint import HTML  # heavy: loaded only when a PDF is made

    context = {"sections": version_sections(version), "date": version.edited_at}
    with translation.override("es-mx"):
        html = render_to_string("safetyplan/plan_pdf.html", context)
    pdf = HTML(string=html).write_pdf()
    audit_log(
        actor=user,
        action="export",
        subject_type="safety_plan",
        subject_id=str(plan.pk),
        request=request,
        details={"person": plan.person_id, "version": version.number, "format": "pdf"},
    )
    assert isinstance(pdf, bytes)
    return pdf
