"""The hooks in record registration (one and many) raise alerts in the same transaction."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from violeta.agencies.models import Agency, User
from violeta.alerts.models import Alert
from violeta.alerts.tests.helpers import level
from violeta.linkage.tests.test_services import _register
from violeta.records.bulk import records_create_bulk
from violeta.records.choices import RecordSource
from violeta.records.tests.factories import canonical_record
from violeta.records.validation import Catalogs, RecordInput, validate_record

pytestmark = pytest.mark.django_db


def _input(record_id: str, aggressor: str = "Juan Carlos", **victim: str) -> RecordInput:
    raw = canonical_record(agency_record_id=record_id, kind="service_session", victim=victim)
    raw["aggressor"]["given_names"] = aggressor
    return validate_record(raw, agency=Agency.objects.get(code="SEMUJERES"), cats=Catalogs.load())


def test_registering_a_record_for_a_woman_at_risk_raises_an_alert(
    make_user: Callable[..., User],
) -> None:
    her = _register("S-1", given_names="Ana").victim
    level(her, make_user("caseworker"), "alto")
    outcome = _register("S-2", given_names="Ana")
    assert outcome.victim == her
    alert = Alert.objects.get(rule_code="record_at_high_risk")
    assert alert.evidence == [outcome.record.pk] and alert.person == her


def test_a_bulk_import_evaluates_each_woman_once_and_only_when_a_rule_can_apply(
    make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from violeta.alerts import hooks

    her = _register("S-1", given_names="Ana").victim
    level(her, make_user("caseworker"), "extremo")
    evaluated: list[int] = []
    real = hooks.evaluate_for_person

    def spy(person_id: int, **kw: object) -> list[Alert]:
        evaluated.append(person_id)
        return real(person_id, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(hooks, "evaluate_for_person", spy)
    items = [
        _input("S-2", given_names="Ana"),
        _input("S-3", given_names="Ana"),
        _input("S-4", "Único", given_names="Zoe", first_surname="Sola", phone="", birth_date=""),
    ]
    records = records_create_bulk(actor=None, items=items, source=RecordSource.IMPORT)

    assert evaluated == [her.pk]  # Zoe: one record, nothing else, no rule can apply
    alerts = Alert.objects.filter(rule_code="record_at_high_risk", person=her)
    assert sorted(a.evidence[0] for a in alerts) == sorted(r.pk for r in records[:2])
