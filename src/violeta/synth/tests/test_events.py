"""Events for early warnings: orders and their breaches, releases, missing-woman reports,
unanswered follow-up calls, and each escalating woman's severe event in the truth."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from violeta.catalogs.events import EVENT_CODES, EVENT_KINDS, details_problems
from violeta.synth import generate
from violeta.synth.tests import canonical_records, people

Timeline = dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("events")
    generate(path, women=1500, seed=5, escalating_share=0.15)
    return path


@pytest.fixture(scope="module")
def files(out: Path) -> Timeline:
    """Each woman's records, in time order."""
    found: Timeline = defaultdict(list)
    for pid, record in canonical_records(out):
        found[pid].append(record)
    for records in found.values():
        records.sort(key=lambda r: r["occurred_at"])
    return found


def _at(record: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(record["occurred_at"])


def _events(files: Timeline, event: str) -> list[tuple[str, dict[str, Any]]]:
    return [(pid, r) for pid, rs in files.items() for r in rs if r["details"].get("event") == event]


def test_each_event_appears_on_the_kinds_that_carry_it(files: Timeline) -> None:
    for event in EVENT_CODES:
        found = _events(files, event)
        assert len(found) >= 5, event
        assert {r["kind"] for _, r in found} <= EVENT_KINDS[event]
        assert all(details_problems(r["kind"], r["details"]) == [] for _, r in found)
    agencies = {r["agency"] for _, r in _events(files, "order_breach")}
    assert agencies == {"SSC", "FGJ"}
    assert {r["agency"] for _, r in _events(files, "missing_report")} == {"C5", "FGJ"}


def test_orders_run_60_or_90_days_from_the_day_they_are_issued(files: Timeline) -> None:
    orders = [r for rs in files.values() for r in rs if r["kind"] == "protection_order"]
    assert len(orders) > 100
    lengths = set()
    for order in orders:
        start = dt.date.fromisoformat(order["details"]["order_valid_from"])
        end = dt.date.fromisoformat(order["details"]["order_valid_until"])
        assert start == _at(order).date()
        lengths.add((end - start).days)
        assert order["details"]["order_measures"][0] == "no_acercarse"
    assert lengths == {60, 90}


def test_a_breach_falls_while_an_earlier_order_of_hers_is_in_force(files: Timeline) -> None:
    for pid, breach in _events(files, "order_breach"):
        when = _at(breach)
        in_force = [
            o
            for o in files[pid]
            if o["kind"] == "protection_order"
            and _at(o) + dt.timedelta(days=1) < when
            and when.date() <= dt.date.fromisoformat(o["details"]["order_valid_until"])
        ]
        assert in_force, (pid, breach["agency_record_id"])


def test_breaches_are_far_more_common_among_escalating_women(out: Path, files: Timeline) -> None:
    women = people(out)
    breached = {pid for pid, _ in _events(files, "order_breach")}
    escalating = [pid for pid, w in women.items() if w["escalating"] == "1"]
    others = [pid for pid, w in women.items() if w["escalating"] == "0"]
    share = len(breached & set(escalating)) / len(escalating)
    assert share > 0.3
    assert share > 5 * len(breached & set(others)) / len(others)


def test_a_release_or_leave_follows_a_complaint_with_the_same_carpeta(files: Timeline) -> None:
    found = _events(files, "aggressor_release") + _events(files, "aggressor_leave")
    for pid, notice in found:
        carpeta = notice["details"]["carpeta"]
        complaints = [
            r for r in files[pid] if r["kind"] == "complaint" and r["details"]["carpeta"] == carpeta
        ]
        assert len(complaints) == 1 and _at(complaints[0]) < _at(notice), notice
        assert _at(notice) - _at(complaints[0]) <= dt.timedelta(days=92)
        assert notice["aggressor"] is None or notice["aggressor"]["given_names"]


def test_missing_reports_name_her_not_him_and_most_find_a_file(files: Timeline) -> None:
    found = _events(files, "missing_report")
    with_file = 0
    for pid, report in found:
        assert report["aggressor"] is None and report["violence_types"] == []
        with_file += len(files[pid]) > 1
    assert 0.5 * len(found) < with_file < len(found)  # some women have no other record


def test_follow_up_calls_go_unanswered_more_before_a_severe_event(
    out: Path, files: Timeline
) -> None:
    women = people(out)
    before, others = [], []
    for pid, records in files.items():
        calls = [r for r in records if r["kind"] == "followup_call"]
        severe = women[pid]["severe_event_at"]
        if severe:
            limit = dt.datetime.fromisoformat(severe)
            window = [c for c in calls if limit - dt.timedelta(days=45) < _at(c) < limit]
            before += [c["details"]["answered"] for c in window]
        elif women[pid]["escalating"] == "0":
            others += [c["details"]["answered"] for c in calls]
    assert len(before) > 30
    unanswered_before = before.count(False) / len(before)
    assert unanswered_before > 0.5 > 0.35 > others.count(False) / len(others)


def test_the_truth_dates_each_escalating_womans_severe_event(out: Path, files: Timeline) -> None:
    women = people(out)
    escalating = [pid for pid, w in women.items() if w["escalating"] == "1"]
    assert escalating and all(women[pid]["severe_event_at"] for pid in escalating)
    assert not any(w["severe_event_at"] for w in women.values() if w["escalating"] == "0")
    for pid in escalating:
        severe = dt.datetime.fromisoformat(women[pid]["severe_event_at"])
        calls = [
            r
            for r in files[pid]
            if r["kind"] == "emergency_call" and "feminicida" in r["modalities"]
        ]
        assert len(calls) == 1  # the femicidal attack, always a 911 call
        assert dt.timedelta(0) <= _at(calls[0]) - severe <= dt.timedelta(minutes=20)
        assert max(_at(r) for r in files[pid] if r["violence_types"]) >= severe
