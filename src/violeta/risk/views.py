"""Thin views: start an assessment from her file, answer it, see why, change the level; the
overdue list and the override report."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from violeta.agencies.models import Unit, User
from violeta.audit.services import audit_log
from violeta.core.conflicts import EditConflict
from violeta.people.models import Person, PersonKind
from violeta.risk import scoring, selectors, services
from violeta.risk.access import may_assess, may_lower
from violeta.risk.choices import OverrideState, Status
from violeta.risk.definition import localized
from violeta.risk.forms import VERSION_FIELD, AnswersForm, DecisionForm, OverrideForm, StartForm
from violeta.risk.models import InstrumentVersion, RiskAssessment
from violeta.risk.report import override_report


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _suggested(person: Person) -> int | None:
    """A follow-up form when she was assessed before, else the deployment's first form."""
    followup = selectors.current_level(person.pk) is not None
    first_code = getattr(settings, "RISK_FIRST_INSTRUMENT", "vpr")
    for instrument in selectors.instruments_available():
        if (followup and instrument.parsed.kind == "followup") or (
            not followup and instrument.code == first_code
        ):
            return instrument.pk
    return None


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    if not may_assess(user):
        raise PermissionDenied
    person = get_object_or_404(Person, pk=person_id, kind=PersonKind.WOMAN)
    form = StartForm(request.POST or None, initial={"instrument": _suggested(person)})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_start(
                person=person,
                instrument=form.cleaned_data["instrument"],
                actor=user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("risk:answer", pk=assessment.pk)
    return render(request, "risk/start.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    assessment = selectors.assessment_for(user=user, pk=pk, request=request)
    if assessment.status != Status.DRAFT:
        return redirect("risk:detail", pk=pk)
    definition = assessment.instrument.parsed
    initial: dict[str, object] = {k: str(v) for k, v in assessment.answer_dict().items()}
    initial[VERSION_FIELD] = assessment.version
    form = AnswersForm(definition, request.POST or None, initial=initial)
    missing: list[scoring.Item] = []
    conflict: list[tuple[scoring.Item, str]] | None = None
    if request.method == "POST" and form.is_valid():
        raw = {i.id: form.cleaned_data.get(i.id, "") for i in definition.items}
        complete = request.POST.get("action") == "complete"
        try:
            outcome = services.assessment_save(
                assessment=assessment,
                answers=raw,
                complete=complete,
                actor=user,
                base=form.cleaned_data[VERSION_FIELD],
                request=request,
            )
        except EditConflict as error:
            form, conflict = _conflict(assessment, definition, request, raw, int(error.current))
        except scoring.AnswerError as error:
            for item_id, message in error.errors.items():
                form.add_error(item_id if item_id in form.fields else None, message)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if outcome.completed:
                messages.success(request, _("Assessment completed."))
                return redirect("risk:detail", pk=pk)
            missing = outcome.missing
            if not complete:
                messages.success(request, _("Draft saved."))
                return redirect("risk:answer", pk=pk)
            # Her answers were saved as a draft: the form shown again starts from that version,
            # or her next save would be taken for someone else's.
            data = request.POST.copy()
            data[VERSION_FIELD] = str(
                RiskAssessment.objects.values_list("version", flat=True).get(pk=assessment.pk)
            )
            form = AnswersForm(definition, data)
            form.is_valid()
            for item in missing:
                form.add_error(item.id, _("Required to complete the assessment."))
    context = {"assessment": assessment, "form": form, "missing": missing, "conflict": conflict}
    return render(request, "risk/answer.html", context, status=409 if conflict else 200)


def _conflict(
    assessment: RiskAssessment,
    definition: scoring.Definition,
    request: HttpRequest,
    mine: dict[str, object],
    current: int,
) -> tuple[AnswersForm, list[tuple[scoring.Item, str]]]:
    """Her answers again, on top of the version saved meanwhile (saving again stores hers
    over it), and the items where the saved answers differ from hers."""
    data = request.POST.copy()
    data[VERSION_FIELD] = str(current)
    form = AnswersForm(definition, data)
    form.is_valid()
    saved = RiskAssessment.objects.get(pk=assessment.pk).answer_dict()
    differ = [
        (item, _shown(item, saved.get(item.id)))
        for item in definition.items
        if str(saved.get(item.id, "")) != str(mine.get(item.id) or "")
    ]
    return form, differ


def _shown(item: scoring.Item, value: object) -> str:
    """An answer as the form shows it: the option's label, or the number."""
    if value is None:
        return ""
    labels = {o.value: localized(o.label) for o in item.options}
    return labels.get(str(value), str(value))


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    assessment = selectors.assessment_for(user=user, pk=pk, request=request)
    if assessment.status == Status.DRAFT:
        return redirect("risk:answer", pk=pk)
    definition = assessment.instrument.parsed
    can_override = assessment.override_state in ("", OverrideState.REJECTED)
    context = {
        "assessment": assessment,
        "definition": definition,
        "explanation": scoring.explain(definition, assessment.answer_dict()),
        "final": definition.level(assessment.final_level),
        "override_form": OverrideForm(definition, initial={"level": assessment.final_level})
        if can_override
        else None,
        "may_lower": may_lower(user, assessment),
        "decision_form": DecisionForm()
        if assessment.override_state == OverrideState.PENDING and may_lower(user, assessment)
        else None,
    }
    return render(request, "risk/detail.html", context)


@require_POST
def override(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    assessment = selectors.assessment_for(user=user, pk=pk, request=request)
    form = OverrideForm(assessment.instrument.parsed, request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a level and say why."))
        return redirect("risk:detail", pk=pk)
    try:
        done = services.level_override(
            assessment=assessment,
            level=form.cleaned_data["level"],
            reason=form.cleaned_data["reason"],
            actor=user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if done.override_state == OverrideState.PENDING:
            messages.success(request, _("Lowering the level awaits a supervisor's approval."))
        else:
            messages.success(request, _("The final level was changed."))
    return redirect("risk:detail", pk=pk)


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    assessment = selectors.assessment_for(user=user, pk=pk, request=request)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Approve or reject the request."))
        return redirect("risk:detail", pk=pk)
    try:
        services.override_decide(
            assessment=assessment,
            approve=form.cleaned_data["approve"],
            reason=form.cleaned_data["reason"],
            actor=user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("risk:detail", pk=pk)


def _int(value: str | None) -> int | None:
    """A database id from a query string, or None ("²" is a digit to Python, not to int)."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def follow_up(request: HttpRequest) -> HttpResponse:
    """Re-assessments overdue in the user's agency, by unit and by professional; and, for
    supervisors, requests to lower a level awaiting them."""
    user = _user(request)
    unit_id, assessor_id = _int(request.GET.get("unit")), _int(request.GET.get("assessor"))
    if request.GET.get("mine"):
        assessor_id = user.pk
    rows = selectors.overdue(user=user, unit_id=unit_id, assessor_id=assessor_id)
    pending = selectors.pending_overrides(user=user)
    by_unit: dict[str, int] = {}
    by_assessor: dict[str, int] = {}
    for a in rows:
        unit = str(a.unit.name) if a.unit else "—"
        by_unit[unit] = by_unit.get(unit, 0) + 1
        by_assessor[a.assessed_by.username] = by_assessor.get(a.assessed_by.username, 0) + 1
    audit_log(
        actor=user,
        action="search",
        subject_type="risk_assessment",
        subject_id="",
        request=request,
        details={
            "list": "overdue",
            "results": [a.pk for a in rows],
            "pending": [a.pk for a in pending],
        },
    )
    context = {
        "rows": rows,
        "by_unit": sorted(by_unit.items()),
        "by_assessor": sorted(by_assessor.items()),
        "units": Unit.objects.filter(agency=user.agency),
        "unit_id": unit_id,
        "pending": pending,
    }
    return render(request, "risk/follow_up.html", context)


def overrides(request: HttpRequest) -> HttpResponse:
    codes = sorted(set(InstrumentVersion.objects.values_list("code", flat=True)))
    code = request.GET.get("instrument", "")
    code = code if code in codes else ""  # anything else (a NUL byte, a typo): all instruments
    rows = override_report(user=_user(request), instrument_code=code)
    context = {"rows": rows, "code": code, "codes": codes}
    return render(request, "risk/overrides.html", context)
