"""The stories behind the records: escalation, aggressors, ages, places."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from violeta.synth import generate, severity
from violeta.synth.tests import canonical_records, people


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("story")
    generate(path, women=600, seed=5, escalating_share=0.15)
    return path


def test_severity_score() -> None:
    assert severity([]) == 0
    assert severity(["psicologica"]) == 1
    assert severity(["psicologica", "fisica"]) == 2
    assert severity(["fisica"], ["objeto"]) == 3
    assert severity(["sexual"], ["arma_blanca"]) == 5
    assert severity(["fisica"], ["arma_fuego"], ["familiar", "feminicida"]) == 7


def _timelines(out: Path) -> dict[str, list[tuple[str, int, dict[str, Any]]]]:
    found: dict[str, list[tuple[str, int, dict[str, Any]]]] = defaultdict(list)
    for pid, record in canonical_records(out):
        if record["violence_types"]:  # unanswered follow-up calls say nothing
            score = severity(record["violence_types"], record["weapons"], record["modalities"])
            found[pid].append((record["occurred_at"], score, record))
    for records in found.values():
        records.sort(key=lambda item: item[0])
    return found


def _rises(records: list[tuple[str, int, dict[str, Any]]]) -> bool:
    scores = [score for _, score, _ in records]
    third = max(1, len(scores) // 3)
    return statistics.mean(scores[-third:]) > statistics.mean(scores[:third])


def test_escalating_women_meet_ever_graver_violence(out: Path) -> None:
    women = people(out)
    timelines = _timelines(out)
    escalating = [pid for pid, w in women.items() if w["escalating"] == "1"]
    others = [
        pid for pid, w in women.items() if w["escalating"] == "0" and len(timelines[pid]) >= 3
    ]
    assert 60 < len(escalating) < 130  # 15 % of 600
    assert sum(_rises(timelines[pid]) for pid in escalating) / len(escalating) > 0.95
    assert sum(_rises(timelines[pid]) for pid in others) / len(others) < 0.5
    for pid in escalating:
        records = timelines[pid]
        assert records[0][1] <= 2  # it starts with psychological or physical violence
        last_day = records[-1][0][:10]
        final = [r for when, _, r in records if "feminicida" in r["modalities"]]
        assert final, pid  # it ends in an attempted femicide...
        assert max(when for when, _, r in records if r in final)[:10] >= _days_before(last_day, 60)
        assert any(r["weapons"] for r in final)  # ... with a weapon


def _days_before(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) - dt.timedelta(days=days)).isoformat()


def test_escalating_women_have_more_records_more_often(out: Path) -> None:
    counts = Counter(pid for pid, _ in canonical_records(out))
    women = people(out)
    escalating = [counts[p] for p, w in women.items() if w["escalating"] == "1"]
    others = [counts[p] for p, w in women.items() if w["escalating"] == "0"]
    assert statistics.mean(escalating) > 2 * statistics.mean(others)
    assert 3.5 < statistics.mean(others) < 6.5  # records_per_woman=5 for the others
    assert min(others) >= 1


def test_aggressors_mostly_men_some_persistent(out: Path) -> None:
    aggressors = people(out, "aggressor")
    men = sum(a["sex"] == "H" for a in aggressors.values()) / len(aggressors)
    assert 0.85 < men < 0.97
    victims = Counter(len(a["linked_ids"].split(";")) for a in aggressors.values())
    assert set(victims) <= {1, 2, 3}
    persistent = (victims[2] + victims[3]) / len(aggressors)
    assert 0.01 < persistent < 0.06  # about 3 %
    women = people(out)
    for aggressor in aggressors.values():
        for pid in aggressor["linked_ids"].split(";"):
            assert aggressor["person_id"] in women[pid]["linked_ids"].split(";")


def test_most_women_are_hurt_by_a_partner_or_former_partner(out: Path) -> None:
    relationships = Counter(
        r["relationship"] for _, r in canonical_records(out) if r["relationship"]
    )
    partner = relationships["pareja"] + relationships["expareja"] + relationships["novio"]
    assert partner / sum(relationships.values()) > 0.6


def test_ages_and_places(out: Path) -> None:
    women = people(out)
    ages = []
    for pid, record in canonical_records(out):
        born = dt.date.fromisoformat(women[pid]["birth_date"])
        ages.append((dt.date.fromisoformat(record["occurred_at"][:10]) - born).days // 365)
        assert record["alcaldia"] == "" or "09002" <= record["alcaldia"] <= "09017"
    assert min(ages) >= 15
    assert sum(15 <= a <= 70 for a in ages) / len(ages) > 0.95
    alcaldias = Counter(r["alcaldia"] for _, r in canonical_records(out) if r["alcaldia"])
    assert alcaldias.most_common(1)[0][0] == "09007"  # Iztapalapa, the most populous
    assert len(alcaldias) == 16
