"""Make a plan from her file, read it and its history, edit it, print it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from violeta.agencies.models import User
from violeta.people.models import Person, PersonKind
from violeta.safetyplan.choices import LEVEL_RANK, Factor, PlanLevel
from violeta.safetyplan.forms import CreateForm, NoteForm, edit_rows, sections_from_post
from violeta.safetyplan.selectors import may_create_plan, plan_basis, plan_for, plan_prefill
from violeta.safetyplan.services import (
    safety_plan_create,
    safety_plan_edit,
    safety_plan_pdf,
    version_sections,
)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _level_label(level: str) -> str:
    """VioGén's levels by their label; Danger Assessment's (not translated) as they are."""
    if level in PlanLevel.values:
        return str(PlanLevel(level).label)
    return level if level in LEVEL_RANK else ""


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    person = get_object_or_404(Person, pk=person_id, kind=PersonKind.WOMAN)
    if not may_create_plan(user, person):
        raise PermissionDenied
    initial = plan_prefill(user=user, person=person, request=request) if not request.POST else {}
    form = CreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = safety_plan_create(
                person,
                user,
                form.cleaned_data["level"],
                set(form.cleaned_data["factors"]),
                plan_basis(person, form.cleaned_data["level"]),
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Safety plan created. Review it with her and edit it."))
            return redirect("safetyplan:detail", plan_id=plan.pk)
    return render(request, "safetyplan/create.html", {"form": form, "person": person})


def detail(request: HttpRequest, plan_id: int, number: int | None = None) -> HttpResponse:
    plan, version = plan_for(user=_user(request), plan_id=plan_id, request=request, number=number)
    context = {
        "plan": plan,
        "version": version,
        "sections": version_sections(version),
        "versions": plan.versions.select_related("edited_by"),
        "latest": plan.versions.first(),
        "level": _level_label(str(plan.based_on.get("level", ""))),
        "factors": [
            str(Factor(f).label) for f in plan.based_on.get("factors", []) if f in Factor.values
        ],
    }
    return render(request, "safetyplan/detail.html", context)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    plan, version = plan_for(user=user, plan_id=plan_id, request=request)
    sections = version_sections(version)
    form = NoteForm(request.POST or None, initial={"base": version.number})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["base"] != version.number:
            form.add_error(None, _("Someone saved a newer version meanwhile: edit that one."))
        else:
            try:
                safety_plan_edit(
                    plan=plan,
                    user=user,
                    sections=sections_from_post(request.POST, sections),
                    change_note=form.cleaned_data["change_note"],
                    base=version.number,
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("A new version of the plan was saved."))
                return redirect("safetyplan:detail", plan_id=plan.pk)
    typed = request.method == "POST" and request.POST.get("base") == str(version.number)
    rows = edit_rows(sections, request.POST if typed else None)
    context = {"plan": plan, "version": version, "sections": rows, "form": form}
    return render(request, "safetyplan/edit.html", context, status=400 if form.errors else 200)


def pdf(request: HttpRequest, plan_id: int, number: int | None = None) -> HttpResponse:
    user = _user(request)
    plan, version = plan_for(user=user, plan_id=plan_id, request=request, number=number)
    content = safety_plan_pdf(plan=plan, version=version, user=user, request=request)
    response = HttpResponse(content, content_type="application/pdf")
    name = f"plan-de-seguridad-{plan.pk}-v{version.number}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
