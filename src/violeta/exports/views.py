"""Her file for a request of access; the national registry's incident file for a period."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.exports.banavim import banavim_audit, banavim_rows
from violeta.exports.forms import PeriodForm, PersonExportForm
from violeta.exports.pdf import person_file_pdf
from violeta.exports.person_file import person_file_audit, person_file_data, woman_for_export
from violeta.exports.writers import chunks


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _attachment(response: HttpResponse | StreamingHttpResponse, name: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"


@require_http_methods(["GET", "POST"])
def person_export(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    person = woman_for_export(user=user, person_id=person_id)
    form = PersonExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fmt, folio = form.cleaned_data["fmt"], form.cleaned_data["folio"]
        # The file first (reads only, the PDF takes seconds), then the audit entry in its own
        # short transaction: if making the file fails, nothing is recorded as handed over.
        data = person_file_data(user=user, person=person, folio=folio)
        if fmt == "pdf":
            response = HttpResponse(person_file_pdf(data), content_type="application/pdf")
        else:
            text = json.dumps(data, ensure_ascii=False, indent=2)
            response = HttpResponse(text, content_type="application/json; charset=utf-8")
        legal_basis = form.cleaned_data["legal_basis"]
        person_file_audit(user=user, data=data, legal_basis=legal_basis, fmt=fmt, request=request)
        _attachment(response, f"expediente-{person.pk}-{timezone.localdate():%Y%m%d}.{fmt}")
        return response
    response = render(request, "exports/person_export.html", {"form": form, "person": person})
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def national_registry(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    user = _user(request)
    if not user.can(Capability.EXPORT_NATIONAL_REGISTRY):
        raise PermissionDenied
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        period, fmt = form.cleaned_data["period"], form.cleaned_data["fmt"]
        banavim_audit(actor=user, period=period, fmt=fmt, request=request)
        agency = user.agency.code if user.agency else None
        content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
        stream = chunks(fmt, banavim_rows(period), period=period, agency=agency)
        response = StreamingHttpResponse(stream, content_type=content_type)
        name = f"banavim-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{fmt}"
        _attachment(response, name)
        return response
    return render(request, "exports/national_registry.html", {"form": form})
