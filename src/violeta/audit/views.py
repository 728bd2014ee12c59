"""The auditors' pages: search the trail, verify the chain. Reading the trail is audited too."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from violeta.audit import chain
from violeta.audit.forms import AuditSearchForm
from violeta.audit.models import Action
from violeta.audit.selectors import audit_search, audit_verify, can_read_audit
from violeta.audit.services import audit_log

PAGE_SIZE = 50
# Filters whose values are codes or ids and may be written to the trail; the user name typed
# into "actor" is recorded only as "used".
LOGGED_FILTER_VALUES = ("action", "subject_type", "subject_id", "agency", "since", "until")


def _require_auditor(request: HttpRequest) -> None:
    if not can_read_audit(request.user):
        raise PermissionDenied


def _filters_for_trail(form: AuditSearchForm) -> dict[str, Any]:
    if not form.is_valid():
        return {}
    used: dict[str, Any] = {}
    for name, value in form.cleaned_data.items():
        if value in (None, ""):
            continue
        used[name] = str(value) if name in LOGGED_FILTER_VALUES else True
    return used


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "")
    return int(value) if value.isdigit() else 1


def _render(
    request: HttpRequest, form: AuditSearchForm, verification: chain.Verification | None
) -> HttpResponse:
    filters = form.filters() if form.is_valid() else {}
    entries = audit_search(user=request.user, **filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/search.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "verification": verification,
        },
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    form = AuditSearchForm(request.GET or None)
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        subject_type="audit",
        subject_id="",
        request=request,
        details={"filters": _filters_for_trail(form), "page": _page_number(request)},
    )
    return _render(request, form, None)


@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    result = audit_verify()
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        subject_type="audit",
        subject_id="",
        request=request,
        details={
            "verify": True,
            "ok": result.ok,
            "count": result.count,
            "bad_seq": result.bad_seq,
        },
    )
    return _render(request, AuditSearchForm(None), result)
