"""Reads of the ARCO register: only supervisors, only their agency's requests."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, QuerySet, Value, When
from django.http import HttpRequest
from django.utils import timezone

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


def arco_for_export(ids: list[int]) -> list[dict[str, Any]]:
    """Her ARCO requests, each with the rectifications it made (the earlier values are hers:
    they belong in her request of access)."""
    versions: dict[int, list[dict[str, Any]]] = {}
    for v in IdentityVersion.objects.filter(person_id__in=ids).order_by("version"):
        versions.setdefault(v.request_id or 0, []).append(
            {
                "version": v.version,
                "fields": list(v.fields),
                "changed_at": timezone.localtime(v.changed_at).isoformat(),
                "previous_values": json.loads(v.snapshot or "{}"),
            }
        )
    rows = ArcoRequest.objects.filter(person_id__in=ids).select_related("agency")
    return [
        {
            "id": r.pk,
            "agency": r.agency.code,
            "right": r.kind,
            "folio": r.folio,
            "received_on": r.received_on.isoformat(),
            "due_on": r.due_on.isoformat(),
            "status": r.status,
            "request": r.request_summary or "",
            "answer": r.answer or "",
            "answered_at": timezone.localtime(r.answered_at).isoformat() if r.answered_at else None,
            "rectifications": versions.get(r.pk, []),
        }
        for r in rows.order_by("received_on", "pk")
    ]
