"""Each rule over synthetic files: it fires on its cause and stays quiet otherwise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from violeta.agencies.models import User
from violeta.alerts.models import Alert
from violeta.alerts.tests.helpers import NOW, Records, aggressor, evaluate, level, woman

pytestmark = pytest.mark.django_db


def _codes(alerts: list[Alert]) -> set[str]:
    return {a.rule_code for a in alerts}


def test_a_new_record_for_a_woman_at_high_risk(make_user: Callable[..., User]) -> None:
    at_risk, calm = woman("Ana"), woman("Eva")
    user = make_user("caseworker")
    level(at_risk, user, "extremo")
    level(calm, user, "bajo")
    mine = Records(at_risk).add(1, "service_session", "SEMUJERES")
    other = Records(calm).add(1, "service_session", "SEMUJERES")

    raised = evaluate(at_risk, record_id=mine.pk)

    assert _codes(raised) == {"record_at_high_risk"}
    alert = raised[0]
    assert alert.level == "alerta" and alert.evidence == [mine.pk]
    assert alert.facts["risk"] == "extremo"
    assert evaluate(calm, record_id=other.pk) == []


def test_a_breach_of_a_protection_order_is_an_alarma(catalogs: None) -> None:
    her = woman()
    r = Records(her)
    r.add(40, "protection_order", "FGJ", details={"order_valid_until": "2026-12-01"})
    breach = r.add(2, "police_intervention", "SSC", details={"event": "order_breach"})

    raised = evaluate(her)

    assert [(a.rule_code, a.level) for a in raised] == [("order_breach", "alarma")]
    assert raised[0].evidence == [breach.pk]


def test_an_order_about_to_expire_for_a_woman_still_at_risk(
    make_user: Callable[..., User],
) -> None:
    her, safe = woman("Ana"), woman("Eva")
    user = make_user("caseworker")
    level(her, user, "alto")
    level(safe, user, "bajo")
    soon = (NOW + dt.timedelta(days=3)).date().isoformat()
    later = (NOW + dt.timedelta(days=60)).date().isoformat()
    order = Records(her).add(50, "protection_order", "FGJ", details={"order_valid_until": soon})
    Records(her).add(10, "protection_order", "FGJ", details={"order_valid_until": later})
    Records(safe).add(50, "protection_order", "FGJ", details={"order_valid_until": soon})

    raised = evaluate(her, "scheduled")

    assert _codes(raised) == {"order_expiring"} and raised[0].evidence == [order.pk]
    assert raised[0].facts["valid_until"] == soon
    assert evaluate(safe, "scheduled") == []


def test_aggressor_released_registered_on_another_womans_case(catalogs: None) -> None:
    her, other, him = woman("Ana"), woman("Eva"), aggressor()
    Records(her, him).add(100, "complaint", "FGJ")
    release = Records(other, him).add(3, "complaint", "FGJ", details={"event": "aggressor_release"})
    Records(woman("Ivon"), aggressor("Otro")).add(
        3, "complaint", "FGJ", details={"event": "aggressor_leave"}
    )

    raised = [a for a in evaluate(her) if a.rule_code == "aggressor_release"]

    assert len(raised) == 1 and raised[0].evidence == [release.pk]
    assert raised[0].level == "alarma"


def test_a_persistent_aggressor_warns_the_earlier_victims_caseworkers(
    make_user: Callable[..., User],
) -> None:
    fgj = make_user("caseworker", "FGJ", username="fgj.cw")
    semujeres = make_user("caseworker", "SEMUJERES", username="sem.cw")
    her, earlier, long_ago, him = woman("Ana"), woman("Eva"), woman("Ivon"), aggressor()
    old = Records(earlier, him).add(2 * 365, "complaint", "FGJ")
    Records(long_ago, him).add(6 * 365, "complaint", "SSC")
    new = Records(her, him).add(1, "service_session", "SEMUJERES")

    raised = [a for a in evaluate(her, record_id=new.pk) if a.rule_code == "persistent_aggressor"]

    assert len(raised) == 1
    alert = raised[0]
    assert alert.evidence == sorted([old.pk, new.pk])
    assert alert.facts == {"aggressor": him.pk, "other_women": 1}
    recipients = set(alert.recipients.all())
    assert {fgj, semujeres} <= recipients  # hers and the earlier victim's


def test_many_records_across_agencies_within_the_window(catalogs: None) -> None:
    her, one_agency = woman("Ana"), woman("Eva")
    r = Records(her)
    first = r.add(20, "emergency_call", "C5")
    r.add(10, "service_session", "SEMUJERES")
    r.add(2, "medical_attention", "SEDESA")
    r.add(90, "emergency_call", "C5")  # outside the 30 days
    s = Records(one_agency)
    for days in (20, 10, 2):
        s.add(days, "service_session", "SEMUJERES")

    raised = [a for a in evaluate(her) if a.rule_code == "many_records"]

    assert len(raised) == 1 and raised[0].level == "aviso"
    assert raised[0].cause_key == f"burst:{first.pk}" and len(raised[0].evidence) == 3
    assert not [a for a in evaluate(one_agency) if a.rule_code == "many_records"]


def test_escalation_in_severity(catalogs: None) -> None:
    her = woman()
    r = Records(her)
    r.add(200, "emergency_call", types=("psicologica",))
    worse = r.add(100, "police_intervention", "SSC", types=("fisica",))

    raised = [a for a in evaluate(her) if a.rule_code == "escalation"]

    assert len(raised) == 1 and raised[0].cause_key == f"severity:{worse.pk}"


def test_an_aggressor_with_weapons_or_several_women(catalogs: None) -> None:
    her, him = woman("Ana"), aggressor()
    Records(her, him).add(300, "complaint", "FGJ")
    armed = Records(woman("Eva"), him).add(400, "complaint", "FGJ", weapons=("arma_fuego",))

    raised = {a.cause_key: a for a in evaluate(her) if a.rule_code == "dangerous_aggressor"}

    assert set(raised) == {"weapons", "other_women:1"}
    assert raised["weapons"].evidence == [armed.pk]
    assert not [a for a in evaluate(woman("Sola")) if a.rule_code == "dangerous_aggressor"]


def test_a_reassessment_overdue(make_user: Callable[..., User]) -> None:
    her = woman()
    assessment = level(her, make_user("caseworker"), "alto", due=NOW - dt.timedelta(days=2))
    level(woman("Eva"), make_user("caseworker", "FGJ"), "alto", due=NOW + dt.timedelta(days=2))

    raised = evaluate(her, "scheduled")

    assert [(a.rule_code, a.cause_key) for a in raised] == [
        ("reassessment_overdue", f"assessment:{assessment.pk}")
    ]


def test_a_missing_report_for_a_woman_with_an_open_file(catalogs: None) -> None:
    her, stranger = woman("Ana"), woman("Eva")
    earlier = Records(her).add(60, "service_session", "SEMUJERES")
    report = Records(her).add(1, "complaint", "FGJ", details={"event": "missing_report"})
    Records(stranger).add(1, "complaint", "FGJ", details={"event": "missing_report"})

    raised = [a for a in evaluate(her) if a.rule_code == "missing_report"]

    assert len(raised) == 1 and raised[0].level == "alarma"
    assert raised[0].evidence == [report.pk, earlier.pk]
    assert not [a for a in evaluate(stranger) if a.rule_code == "missing_report"]


def test_an_unanswered_follow_up_call_at_high_risk(make_user: Callable[..., User]) -> None:
    her = woman()
    level(her, make_user("caseworker"), "extremo")
    r = Records(her)
    missed = r.add(1, "followup_call", "SEMUJERES", details={"answered": False})
    r.add(1, "followup_call", "SEMUJERES", details={"answered": True})

    raised = [a for a in evaluate(her, "scheduled") if a.rule_code == "unanswered_followup"]

    assert len(raised) == 1 and raised[0].evidence == [missed.pk]
