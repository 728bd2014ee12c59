"""Thin views: a user's alerts, one alert (why, evidence, acknowledge, close), the
supervisors' view and the administrators' rule thresholds."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.alerts.choices import State
from violeta.alerts.forms import NoteForm, RuleSetForm, SupervisionFilter
from violeta.alerts.models import Alert
from violeta.alerts.ruleset import active_ruleset, ruleset_save
from violeta.alerts.selectors import alert_for, my_alerts, reason_of, supervised_alerts
from violeta.alerts.services import alert_acknowledge, alert_close
from violeta.core.conflicts import EditConflict


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def mine(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in State.values:
        state = ""
    alerts = list(my_alerts(user=_user(request), state=state)[:200])
    rows = [(a, reason_of(a)) for a in alerts]
    return render(request, "alerts/mine.html", {"rows": rows, "state": state, "states": State})


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    view = alert_for(user=_user(request), pk=pk, request=request)
    return render(request, "alerts/detail.html", {"view": view, "form": NoteForm()})


def _answer(request: HttpRequest, pk: int, close: bool) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The note is too long."))
        return redirect("alerts:detail", pk=pk)
    note = form.cleaned_data["note"]
    seen = request.POST.get("seen") or alert.state  # the state her page showed
    try:
        if close:
            alert_close(alert=alert, actor=_user(request), note=note, request=request)
        else:
            alert_acknowledge(alert=alert, actor=_user(request), note=note, request=request)
    except ValidationError as error:
        alert.refresh_from_db()
        if alert.state == seen:
            messages.error(request, " ".join(error.messages))
            return redirect("alerts:detail", pk=pk)
        # Someone else answered it since her page was shown: say so, keep her note.
        messages.error(
            request,
            _(
                "Someone else changed this alert meanwhile: it is now %(state)s. Nothing of "
                "yours was saved; your note is kept below."
            )
            % {"state": alert.get_state_display().lower()},
        )
        view = alert_for(user=_user(request), pk=pk, request=request)
        return render(request, "alerts/detail.html", {"view": view, "form": form}, status=409)
    else:
        messages.success(request, _("Alert closed.") if close else _("Alert acknowledged."))
    return redirect("alerts:detail", pk=pk)


@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, close=False)


@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, close=True)


def supervise(request: HttpRequest) -> HttpResponse:
    form = SupervisionFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    unit = filters.get("unit")
    alerts = supervised_alerts(
        user=_user(request),
        level=filters.get("level") or "",
        unit_id=unit.pk if unit else None,
        older_than_hours=filters.get("older_than_hours"),
    )
    return render(request, "alerts/supervise.html", {"form": form, "alerts": alerts})


@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.can(Capability.ADMINISTER):
        raise PermissionDenied
    current = active_ruleset()
    initial = {
        "rules": json.dumps(current.rules, indent=2, ensure_ascii=False),
        "base": current.version,
    }
    form = RuleSetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = ruleset_save(
                rules=form.cleaned_data["rules"],
                actor=user,
                reason=form.cleaned_data["reason"],
                base=form.cleaned_data["base"],
            )
        except EditConflict as error:
            # Keep what she typed; saving again stores it over the version saved meanwhile.
            data = request.POST.copy()
            data["base"] = str(error.current)
            form = RuleSetForm(data)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Someone else saved rules version %(v)s meanwhile; yours were not saved. "
                    "Your text is below: compare it with version %(v)s, now in force, and save "
                    "again to store yours over it."
                )
                % {"v": error.current},
            )
            current = active_ruleset()
            context = {"form": form, "current": current}
            return render(request, "alerts/rules.html", context, status=409)
        messages.success(request, _("Rules saved as version %(v)s.") % {"v": saved.version})
        return redirect("alerts:rules")
    return render(request, "alerts/rules.html", {"form": form, "current": current})
