"""Rules as versioned data: validated when saved, a new version per change, audited."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from violeta.agencies.models import User
from violeta.alerts.models import Alert, RuleSetVersion
from violeta.alerts.ruleset import SHIPPED, active_ruleset, ruleset_save, validate
from violeta.alerts.tests.helpers import Records, evaluate, woman
from violeta.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _shipped() -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = json.loads(SHIPPED.read_text())
    return rules


def _refused(rules: Any) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        validate(rules)
    return " ".join(caught.value.messages)


def test_the_shipped_rules_are_valid_and_loaded_once(catalogs: None) -> None:
    assert validate(_shipped()) == _shipped()
    first = active_ruleset()
    assert active_ruleset() == first and first.version == 1
    assert {r["code"] for r in first.rules} >= {"order_breach", "persistent_aggressor"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: r[5]["parameters"].update(records="3"), "many_records: records must be"),
        (lambda r: r[5]["parameters"].update(days=0), "from 1 to 365"),
        (lambda r: r[0]["parameters"].update(levels=["altísimo"]), "must list levels"),
        (lambda r: r[0].update(colour="red"), "unknown field «colour»"),
        (lambda r: r[1]["parameters"].update(hours=3), "unknown parameter «hours»"),
        (lambda r: r[1]["parameters"].pop("within_days"), "«within_days» is missing"),
        (lambda r: r[2].update(level="urgente"), "aviso, alerta or alarma"),
        (lambda r: r[2].update(trigger=["hourly"]), "trigger must list"),
        (lambda r: r[3].update(code="nueva"), "unknown rule «nueva»"),
        (lambda r: r.append(copy.deepcopy(r[0])), "appears twice"),
    ],
)
def test_a_rule_that_cannot_be_evaluated_is_refused_with_the_reason(
    change: Callable[[list[dict[str, Any]]], Any], reason: str
) -> None:
    rules = _shipped()
    change(rules)
    assert reason in _refused(rules)


def test_a_change_is_a_new_audited_version_and_alerts_keep_theirs(
    make_user: Callable[..., User],
) -> None:
    admin = make_user("administrator", None)
    her = woman()
    Records(her).add(2, "police_intervention", "SSC", details={"event": "order_breach"})
    first = evaluate(her)[0]
    rules = _shipped()
    rules[1]["level"] = "alerta"

    second = ruleset_save(rules=rules, actor=admin, reason="Ajuste")

    assert second.version == 2 and active_ruleset() == second
    assert ruleset_save(rules=rules, actor=admin) == second  # unchanged: no new version
    entry = AuditEntry.objects.get(subject_type="alert_ruleset", subject_id=str(second.pk))
    assert entry.reason == "Ajuste" and entry.details["version"] == 2
    first.refresh_from_db()
    assert first.ruleset.version == 1 and first.ruleset.rule("order_breach")["level"] == "alarma"
    with pytest.raises(ValidationError):
        ruleset_save(rules=[{"code": "order_breach"}], actor=admin)
    assert RuleSetVersion.objects.count() == 2


def test_a_disabled_rule_raises_nothing(catalogs: None) -> None:
    rules = _shipped()
    rules[1]["enabled"] = False
    ruleset_save(rules=rules, actor=None)
    her = woman()
    Records(her).add(2, "police_intervention", "SSC", details={"event": "order_breach"})
    assert evaluate(her) == [] and not Alert.objects.exists()


def test_two_processes_loading_the_shipped_rules_at_once_both_get_version_1(
    catalogs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first records after installation arrive together: each process finds no rules and
    loads the shipped ones; the one that loses the race uses the winner's version instead of
    failing the registration (seen in ``violeta bench alerts`` on PostgreSQL)."""
    from django.db import IntegrityError

    from violeta.alerts import ruleset as module

    theirs = active_ruleset()  # the other process committed version 1…
    looks = iter([None])  # …after this one found no rules

    def collide(**kw: Any) -> RuleSetVersion:
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(module, "_latest", lambda: next(looks, None) or theirs)
    monkeypatch.setattr(module, "ruleset_save", collide)
    assert active_ruleset() == theirs
    assert RuleSetVersion.objects.count() == 1
