"""Thin views: refer her from her file; the receiving agency's queue; answers; overdue list."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.people.models import Person, PersonKind
from violeta.referrals import selectors, services
from violeta.referrals.choices import ReferralStatus
from violeta.referrals.forms import OutcomeForm, ReasonForm, ReferralForm
from violeta.referrals.models import Referral


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _supervises(user: User) -> bool:
    return user.can(Capability.SUPERVISE_CASES)


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    if not user.can(Capability.REFER) or user.agency_id is None:
        raise PermissionDenied
    person = get_object_or_404(Person, pk=person_id, kind=PersonKind.WOMAN)
    form = ReferralForm(request.POST or None, user=user, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_create(
                actor=user,
                person=person,
                to_agency=data["to_agency"],
                to_unit=data["to_unit"],
                service=data["service"],
                reason=data["reason"],
                narrative=data["narrative"],
                record=data["record"],
                consent_given=data["consent_given"] == "yes",
                consent_method=data["consent_method"],
                consent_scope=data["consent_scope"],
                override=data.get("override", False),
                override_scope=data.get("override_scope", []),
                override_reason=data.get("override_reason", ""),
                form_token=data.get("form_token", ""),
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Referral sent. The receiving agency sees it now."))
            return redirect("referrals:detail", pk=referral.pk)
    if request.method == "POST" and form.errors:
        messages.error(request, _("The referral was not sent: correct the fields marked below."))
    return render(request, "referrals/create.html", {"form": form, "person": person})


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.referral_for(user=_user(request), referral_id=pk, request=request)
    return _detail_page(request, view)


def _detail_page(
    request: HttpRequest, view: selectors.ReferralView, unsaved: str = "", status: int = 200
) -> HttpResponse:
    status_now = view.referral.status
    context = {
        "view": view,
        "r": view.referral,
        "can_answer": view.side == "received" and status_now == ReferralStatus.PENDING,
        "can_complete": view.side == "received" and status_now == ReferralStatus.ACCEPTED,
        "can_cancel": view.side == "sent"
        and status_now in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED),
        "reason_form": ReasonForm(),
        "outcome_form": OutcomeForm(),
        "unsaved": unsaved,
    }
    return render(request, "referrals/detail.html", context, status=status)


def _answer(
    request: HttpRequest, pk: int, act: Callable[[Referral, User, str], object], done: str
) -> HttpResponse:
    user = _user(request)
    view = selectors.referral_for(user=user, referral_id=pk, request=request)
    text = request.POST.get("reason", request.POST.get("outcome", ""))
    seen = request.POST.get("seen") or view.referral.status  # the status her page showed
    if seen == view.referral.status:
        try:
            act(view.referral, user, text)
        except ValidationError as error:
            view.referral.refresh_from_db()
            if view.referral.status == seen:  # her input is at fault, not someone else
                messages.error(request, " ".join(error.messages))
                return redirect("referrals:detail", pk=pk)
        else:
            messages.success(request, done)
            return redirect("referrals:detail", pk=pk)
    # Someone else answered it since her page was shown: say so, and keep what she wrote.
    messages.error(
        request,
        _(
            "Someone else changed this referral meanwhile: it is now %(status)s. Nothing "
            "of yours was saved; what you wrote is kept below."
        )
        % {"status": view.referral.get_status_display().lower()},
    )
    return _detail_page(request, view, unsaved=text, status=409)


@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        lambda r, u, _t: services.referral_accept(referral=r, actor=u, request=request),
        _("Referral accepted."),
    )


@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        lambda r, u, t: services.referral_decline(referral=r, actor=u, reason=t, request=request),
        _("Referral declined."),
    )


@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        lambda r, u, t: services.referral_complete(referral=r, actor=u, outcome=t, request=request),
        _("Outcome recorded; the referral is completed."),
    )


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        lambda r, u, t: services.referral_cancel(referral=r, actor=u, reason=t, request=request),
        _("Referral cancelled."),
    )


def received(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    queue = selectors.received_queue(user=user, request=request)
    context = {"queue": queue, "side": "received", "can_overdue": _supervises(user)}
    return render(request, "referrals/queue.html", context)


def sent(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    queue = selectors.sent_queue(user=user, request=request)
    context = {"queue": queue, "side": "sent", "can_overdue": _supervises(user)}
    return render(request, "referrals/queue.html", context)


def overdue(request: HttpRequest) -> HttpResponse:
    result = selectors.overdue_for(user=_user(request), request=request)
    return render(request, "referrals/overdue.html", {"overdue": result})
