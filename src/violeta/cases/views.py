"""Supervisors: follow-ups in supervised state, and closing one with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from violeta.agencies.models import User
from violeta.cases.forms import CloseForm
from violeta.cases.models import CaseFollowUp, CaseState
from violeta.cases.selectors import supervised_cases
from violeta.cases.services import case_close
from violeta.risk.selectors import current_levels


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def supervised(request: HttpRequest, unsaved: str = "", status: int = 200) -> HttpResponse:
    rows = supervised_cases(user=_user(request), request=request)
    levels = current_levels(r.case.person_id for r in rows)  # her level before closing
    context = {"rows": rows, "form": CloseForm(), "levels": levels, "unsaved": unsaved}
    return render(request, "cases/supervised.html", context, status=status)


@require_POST
def close(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = get_object_or_404(CaseFollowUp, pk=case_id, agency_id=user.agency_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the follow-up is closed."))
        return redirect("cases:supervised")
    try:
        case_close(case=case, actor=user, reason=form.cleaned_data["reason"], request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        case.refresh_from_db()
        if case.state == CaseState.CLOSED:  # closed by someone else: keep what she wrote
            return supervised(request, unsaved=form.cleaned_data["reason"], status=409)
    else:
        messages.success(request, _("The follow-up was closed."))
    return redirect("cases:supervised")
