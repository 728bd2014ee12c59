"""Reads of public reports: the one sanctioned way staff load them (need-to-know, audited)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.audit.models import Action
from violeta.audit.services import audit_log, audit_log_many
from violeta.reports.choices import Status
from violeta.reports.models import PublicReport
from violeta.reports.services import SUBJECT

QUEUE_LIMIT = 200


def may_handle(user: User) -> bool:
    return user.can(Capability.HANDLE_PUBLIC_REPORTS) and user.agency_id is not None


def reports_visible_to(*, user: User) -> QuerySet[PublicReport]:
    """The reports routed to the user's agency; none for anyone else."""
    if not may_handle(user) or user.agency_id is None:
        raise PermissionDenied
    return PublicReport.objects.filter(agency_id=user.agency_id)


def report_queue(
    *, user: User, status: str = "", request: HttpRequest | None = None
) -> list[PublicReport]:
    """The agency's queue, newest first, optionally by status; each row read is audited."""
    reports = reports_visible_to(user=user).select_related("alcaldia", "assigned_to")
    if status in Status.values:
        reports = reports.filter(status=status)
    rows = list(reports.prefetch_related("violence_types")[:QUEUE_LIMIT])
    audit_log_many(
        actor=user,
        action=Action.VIEW,
        entries=((SUBJECT, r.pk, {"view": "queue"}) for r in rows),
        request=request,
    )
    return rows


def report_for(*, user: User, pk: int, request: HttpRequest | None = None) -> PublicReport:
    """One report of the user's agency (404 otherwise, so ids of others are not revealed)."""
    report = (
        reports_visible_to(user=user)
        .select_related("alcaldia", "agency", "assigned_to")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    audit_log(
        actor=user,
        action=Action.VIEW,
        subject_type=SUBJECT,
        subject_id=report.pk,
        request=request,
        details={"view": "detail"},
    )
    return report
