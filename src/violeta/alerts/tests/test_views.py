"""The pages: who sees an alert, answering it, the supervisors' view, the rules form."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import User
from violeta.alerts.choices import State
from violeta.alerts.models import Alert, RuleSetVersion
from violeta.alerts.ruleset import SHIPPED
from violeta.alerts.tests.helpers import Records, evaluate, woman
from violeta.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(make_user: Callable[..., User]) -> Alert:
    make_user("caseworker", "SSC")
    her = woman()
    Records(her).add(2, "police_intervention", "SSC", details={"event": "order_breach"})
    return evaluate(her)[0]


def _as(user: User) -> Client:
    return login_verified(Client(), user)


def test_a_recipient_sees_why_and_the_evidence_and_the_reading_is_audited(alert: Alert) -> None:
    user = User.objects.get(username="ssc.caseworker")
    page = _as(user).get(reverse("alerts:detail", args=[alert.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "narrativa de prueba" not in text  # evidence lists records, never narratives
    assert reverse("records:person_file", args=[alert.person_id]) in text
    assert AuditEntry.objects.filter(subject_type="alert", action="view").count() == 1
    listing = _as(user).get(reverse("alerts:mine")).content.decode()
    assert reverse("alerts:detail", args=[alert.pk]) in listing


def test_someone_else_gets_403_and_sees_nothing_in_her_list(
    alert: Alert, make_user: Callable[..., User]
) -> None:
    stranger = make_user("caseworker", "LINEA")
    client = _as(stranger)
    assert client.get(reverse("alerts:detail", args=[alert.pk])).status_code == 403
    assert client.post(reverse("alerts:close", args=[alert.pk]), {"note": "x"}).status_code == 403
    assert (
        reverse("alerts:detail", args=[alert.pk])
        not in client.get(reverse("alerts:mine")).content.decode()
    )
    analyst = _as(make_user("analyst", "SSC"))
    assert analyst.get(reverse("alerts:mine")).status_code == 403
    assert analyst.get(reverse("alerts:supervise")).status_code == 403


def test_acknowledge_then_close_with_a_note(alert: Alert) -> None:
    client = _as(User.objects.get(username="ssc.caseworker"))
    client.post(reverse("alerts:acknowledge", args=[alert.pk]), {"note": "Voy"})
    alert.refresh_from_db()
    assert alert.state == State.ACKNOWLEDGED
    page = client.post(reverse("alerts:close", args=[alert.pk]), {"note": ""}, follow=True)
    alert.refresh_from_db()
    assert alert.state == State.ACKNOWLEDGED and page.status_code == 200
    client.post(reverse("alerts:close", args=[alert.pk]), {"note": "Está a salvo"})
    alert.refresh_from_db()
    assert alert.state == State.CLOSED and alert.close_note == "Está a salvo"


def test_the_supervisor_view_filters_by_level_and_age(
    alert: Alert, make_user: Callable[..., User]
) -> None:
    client = _as(make_user("supervisor", "SSC"))
    url = reverse("alerts:supervise")
    detail = reverse("alerts:detail", args=[alert.pk])
    assert detail in client.get(url).content.decode()
    assert detail in client.get(url, {"level": "alarma"}).content.decode()
    assert detail not in client.get(url, {"level": "aviso"}).content.decode()
    assert detail not in client.get(url, {"older_than_hours": 2}).content.decode()
    assert client.get(url, {"older_than_hours": "mucho"}).status_code == 200
    assert client.get(detail).status_code == 200
    other = _as(make_user("supervisor", "LINEA"))
    assert detail not in other.get(url).content.decode()


def test_administrators_tune_thresholds_and_bad_ones_are_refused(
    make_user: Callable[..., User],
) -> None:
    admin = _as(make_user("administrator", None))
    url = reverse("alerts:rules")
    assert admin.get(url).status_code == 200
    rules = json.loads(SHIPPED.read_text())
    rules[5]["parameters"]["days"] = 500
    page = admin.post(url, {"rules": json.dumps(rules), "reason": "prueba"})
    assert page.status_code == 200 and "365" in page.content.decode()
    assert RuleSetVersion.objects.count() == 1
    assert "JSON" in admin.post(url, {"rules": "{", "reason": "x"}).content.decode()
    rules[5]["parameters"]["days"] = 14
    assert admin.post(url, {"rules": json.dumps(rules), "reason": "prueba"}).status_code == 302
    assert RuleSetVersion.objects.get(version=2).rule("many_records")["parameters"]["days"] == 14
    assert _as(make_user("supervisor")).get(url).status_code == 403
