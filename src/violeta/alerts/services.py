"""Raising, acknowledging, closing and escalating alerts. Every write runs in the caller's
transaction together with its audit entry and its deliveries (:mod:`violeta.alerts.outbox`):
an alert exists, and is sent, only if the change that caused it commits."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from violeta.agencies.models import User
from violeta.alerts import outbox
from violeta.alerts.access import may_act
from violeta.alerts.choices import State
from violeta.alerts.evaluation import RULES, FileContext, Finding
from violeta.alerts.models import Alert, RuleSetVersion
from violeta.alerts.recipients import recipients_for, supervisors_of
from violeta.alerts.ruleset import active_ruleset
from violeta.audit.services import audit_log
from violeta.people.models import Person, PersonKind
from violeta.people.services import person_in_use

log = logging.getLogger(__name__)
DEFAULT_DEADLINES = {"alarma": 15, "alerta": 4 * 60, "aviso": 72 * 60}  # minutes
Trigger = str | Iterable[str]


def deadline_after(level: str, start: dt.datetime) -> dt.datetime:
    minutes = getattr(settings, "VIOLETA_ALERTS_DEADLINES", DEFAULT_DEADLINES)[level]
    return start + dt.timedelta(minutes=minutes)


def rule_title(ruleset: RuleSetVersion, code: str, language: str = "es") -> str:
    rule = ruleset.rule(code)
    return str(rule["name"].get(language) or rule["name"]["en"]) if rule else code


@transaction.atomic
def evaluate_for_person(
    person_id: int,
    *,
    trigger: Trigger,
    record_id: int | None = None,
    record_ids: Iterable[int] = (),
    now: dt.datetime | None = None,
    ruleset: RuleSetVersion | None = None,
) -> list[Alert]:
    """Evaluate the enabled rules for ``trigger`` over her whole file; raise one alert per new
    cause. Runs in the caller's transaction (the record, the assessment, the scan).
    ``record_id`` / ``record_ids``: the new records that triggered it."""
    triggers = {trigger} if isinstance(trigger, str) else set(trigger)
    person = person_in_use(Person.objects.get(pk=person_id))
    if person.kind != PersonKind.WOMAN:
        return []
    ruleset = ruleset or active_ruleset()
    new = frozenset([*record_ids, *([record_id] if record_id is not None else [])])
    ctx = FileContext(person=person, now=now or timezone.now(), record_ids=new)
    raised = []
    for rule in ruleset.rules:
        if not rule["enabled"] or not triggers & set(rule["trigger"]):
            continue
        for finding in RULES[rule["code"]](ctx, rule["parameters"]):
            alert = _raise(ruleset, rule, person, finding, ctx)
            if alert is not None:
                raised.append(alert)
    return raised


def _raise(
    ruleset: RuleSetVersion,
    rule: dict[str, Any],
    person: Person,
    finding: Finding,
    ctx: FileContext,
) -> Alert | None:
    code = rule["code"]
    if Alert.objects.filter(rule_code=code, person=person, cause_key=finding.cause_key).exists():
        return None  # one cause, one alert: open, acknowledged or closed
    users, unit = recipients_for(person, ctx.level, finding.also_for_women)
    now = timezone.now()
    try:
        with transaction.atomic():  # a concurrent evaluation may have raised it just now
            alert = Alert.objects.create(
                person=person,
                rule_code=code,
                ruleset=ruleset,
                level=rule["level"],
                cause_key=finding.cause_key,
                evidence=list(finding.evidence),
                facts=finding.facts,
                unit=unit,
                created_at=now,
                deadline=deadline_after(rule["level"], now),
            )
    except IntegrityError:
        return None
    alert.recipients.set(users)
    audit_log(
        actor=None,
        actor_label="system:alerts",
        action="create",
        subject_type="alert",
        subject_id=alert.pk,
        details={
            "person": person.pk,
            "rule": code,
            "ruleset": ruleset.version,
            "level": alert.level,
            "records": list(finding.evidence),
            "recipients": sorted(users),
        },
    )
    outbox.notify(
        alert_id=alert.pk,
        level=alert.level,
        title=rule_title(ruleset, code),
        url=reverse("alerts:detail", args=[alert.pk]),
        user_ids=sorted(users),
    )
    log.info("alert %s raised: rule=%s person=%s level=%s", alert.pk, code, person.pk, alert.level)
    return alert


def _locked(alert: Alert, actor: User) -> Alert:
    if not may_act(actor, alert):
        raise PermissionDenied
    return Alert.objects.select_for_update().get(pk=alert.pk)


@transaction.atomic
def alert_acknowledge(
    *, alert: Alert, actor: User, note: str = "", request: HttpRequest | None = None
) -> Alert:
    alert = _locked(alert, actor)
    if alert.state != State.OPEN:
        raise ValidationError(_("This alert was already acknowledged or closed."))
    alert.state = State.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.acknowledge_note = note.strip()
    alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by", "acknowledge_note"])
    audit_log(
        actor=actor,
        action="update",
        subject_type="alert",
        subject_id=alert.pk,
        request=request,
        details={"operation": "acknowledge", "person": alert.person_id, "noted": bool(note)},
    )
    return alert


@transaction.atomic
def alert_close(
    *, alert: Alert, actor: User, note: str, request: HttpRequest | None = None
) -> Alert:
    alert = _locked(alert, actor)
    if alert.state == State.CLOSED:
        raise ValidationError(_("This alert is already closed."))
    if not note.strip():
        raise ValidationError(_("Say what was done before closing the alert."))
    now = timezone.now()
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    alert.state = State.CLOSED
    alert.closed_at, alert.closed_by, alert.close_note = now, actor, note.strip()
    alert.save(
        update_fields=[
            "state",
            "acknowledged_at",
            "acknowledged_by",
            "closed_at",
            "closed_by",
            "close_note",
        ]
    )
    audit_log(
        actor=actor,
        action="update",
        subject_type="alert",
        subject_id=alert.pk,
        request=request,
        details={"operation": "close", "person": alert.person_id},
    )
    return alert


def alerts_escalate(*, now: dt.datetime | None = None) -> list[int]:
    """Escalate every open alert past its deadline to the supervisors of its recipients'
    agencies, once (running it again escalates nothing new). Each in its own transaction."""
    now = now or timezone.now()
    done = []
    due = Alert.objects.filter(state=State.OPEN, escalated_at=None, deadline__lt=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            alert = Alert.objects.select_for_update().get(pk=pk)
            if alert.state != State.OPEN or alert.escalated_at is not None:
                continue
            recipients = set(alert.recipients.values_list("pk", flat=True))
            supervisors = supervisors_of(recipients)
            alert.escalated_at = now
            alert.save(update_fields=["escalated_at"])
            alert.escalated_to.set(supervisors)
            audit_log(
                actor=None,
                actor_label="system:alerts",
                action="update",
                subject_type="alert",
                subject_id=alert.pk,
                details={"operation": "escalate", "to": sorted(supervisors)},
            )
            outbox.notify(
                alert_id=alert.pk,
                level=alert.level,
                title=rule_title(alert.ruleset, alert.rule_code),
                url=reverse("alerts:detail", args=[alert.pk]),
                user_ids=sorted(supervisors),
            )
            done.append(alert.pk)
    return done
