"""The staff queue of public reports: the routed agency's people only, every read audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from violeta.agencies.models import User
from violeta.reports import selectors, services
from violeta.reports.choices import TRANSITIONS, Status
from violeta.reports.forms import MessageForm, StatusForm
from violeta.reports.routing import reason_label


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    rows = selectors.report_queue(user=_user(request), status=status, request=request)
    return render(
        request, "reports/queue.html", {"rows": rows, "status": status, "statuses": Status}
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for(user=_user(request), pk=pk, request=request)
    allowed = [(s.value, s.label) for s in Status if s in TRANSITIONS[report.status]]
    form = StatusForm()
    form.fields["status"].choices = allowed  # type: ignore[attr-defined]
    context = {
        "report": report,
        "reason": reason_label(report.routing_reason),
        "types": report.violence_types.all(),
        "history": report.history.select_related("actor"),
        "messages_list": report.messages.select_related("staff"),
        "status_form": form if allowed else None,
        "answer_form": MessageForm() if report.status != Status.CLOSED else None,
    }
    return render(request, "reports/detail.html", context)


@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for(user=_user(request), pk=pk, request=request)
    try:
        services.report_change_status(
            report=report,
            actor=_user(request),
            status=request.POST.get("status", ""),
            seen=request.POST.get("seen") or None,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Status changed."))
    return redirect("reports:detail", pk=pk)


@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for(user=_user(request), pk=pk, request=request)
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("reports:detail", pk=pk)
    try:
        message = services.report_answer(
            report=report, actor=_user(request), text=form.cleaned_data["text"], request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if message.delivery == "failed":
            messages.error(request, _("The answer was saved but WhatsApp did not accept it."))
        else:
            messages.success(request, _("Answer sent."))
    return redirect("reports:detail", pk=pk)
