"""Thin views: parse, load through a selector, call a service, render."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.cases.selectors import cases_on_file
from violeta.certificates.services import certificates_for
from violeta.exports.person_file import may_export_file
from violeta.linkage.models import ReviewReason
from violeta.linkage.realtime import REVIEW_IF_DENIED, candidates_for
from violeta.linkage.services import review_request
from violeta.linkage.unlinked import unlinked_count
from violeta.people.models import Person
from violeta.records import selectors
from violeta.records.choices import PartyRole, RecordSource
from violeta.records.forms import IDENTITY_FIELDS, RecordForm, SearchForm
from violeta.records.services import RegisterOutcome, record_register
from violeta.records.statistics import statistics_for
from violeta.records.validation import Catalogs, RecordInput
from violeta.referrals.selectors import referrals_on_file
from violeta.risk.indicator_rows import indicator_rows
from violeta.risk.indicators import file_indicators
from violeta.safetyplan.selectors import may_create_plan, plans_for


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "records/home.html",
        {
            "can_search": user.can(Capability.SEARCH_PEOPLE),
            "can_register": user.can(Capability.REGISTER_RECORDS) and user.agency_id,
            "can_stats": user.can(Capability.VIEW_STATISTICS),
            "can_banavim": user.can(Capability.EXPORT_NATIONAL_REGISTRY),
            "can_audit": user.can(Capability.READ_AUDIT),
            "can_admin": user.can(Capability.ADMINISTER),
            "unlinked": unlinked_count(user=user),
        },
    )


@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Search by POST so that names never appear in URLs, logs or the browser history."""
    user = _user(request)
    if not user.can(Capability.SEARCH_PEOPLE):
        raise PermissionDenied
    form = SearchForm(request.POST or None)
    hits = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        criteria = selectors.SearchCriteria(
            curp=data["curp"],
            phone=data["phone"],
            given_names=data["given_names"],
            first_surname=data["first_surname"],
            second_surname=data["second_surname"],
            birth_date=data["birth_date"],
        )
        hits = selectors.people_search(user=user, criteria=criteria, request=request)
    return render(request, "records/search.html", {"form": form, "hits": hits})


def person_file(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    file = selectors.person_file_for(user=user, person_id=person_id, request=request)
    context: dict[str, object] = {
        "file": file,
        "can_register": user.can(Capability.REGISTER_RECORDS) and user.agency_id,
        "can_review": user.can(Capability.REVIEW_LINKS),
        "can_certify": user.can(Capability.ISSUE_CERTIFICATES) and user.agency_id,
        "certificates": certificates_for(user=user, person=file.person),
        "can_refer": user.can(Capability.REFER) and user.agency_id,
        "referrals": referrals_on_file(user=user, person=file.person, request=request),
        "followups": cases_on_file(user=user, person=file.person),
        "can_plan": may_create_plan(user, file.person),
        "safety_plans": plans_for(user=user, person=file.person),
        "can_export": may_export_file(user, file.person),
    }
    indicators = file_indicators(file.person.pk)
    context["indicators"] = indicators
    context["indicator_rows"] = indicator_rows(indicators, {v.record.pk for v in file.records})
    return render(request, "records/person_file.html", context)


def _new_folio(agency_code: str) -> str:
    return f"{agency_code}-WEB-{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"


def _id_or_404(value: str) -> int:
    """A person's id sent by the page: ASCII digits that fit the database, else 404 ("²" is a
    digit to str.isdigit() but not to int(); 30 digits overflow the column)."""
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise Http404
    return int(value)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.can(Capability.REGISTER_RECORDS) or user.agency is None:
        raise PermissionDenied
    person: Person | None = None
    person_id = request.GET.get("person") or request.POST.get("person")
    if person_id:
        # Loading her through the file selector checks access and audits the read.
        person = selectors.person_file_for(
            user=user, person_id=_id_or_404(person_id), request=request
        ).person
    initial = {}
    if person is not None:
        initial = {f"victim_{f}": getattr(person, f) for f in IDENTITY_FIELDS if f != "alcaldia"}
        initial["victim_alcaldia"] = person.alcaldia.inegi_code if person.alcaldia else ""
    posted = request.POST if request.method == "POST" else None  # an empty POST is bound too
    form = RecordForm(posted, agency=user.agency, person=person, initial=initial)
    candidates = None
    if request.method == "POST":
        data = form.validate(folio=_new_folio(user.agency.code), cats=Catalogs.load())
        match = request.POST.get("match", "")
        if data is not None and person is None:
            if match != "none" and match.isdigit():  # she recognised her among the candidates
                person = selectors.person_file_for(
                    user=user, person_id=_id_or_404(match), request=request
                ).person
            elif match != "none":
                candidates = candidates_for(data=data.victim.identity)
                if candidates:
                    data = None  # show them before saving
        if data is not None:
            outcome = _register_checked(user, data, person, match == "none", request)
            messages.success(
                request,
                _("Record %(folio)s saved in her file.")
                % {"folio": outcome.record.agency_record_id},
            )
            return redirect("records:person_file", person_id=outcome.victim.pk)
        if candidates is None:
            messages.error(request, _("The record was not saved: correct the fields marked below."))
    return render(
        request,
        "records/register.html",
        {
            "form": form,
            "person": person,
            "candidates": candidates,
            "kind_codes": set(user.agency.record_kinds.values_list("code", flat=True)),
        },
    )


@transaction.atomic
def _register_checked(
    user: User, data: RecordInput, person: Person | None, said_none: bool, request: HttpRequest
) -> RegisterOutcome:
    """Save; if the operator said "none of them" to a likely match, a supervisor double-checks."""
    likely = candidates_for(data=data.victim.identity) if said_none else []
    outcome = record_register(
        actor=user,
        data=data,
        source=RecordSource.BROWSER,
        victim_person=person,
        new_victim=said_none,
        request=request,
    )
    for candidate in likely:
        if candidate.score >= REVIEW_IF_DENIED:
            review_request(
                identity=outcome.record.parties.get(role=PartyRole.VICTIM),
                person=candidate.person,
                probability=candidate.score,
                reason=ReviewReason.OPERATOR,
            )
    return outcome


def statistics(request: HttpRequest) -> HttpResponse:
    stats = statistics_for(user=_user(request))
    return render(request, "records/statistics.html", {"stats": stats})
