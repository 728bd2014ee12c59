"""One cause, one alert; recipients; escalation past the deadline; the outbox guarantee."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from violeta.agencies.models import Unit, User
from violeta.alerts import outbox
from violeta.alerts.choices import State
from violeta.alerts.models import Alert
from violeta.alerts.scan import alerts_scan
from violeta.alerts.services import alert_acknowledge, alert_close, alerts_escalate
from violeta.alerts.tests.helpers import Records, evaluate, level, woman
from violeta.alerts.tests.helpers import register as _register
from violeta.audit.models import AuditEntry
from violeta.audit.services import audit_log
from violeta.catalogs.models import Alcaldia
from violeta.people.models import Person

pytestmark = pytest.mark.django_db


def _breach(her: Person, days_ago: float = 2) -> None:
    Records(her).add(days_ago, "police_intervention", "SSC", details={"event": "order_breach"})


def test_evaluating_twice_raises_one_alert_and_a_closed_cause_stays_closed(
    make_user: Callable[..., User],
) -> None:
    user = make_user("caseworker", "SSC")
    her = woman()
    _breach(her)
    assert len(evaluate(her)) == 1
    assert evaluate(her) == []
    alert = Alert.objects.get()
    alert_close(alert=alert, actor=user, note="Se llamó a la policía")
    assert evaluate(her) == []
    _breach(her, days_ago=1)  # a new breach is a new cause
    assert len(evaluate(her)) == 1 and Alert.objects.count() == 2


def test_recipients_caseworkers_unit_of_her_alcaldia_and_agency_on_duty(
    make_user: Callable[..., User],
) -> None:
    alcaldia = Alcaldia.objects.first()
    assert alcaldia is not None
    unit = Unit.objects.create(
        agency_id=make_user("analyst").agency_id, name="Módulo", alcaldia=alcaldia
    )
    attending = make_user("caseworker", "SSC", username="ssc.cw")
    on_duty = make_user("operator", "C5", username="c5.op")
    in_unit = make_user("caseworker", "SEDESA", username="sedesa.cw")
    in_unit.unit = unit
    in_unit.save()
    elsewhere = make_user("caseworker", "LINEA", username="linea.cw")
    assessor = make_user("operator", "LINEA", username="linea.op")
    her = woman()
    her.alcaldia = alcaldia
    her.save()
    level(her, assessor, "bajo")
    _breach(her)

    alert = evaluate(her)[0]

    got = set(alert.recipients.all())
    assert {attending, on_duty, in_unit, assessor} <= got
    assert elsewhere not in got
    assert alert.unit == unit


@override_settings(VIOLETA_ALERTS_ON_DUTY_AGENCY="SEDESA")
def test_the_agency_on_duty_is_a_setting(make_user: Callable[..., User]) -> None:
    c5, sedesa = make_user("operator", "C5"), make_user("operator", "SEDESA")
    her = woman()
    _breach(her)
    got = set(evaluate(her)[0].recipients.all())
    assert sedesa in got and c5 not in got


def test_unacknowledged_past_its_deadline_it_escalates_to_supervisors_once(
    make_user: Callable[..., User],
) -> None:
    make_user("caseworker", "SSC")
    supervisor = make_user("supervisor", "SSC")
    other_supervisor = make_user("supervisor", "LINEA")
    her = woman()
    _breach(her)
    alert = evaluate(her)[0]
    assert alert.deadline - alert.created_at == dt.timedelta(minutes=15)  # alarma

    assert alerts_escalate(now=alert.deadline - dt.timedelta(minutes=1)) == []
    assert alerts_escalate(now=alert.deadline + dt.timedelta(minutes=1)) == [alert.pk]
    assert alerts_escalate(now=alert.deadline + dt.timedelta(hours=1)) == []

    alert.refresh_from_db()
    assert alert.escalated_at is not None
    assert supervisor in alert.escalated_to.all()
    assert other_supervisor not in alert.escalated_to.all()


def test_an_acknowledged_alert_does_not_escalate(make_user: Callable[..., User]) -> None:
    user = make_user("caseworker", "SSC")
    her = woman()
    _breach(her)
    alert = evaluate(her)[0]
    alert_acknowledge(alert=alert, actor=user, note="La busco hoy")
    assert alerts_escalate(now=alert.deadline + dt.timedelta(hours=1)) == []
    alert.refresh_from_db()
    assert alert.acknowledge_note == "La busco hoy" and alert.state == State.ACKNOWLEDGED


def test_answering_needs_to_be_a_recipient_and_closing_needs_a_note(
    make_user: Callable[..., User],
) -> None:
    user = make_user("caseworker", "SSC")
    stranger = make_user("caseworker", "LINEA")
    her = woman()
    _breach(her)
    alert = evaluate(her)[0]
    with pytest.raises(PermissionDenied):
        alert_acknowledge(alert=alert, actor=stranger)
    with pytest.raises(ValidationError):
        alert_close(alert=alert, actor=user, note="  ")
    alert_close(alert=alert, actor=user, note="Atendida")
    entry = AuditEntry.objects.filter(subject_type="alert", action="update").get()
    assert entry.details == {"operation": "close", "person": her.pk}
    assert "Atendida" not in str(entry.details)


def test_the_scan_raises_time_based_alerts_and_escalates_idempotently(
    make_user: Callable[..., User],
) -> None:
    user = make_user("caseworker")
    her = woman()
    now = timezone.now()
    level(her, user, "alto", due=now - dt.timedelta(days=1))
    first = alerts_scan(now=now)
    assert (first.women, first.raised, first.escalated) == (1, 1, 0)
    later = alerts_scan(now=now + dt.timedelta(days=4))  # aviso: 72 h to answer
    assert (later.raised, later.escalated) == (0, 1)
    call_command("alerts_scan")
    assert Alert.objects.count() == 1


def test_an_alert_and_its_delivery_roll_back_with_the_record(
    make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox guarantee: notify runs inside the record's transaction; its writes (here an
    audit entry standing in for the outbox rows) vanish with the alert when it rolls back."""
    calls: list[dict[str, Any]] = []

    def fake_notify(**kw: Any) -> None:
        calls.append(kw)
        audit_log(  # the probe writes through the audit trail, in the same transaction
            actor=None, action="create", subject_type="outbox_probe", subject_id=kw["alert_id"]
        )

    monkeypatch.setattr(outbox, "notify", fake_notify)
    make_user("caseworker")
    her = _register("S-1", given_names="Ana").victim
    level(her, make_user("operator", "SSC"), "extremo")

    with pytest.raises(RuntimeError), transaction.atomic():
        _register("S-2", given_names="Ana")
        assert Alert.objects.filter(rule_code="record_at_high_risk").count() == 1
        raise RuntimeError("the process failed after the alert was written")

    assert len(calls) == 1  # it was called, inside the transaction
    assert not Alert.objects.filter(rule_code="record_at_high_risk").exists()
    assert not AuditEntry.objects.filter(subject_type="outbox_probe").exists()
    _register("S-3", given_names="Ana")  # committed: the alert and its delivery stay
    assert Alert.objects.filter(rule_code="record_at_high_risk").count() == 1
    assert AuditEntry.objects.filter(subject_type="outbox_probe").count() == 1


def test_without_the_delivery_app_notify_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    outbox.notify(alert_id=1, level="aviso", title="t", url="/", user_ids=[1])


def test_assessment_completion_evaluates_her_file(make_user: Callable[..., User]) -> None:
    from violeta.risk.tests.factories import a_woman, completed, shipped
    from violeta.risk.tests.test_services import EXTREME

    user = make_user("caseworker")
    her = a_woman()
    soon = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    Records(her).add(0, "protection_order", "FGJ", details={"order_valid_until": soon})
    assert not Alert.objects.filter(rule_code="order_expiring").exists()
    completed(her, user, shipped()["vpr"], EXTREME)
    assert Alert.objects.filter(rule_code="order_expiring", person=her).count() == 1


def test_raising_and_escalating_hand_the_alert_to_the_outbox(
    make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(outbox, "notify", lambda **kw: calls.append(kw))
    caseworker = make_user("caseworker", "SSC")
    supervisor = make_user("supervisor", "SSC")
    her = woman()
    _breach(her)
    alert = evaluate(her)[0]
    alerts_escalate(now=alert.deadline + dt.timedelta(minutes=1))

    raised, escalated = calls
    assert raised["alert_id"] == escalated["alert_id"] == alert.pk
    assert raised["level"] == "alarma" and raised["url"] == f"/alertas/{alert.pk}/"
    assert caseworker.pk in raised["user_ids"] and escalated["user_ids"] == [supervisor.pk]
