"""The public pages: report, see its folio once, follow it, quick exit. No login."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from violeta.reports import credentials, services
from violeta.reports.choices import Author, Channel
from violeta.reports.forms import CredentialsForm, MessageForm, ReportForm
from violeta.reports.models import PublicReport
from violeta.reports.notrace import no_trace, over_limit
from violeta.reports.routing import reason_label

CREATED_KEY = "reports_created"  # one-time display of the folio and secret
FOLLOW_KEY = "reports_follow"  # the report this browser session opened with its secret


def _limited(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    context["error"] = _(
        "Too many attempts from this connection. Wait a few minutes and try again, "
        "or call 911 if you are in danger."
    )
    return render(request, template, context, status=429)


@login_not_required
@no_trace
@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST if request.method == "POST" else None)  # empty POST: bound
    if request.method == "POST":
        if over_limit(request, "report"):
            return _limited(request, "reports/form.html", {"form": form})
        if form.is_valid():
            data = form.cleaned_data
            created = services.report_create(
                reporter_role=data["reporter_role"],
                description=data["description"],
                channel=Channel.WEB,
                violence_types=list(data["violence_types"]),
                alcaldia=data["alcaldia"],
                immediate_danger=data["immediate_danger"],
                anonymous=data["anonymous"],
                contact=data["contact"],
                request=request,
            )
            request.session[CREATED_KEY] = {
                "folio": created.report.folio,
                "secret": created.secret,
                "danger": created.report.immediate_danger,
            }
            return redirect("reports:created")
    return render(request, "reports/form.html", {"form": form})


@login_not_required
@no_trace
def report_created(request: HttpRequest) -> HttpResponse:
    """Shows the folio and secret once: the session forgets them as the page is made."""
    shown = request.session.pop(CREATED_KEY, None)
    return render(request, "reports/created.html", {"shown": shown})


def _followed(request: HttpRequest) -> PublicReport | None:
    pk = request.session.get(FOLLOW_KEY)
    return PublicReport.objects.filter(pk=pk).first() if isinstance(pk, int) else None


@login_not_required
@no_trace
@require_http_methods(["GET", "POST"])
def followup(request: HttpRequest) -> HttpResponse:
    report = _followed(request)
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "leave":
        request.session.pop(FOLLOW_KEY, None)
        return redirect("reports:followup")
    if report is None:
        form = CredentialsForm(request.POST or None)
        context: dict[str, object] = {"form": form}
        if request.method == "POST":
            if over_limit(request, "followup"):
                return _limited(request, "reports/followup_login.html", context)
            if form.is_valid():
                found = credentials.report_by_credentials(
                    folio=form.cleaned_data["folio"], secret=form.cleaned_data["secret"]
                )
                if found is not None:
                    services.report_opened(report=found, channel=Channel.WEB, request=request)
                    request.session.cycle_key()
                    request.session[FOLLOW_KEY] = found.pk
                    return redirect("reports:followup")
                # Nothing typed is echoed back: the same blank form for every wrong attempt.
                context["form"] = CredentialsForm()
                context["error"] = _("The folio or the secret key is not right. Check both.")
        return render(request, "reports/followup_login.html", context)
    message_form = MessageForm(request.POST if action == "add" else None)
    if action == "add":
        if over_limit(request, "message"):
            context = {"report": report, "form": message_form}
            return _limited(request, "reports/followup.html", context)
        if message_form.is_valid():
            try:
                services.report_add_information(
                    report=report,
                    text=message_form.cleaned_data["text"],
                    channel=Channel.WEB,
                    request=request,
                )
            except ValidationError as error:
                message_form.add_error("text", error)
            else:
                request.session["reports_added"] = True
                return redirect("reports:followup")
    context = {
        "report": report,
        "form": message_form,
        "history": report.history.all(),
        "messages_list": report.messages.all(),
        "added": request.session.pop("reports_added", False),
        "reason": reason_label(report.routing_reason),
        "staff": Author.STAFF,
    }
    return render(request, "reports/followup.html", context)


@login_not_required
def quick_exit(request: HttpRequest) -> HttpResponse:
    """Forget this browser's session and its stored data, and go to a neutral site."""
    request.session.flush()
    response = redirect(settings.VIOLETA_REPORTS_QUICK_EXIT_URL)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
