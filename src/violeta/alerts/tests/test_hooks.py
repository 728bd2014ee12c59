"""The hooks in record registration (one and many) raise alerts in the same transaction."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone

from violeta.agencies.models import Agency, User
from violeta.alerts.models import Alert
from violeta.alerts.tests.helpers import level, recent
from violeta.alerts.tests.helpers import register as _register
from violeta.records.bulk import records_create_bulk
from violeta.records.choices import RecordSource
from violeta.records.tests.factories import canonical_record
from violeta.records.validation import Catalogs, RecordInput, validate_record
from violeta.synth.model import END as SYNTH_END

pytestmark = pytest.mark.django_db


def _input(
    record_id: str, aggressor: str = "Juan Carlos", days_ago: float = 1, **victim: str
) -> RecordInput:
    raw = canonical_record(
        agency_record_id=record_id,
        kind="service_session",
        victim=victim,
        occurred_at=recent(days_ago),
    )
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


def test_a_record_of_long_ago_raises_nothing_on_arrival_but_counts_as_evidence(
    make_user: Callable[..., User],
) -> None:
    """Loading an agency's history must not flood the staff: a record that happened more
    than VIOLETA_ALERTS_RECORD_WINDOW_DAYS ago raises nothing; a recent one does."""
    her = _register("S-1", given_names="Ana").victim
    level(her, make_user("caseworker"), "alto")
    _register("S-2", days_ago=31, given_names="Ana")
    assert not Alert.objects.exists()
    outcome = _register("S-3", days_ago=29, given_names="Ana")
    assert list(Alert.objects.values_list("evidence", flat=True)) == [[outcome.record.pk]]


def test_a_bulk_import_of_history_evaluates_only_the_recent_records(
    make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from violeta.alerts import hooks

    her = _register("S-1", given_names="Ana").victim
    level(her, make_user("caseworker"), "extremo")
    evaluated: list[object] = []
    real = hooks.evaluate_for_person

    def spy(person_id: int, **kw: object) -> list[Alert]:
        evaluated.append(kw["record_ids"])
        return real(person_id, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(hooks, "evaluate_for_person", spy)
    items = [_input("S-2", days_ago=400, given_names="Ana"), _input("S-3", given_names="Ana")]
    records = records_create_bulk(actor=None, items=items, source=RecordSource.IMPORT)
    assert evaluated == [[records[1].pk]]
    assert [a.evidence for a in Alert.objects.all()] == [[records[1].pk]]


def test_the_trajectory_replay_counts_what_the_rules_raised(catalogs: None) -> None:
    """``violeta bench alerts``' second half on a small synthetic set: each record registered
    at its own time; the figures are counts of what is in the database, not estimates."""
    from violeta.alerts.bench import replay_trajectories

    t = replay_trajectories(women=60, seed=3)
    alarms = Alert.objects.filter(level="alarma")
    assert t.records > 60 and t.escalating > 0
    assert t.alarms == alarms.count() and t.alarms_on_others <= t.alarms
    assert 0 <= t.preceded <= t.escalating and len(t.lead_days) == t.preceded
    assert all(days > 0 for days in t.lead_days)
    # Every alert was raised at the simulated time of a record, not at the bench's real time.
    end = timezone.make_aware(SYNTH_END)
    assert alarms.exists() and not Alert.objects.filter(created_at__gt=end).exists()
