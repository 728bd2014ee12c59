"""The supervisor's review queue, and taking a record out of a file."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.linkage.forms import (
    AttachForm,
    DecisionForm,
    KeepApartForm,
    SplitForm,
    UnlinkedFilterForm,
)
from violeta.linkage.models import Decision
from violeta.linkage.selectors import review_pair_for, review_queue
from violeta.linkage.services import identity_split, review_decide
from violeta.linkage.unlinked import (
    carried,
    identity_attach,
    identity_keep_apart,
    unlinked_for,
    unlinked_identities,
)
from violeta.people.models import Person
from violeta.records.models import ReportedIdentity


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def queue(request: HttpRequest) -> HttpResponse:
    pairs = Paginator(review_queue(user=_user(request)), 50).get_page(request.GET.get("page"))
    return render(request, "linkage/queue.html", {"pairs": pairs})


@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest, pair_id: int) -> HttpResponse:
    user = _user(request)
    view = review_pair_for(user=user, pair_id=pair_id, request=request)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review_decide(
                pair=view.pair,
                decision=Decision(form.cleaned_data["decision"]),
                actor=user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Decision saved."))
            return redirect("linkage:queue")
    return render(request, "linkage/pair.html", {"view": view, "form": form})


@require_POST
def split(request: HttpRequest, identity_id: int) -> HttpResponse:
    user = _user(request)
    if not user.can(Capability.REVIEW_LINKS):
        raise PermissionDenied
    identity = get_object_or_404(ReportedIdentity, pk=identity_id)
    form = SplitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why this record is not hers."))
        return redirect("records:person_file", person_id=identity.person_id)
    old = identity.person_id
    seen = request.POST.get("from_person", "")
    seen_person = int(seen) if seen.isascii() and seen.isdigit() and len(seen) < 19 else None
    try:
        new = identity_split(
            identity=identity,
            actor=user,
            reason=form.cleaned_data["reason"],
            from_person=seen_person,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("records:person_file", person_id=seen_person or old)
    messages.success(request, _("The record was taken out of her file into a file of its own."))
    if identity.role == "victim":
        return redirect("records:person_file", person_id=new.pk)
    return redirect("records:person_file", person_id=old)


def unlinked(request: HttpRequest) -> HttpResponse:
    """Records with too little identity to link, waiting for a supervisor."""
    form = UnlinkedFilterForm(request.GET or None)
    role = agency = ""
    if form.is_valid():
        role, agency = form.cleaned_data["role"], form.cleaned_data["agency"].strip().upper()
    found = unlinked_identities(user=_user(request), role=role, agency=agency)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    rows = [(identity, carried(identity)) for identity in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "linkage/unlinked.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


@require_http_methods(["GET", "POST"])
def unlinked_record(request: HttpRequest, identity_id: int) -> HttpResponse:
    """One unlinked record: the files it may belong to, attach it or keep it apart."""
    user = _user(request)
    view = unlinked_for(user=user, identity_id=identity_id, request=request)
    action = request.POST.get("action") if request.method == "POST" else None
    attach = AttachForm(request.POST if action == "attach" else None)
    apart = KeepApartForm(request.POST if action == "apart" else None)
    try:
        if action == "attach" and attach.is_valid():
            person = Person.objects.filter(pk=attach.cleaned_data["person"]).first()
            if person is None:
                attach.add_error("person", _("There is no file with that number."))
            else:
                identity_attach(
                    identity=view.identity,
                    person=person,
                    actor=user,
                    reason=attach.cleaned_data["reason"],
                    request=request,
                )
                messages.success(request, _("The record was put in her file."))
                return redirect("linkage:unlinked")
        elif action == "apart" and apart.is_valid():
            identity_keep_apart(
                identity=view.identity,
                actor=user,
                reason=apart.cleaned_data["reason"],
                request=request,
            )
            messages.success(request, _("The record stays apart, as a person of its own."))
            return redirect("linkage:unlinked")
    except ValidationError as error:
        (attach if action == "attach" else apart).add_error(None, error)
    context = {
        "view": view,
        "carried": carried(view.identity),
        "attach": attach,
        "apart": apart,
    }
    return render(request, "linkage/unlinked_record.html", context)
