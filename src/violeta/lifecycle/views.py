"""ARCO requests from her file page: rectify her identity, log a request, the register."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from violeta.agencies.models import User
from violeta.exports.person_file import woman_for_export
from violeta.lifecycle.forms import ArcoAnswerForm, ArcoRequestForm, RectifyForm
from violeta.lifecycle.models import ArcoRequest
from violeta.lifecycle.selectors import arco_register, identity_versions
from violeta.lifecycle.services import (
    arco_request_answer,
    arco_request_create,
    identity_rectify,
)
from violeta.people.models import Person


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _woman(user: User, person_id: int) -> Person:
    person = woman_for_export(user=user, person_id=person_id)
    if hasattr(person, "anonymised"):
        raise PermissionDenied
    return person


def _initial(person: Person) -> dict[str, object]:
    names = ("given_names", "first_surname", "second_surname", "curp", "phone", "address",
             "colonia")  # fmt: skip
    data: dict[str, object] = {n: getattr(person, n) or "" for n in names}
    data["birth_date"] = person.birth_date or None
    data["alcaldia"] = person.alcaldia.inegi_code if person.alcaldia else ""
    data["received_on"] = timezone.localdate()
    return data


@require_http_methods(["GET", "POST"])
def rectify(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    person = _woman(user, person_id)
    form = RectifyForm(request.POST or None, initial=_initial(person))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            version = identity_rectify(
                actor=user, person=person, new=form.identity(), folio=d["folio"],
                legal_basis=d["legal_basis"], received_on=d["received_on"],
                also_records=d["also_records"], request=request,
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if version is None:
                messages.info(request, _("Nothing changed: the data is as it was."))
            else:
                messages.success(request, _("Her data was rectified; the earlier values are kept."))
            return redirect("records:person_file", person.pk)
    context = {"form": form, "person": person, "versions": identity_versions(person)}
    response = render(request, "lifecycle/rectify.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    person = _woman(user, person_id)
    form = ArcoRequestForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            arco = arco_request_create(
                actor=user, person=person, kind=d["kind"], folio=d["folio"],
                received_on=d["received_on"], summary=d["summary"], request=request,
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The request was logged; it must be answered by %(due)s.")
                % {"due": arco.due_on.strftime("%d/%m/%Y")},
            )
            return redirect("lifecycle:register")
    return render(request, "lifecycle/request_new.html", {"form": form, "person": person})


def register(request: HttpRequest) -> HttpResponse:
    rows = arco_register(user=_user(request), request=request)
    context = {"rows": rows, "today": timezone.localdate(), "form": ArcoAnswerForm()}
    return render(request, "lifecycle/register.html", context)


@require_http_methods(["POST"])
def answer(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    arco = get_object_or_404(ArcoRequest, pk=request_id, agency_id=user.agency_id or -1)
    form = ArcoAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the answer and whether the request is granted."))
        return redirect("lifecycle:register")
    try:
        arco_request_answer(
            actor=user, arco=arco, status=form.cleaned_data["status"],
            answer=form.cleaned_data["answer"], request=request,
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The answer was recorded."))
    return redirect("lifecycle:register")
