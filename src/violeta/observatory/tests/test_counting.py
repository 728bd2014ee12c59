"""Counting in the database gives exactly what counting the facts one by one gives."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from django.utils import timezone

from violeta.alerts.choices import Level
from violeta.alerts.models import Alert
from violeta.alerts.ruleset import active_ruleset
from violeta.observatory.counting import first_month, sql_tally, touch_all
from violeta.observatory.facts import alert_facts, record_facts
from violeta.observatory.services import catalog_categories
from violeta.observatory.tables import month_range, tally
from violeta.people.models import Person, PersonKind


def _alerts(now: dt.datetime) -> None:
    """Alerts spread over levels and months (the import raises none by itself)."""
    rng = random.Random(1)
    ruleset = active_ruleset()
    women = list(Person.objects.filter(kind=PersonKind.WOMAN).values_list("pk", flat=True)[:40])
    for n in range(120):
        raised = now - dt.timedelta(days=rng.randint(0, 900))
        Alert.objects.create(
            person_id=rng.choice(women), rule_code="test", ruleset=ruleset,
            level=rng.choice(Level.values), cause_key=f"test:{n}", deadline=raised,
            created_at=raised,
        )  # fmt: skip


def test_sql_counts_equal_python_counts(synthetic: Path) -> None:
    now = timezone.now()
    _alerts(now)
    facts, alerts = record_facts(until=now), alert_facts(until=now)
    assert len(alerts) == 120
    last = timezone.localtime(now).strftime("%Y-%m")
    assert first_month(now) == min(f.month for f in facts)
    for first in (first_month(now), "2025-01"):
        months = month_range(first, last)
        seen = {
            "alcaldia": {f.alcaldia for f in facts},
            "agency": {f.agency for f in facts},
            "risk": {f.risk for f in facts},
            "type": {t for f in facts for t in f.types},
            "modality": {m for f in facts for m in f.modalities},
        }
        categories = catalog_categories(seen)
        expected = tally(facts, alerts, months=months, categories=categories)
        counted = sql_tally(months=months, until=now)
        touch_all(counted, months, categories)
        assert counted.records == expected.records
        assert counted.women() == expected.women()
        assert expected.records[("total",)] > 200
        assert any(k[0] == "stage" and k[1] == "investigation" and v for k, v in
                   expected.records.items())  # fmt: skip
