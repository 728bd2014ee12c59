"""Issue a certificate from her file, download it, revoke it; the public verification page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.certificates.forms import IssueForm, RevokeForm, VerifyForm
from violeta.certificates.models import Certificate
from violeta.certificates.services import (
    certificate_issue,
    certificate_pdf,
    certificate_revoke,
    certificate_verify,
)
from violeta.people.models import Person, PersonKind

# Failed look-ups allowed per client address and hour. The codes carry 78 bits, so this is
# not what keeps them unguessable; it keeps the page from being used as an oracle at scale.
# The count lives in Django's cache: per process with the default in-memory cache.
FAILURES_PER_HOUR = 20


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require_http_methods(["GET", "POST"])
def issue(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    if not user.can(Capability.ISSUE_CERTIFICATES) or user.agency is None:
        raise PermissionDenied
    person = get_object_or_404(Person, pk=person_id, kind=PersonKind.WOMAN)
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = certificate_issue(
                person=person,
                actor=user,
                purpose=form.cleaned_data["purpose"],
                investigation=form.cleaned_data["investigation"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Certificate issued. Download it and hand it over."))
            return redirect("certificates:detail", code=certificate.code)
    return render(request, "certificates/issue.html", {"form": form, "person": person})


def detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    certificate = get_object_or_404(Certificate.objects.select_related("agency"), code=code)
    if not user.can(Capability.ISSUE_CERTIFICATES) or user.agency_id != certificate.agency_id:
        raise PermissionDenied
    context = {
        "certificate": certificate,
        "can_revoke": user.can(Capability.REVOKE_CERTIFICATES),
        "form": RevokeForm(),
    }
    return render(request, "certificates/detail.html", context)


def download(request: HttpRequest, code: str) -> HttpResponse:
    certificate = get_object_or_404(Certificate, code=code)
    pdf = certificate_pdf(certificate=certificate, actor=_user(request), request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="constancia-{code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def revoke(request: HttpRequest, code: str) -> HttpResponse:
    certificate = get_object_or_404(Certificate, code=code)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the certificate is revoked."))
        return redirect("certificates:detail", code=code)
    try:
        certificate_revoke(
            certificate=certificate,
            actor=_user(request),
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The certificate was revoked."))
    return redirect("certificates:detail", code=code)


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Public: anyone holding a certificate checks it by its code; nobody learns whose it is."""
    form = VerifyForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        key = f"certificate-verify-failures:{request.META.get('REMOTE_ADDR', '')}"
        if cache.get(key, 0) >= FAILURES_PER_HOUR:
            form.add_error(None, _("Too many unknown codes from this address. Try again later."))
            status = 429
        else:
            result = certificate_verify(code=form.cleaned_data["code"], request=request)
            if result.status == "unknown":
                cache.add(key, 0, timeout=3600)
                cache.incr(key)
    return render(
        request, "certificates/verify.html", {"form": form, "result": result}, status=status
    )
