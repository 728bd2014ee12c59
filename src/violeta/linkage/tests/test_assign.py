"""Clusters → persons, on whole columns: the same choices as one loop per cluster."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from violeta.linkage.assign import assign_persons


def _by_loops(
    current: dict[str, int | None], cluster_of: dict[str, Any]
) -> tuple[dict[str, int], list[tuple[Any, list[str]]], dict[int, int]]:
    """The rule as first written, cluster by cluster: the oracle of the column version."""
    members: dict[Any, list[str]] = {}
    for uid in current:
        members.setdefault(cluster_of.get(uid, f"single:{uid}"), []).append(uid)
    taken: set[int] = set()
    person_of_cluster: dict[Any, int] = {}
    need_new: list[Any] = []
    for cluster_id, uids in sorted(members.items(), key=lambda kv: -len(kv[1])):
        votes = Counter(current[u] for u in uids if current[u] is not None)
        ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
        choice = next((p for p, _n in ranked if p not in taken), None)
        if choice is None:
            need_new.append(cluster_id)
        else:
            taken.add(choice)
            person_of_cluster[cluster_id] = choice
    person_of = {
        u: person_of_cluster[c] for c, us in members.items() if c in person_of_cluster for u in us
    }
    left: dict[int, Counter[int]] = {}
    for uid, old in current.items():
        if old is not None and old not in taken and uid in person_of:
            left.setdefault(old, Counter())[person_of[uid]] += 1
    merged_into = {old: votes.most_common(1)[0][0] for old, votes in left.items()}
    return person_of, [(c, members[c]) for c in need_new], merged_into


def test_the_largest_cluster_keeps_the_file_most_of_its_records_are_in() -> None:
    current = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2, "f": None, "g": 3}
    cluster_of = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y", "f": "z"}
    person_of, need_new, merged_into = assign_persons(current, cluster_of)
    # x (3 records) takes person 1 (two votes), y takes 2; f's cluster has no person; g is
    # a cluster of her own and keeps 3.
    assert person_of == {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "g": 3}
    assert need_new == [("z", ["f"])]
    assert merged_into == {}
    # Both of x's persons taken by larger clusters: x gets a new one, 1 points at its taker.
    current = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": 1, "g": 2}
    cluster_of = {"a": "p", "b": "p", "c": "p", "d": "q", "e": "q", "f": "x", "g": "x"}
    person_of, need_new, merged_into = assign_persons(current, cluster_of)
    assert need_new == [("x", ["f", "g"])] and "f" not in person_of
    assert merged_into == {}


def test_columns_choose_as_the_loop_does_on_random_runs() -> None:
    rng = random.Random(7)
    seen = Counter[str]()
    for _case in range(300):
        n = rng.randint(1, 60)
        uids = [f"u{i}" for i in rng.sample(range(1000), n)]
        persons = rng.randint(1, 12)
        current = {u: (None if rng.random() < 0.15 else rng.randint(1, persons)) for u in uids}
        clusters = rng.randint(1, 15)
        cluster_of = {u: f"c{rng.randint(1, clusters)}" for u in uids if rng.random() < 0.9}
        expected = _by_loops(current, cluster_of)
        assert assign_persons(current, cluster_of) == expected, (current, cluster_of)
        seen.update(k for k, v in zip(("kept", "new", "merged"), expected, strict=True) if v)
    # The random runs reach every branch: kept files, new persons, files merged into others.
    assert min(seen[k] for k in ("kept", "new", "merged")) >= 30, seen


def test_nothing_to_assign() -> None:
    assert assign_persons({}, {}) == ({}, [], {})
