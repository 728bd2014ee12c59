"""Reads of alerts: the detail (why, with its evidence as the user may see it), a user's own
list and the supervisors' view of open alerts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, ngettext

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.alerts.access import alerts_visible_to
from violeta.alerts.choices import State
from violeta.alerts.models import Alert
from violeta.alerts.services import rule_title
from violeta.audit.services import audit_log
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord
from violeta.records.selectors import Detail, detail_for

REASONS = {  # lazily translated: read in the language of the page
    "record_at_high_risk": gettext_lazy(
        "A new record (%(kind)s, %(agency)s) for a woman at %(risk)s risk."
    ),
    "order_expiring": gettext_lazy(
        "Her protection order ends on %(valid_until)s and she is at %(risk)s risk."
    ),
    "aggressor_release": gettext_lazy(
        "Her aggressor's release or leave was registered (%(event)s)."
    ),
    "persistent_aggressor": gettext_lazy(
        "Her aggressor appears in the cases of %(other_women)s other women."
    ),
    "many_records": gettext_lazy(
        "%(records)s records from %(agencies)s agencies in %(days)s days."
    ),
    "escalation": gettext_lazy("Her file shows escalation (%(indicator)s)."),
    "dangerous_aggressor": gettext_lazy("Her aggressor: %(indicator)s."),
    "reassessment_overdue": gettext_lazy("Her risk re-assessment was due on %(due)s."),
    "unanswered_followup": gettext_lazy(
        "A follow-up call went unanswered; she is at %(risk)s risk."
    ),
}


def reason_of(alert: Alert) -> str:
    """Why, in words: the rule and the facts found (codes and numbers, never narratives)."""
    language = (translation.get_language() or "es")[:2]
    title = rule_title(alert.ruleset, alert.rule_code, language)
    template = REASONS.get(alert.rule_code)
    try:
        detail = str(template) % alert.facts if template else ""
    except (KeyError, TypeError, ValueError):
        detail = ""
    count = len(alert.evidence)
    records = (
        ngettext("%(n)s record as evidence.", "%(n)s records as evidence.", count) % {"n": count}
        if count
        else ""
    )
    return " ".join(part for part in (f"{title}.", detail, records) if part)


@dataclass(frozen=True)
class EvidenceRow:
    record: AgencyRecord
    detail: Detail
    file_id: int | None  # the woman's file to open, when the user may


def _evidence(user: User, alert: Alert) -> list[EvidenceRow]:
    records = (
        AgencyRecord.objects.filter(pk__in=alert.evidence)
        .select_related("agency", "kind")
        .order_by("occurred_at", "pk")
    )
    victims = dict(
        AgencyRecord.objects.filter(
            pk__in=alert.evidence, parties__role=PartyRole.VICTIM
        ).values_list("pk", "parties__person")
    )
    may_open = user.can(Capability.VIEW_PERSON_FILE)
    rows = []
    for record in records:
        detail = detail_for(user, record)
        woman = victims.get(record.pk)
        hers = woman == alert.person_id
        file_id = woman if may_open and (hers or detail == Detail.FULL) else None
        rows.append(EvidenceRow(record, detail, file_id))
    return rows


@dataclass(frozen=True)
class AlertView:
    alert: Alert
    reason: str
    evidence: list[EvidenceRow]
    overdue: bool


def alert_for(*, user: User, pk: int, request: HttpRequest | None) -> AlertView:
    alert = get_object_or_404(Alert.objects.select_related("ruleset", "unit"), pk=pk)
    if not alerts_visible_to(user).filter(pk=alert.pk).exists():
        raise PermissionDenied
    audit_log(
        actor=user,
        action="view",
        subject_type="alert",
        subject_id=alert.pk,
        request=request,
        details={"person": alert.person_id},
    )
    overdue = alert.state == State.OPEN and alert.deadline < timezone.now()
    return AlertView(alert, reason_of(alert), _evidence(user, alert), overdue)


def my_alerts(*, user: User, state: str = "") -> QuerySet[Alert]:
    if not user.can(Capability.RECEIVE_ALERTS):
        raise PermissionDenied
    qs = alerts_visible_to(user).select_related("ruleset", "unit")
    return qs.filter(state=state) if state else qs.exclude(state=State.CLOSED)


def supervised_alerts(
    *,
    user: User,
    level: str = "",
    unit_id: int | None = None,
    older_than_hours: int | None = None,
) -> list[Alert]:
    """Her agency's alerts not yet closed, oldest first, filtered by level, unit and age."""
    if not user.can(Capability.SUPERVISE_ALERTS) or user.agency_id is None:
        raise PermissionDenied
    qs = alerts_visible_to(user).exclude(state=State.CLOSED).select_related("ruleset", "unit")
    if level:
        qs = qs.filter(level=level)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if older_than_hours is not None:
        qs = qs.filter(created_at__lt=timezone.now() - dt.timedelta(hours=older_than_hours))
    return list(qs.order_by("created_at", "pk"))
