"""Reads of the ARCO register: only supervisors, only their agency's requests."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Case, QuerySet, Value, When
from django.http import HttpRequest

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.audit.services import audit_log
from violeta.lifecycle.models import ArcoRequest, ArcoStatus, IdentityVersion
from violeta.people.models import Person


def arco_register(*, user: User, request: HttpRequest | None = None) -> QuerySet[ArcoRequest]:
    """Her agency's ARCO requests, pending first by due date (the view is audited)."""
    if not user.can(Capability.EXPORT_PERSON_FILE) or user.agency_id is None:
        raise PermissionDenied
    audit_log(
        actor=user,
        action="view",
        subject_type="arco_register",
        subject_id=str(user.agency_id),
        request=request,
    )
    first = Case(When(status=ArcoStatus.PENDING, then=Value(0)), default=Value(1))
    rows = ArcoRequest.objects.filter(agency_id=user.agency_id).annotate(first=first)
    return rows.order_by("first", "due_on", "pk")


def identity_versions(person: Person) -> QuerySet[IdentityVersion]:
    return IdentityVersion.objects.filter(person=person).select_related("request")
