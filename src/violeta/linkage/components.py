"""The clustering's fast path: components where no rule can ever refuse a merge.

The greedy loop of :func:`violeta.linkage.cluster.cluster` takes the strong pairs one by one,
strongest first, and asks the rules (CURP, dates of birth, surnames, ages, human decisions)
before each merge: a million records give six million strong pairs, and the loop is Python.
But within a connected component of the strong pairs whose records hold at most one CURP,
dates of birth that all agree with each other, surnames that all could be one woman's, ages
within ``NEAR_YEARS`` and no human "different", no rule can refuse any merge: the loop would
merge the whole component, whatever the order. Those components (nine in ten at 1,000,000
generator women) are merged here at once; the loop runs on the rest.

The components are found with numpy (hooking each edge's endpoints to the smaller label, then
pointer jumping until nothing changes) rather than a graph library: scipy or networkx would be
a large dependency for twenty lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

from violeta.linkage.agreement import same_birth, same_family
from violeta.linkage.facts import roots_of
from violeta.linkage.scoring import NEAR_YEARS

if TYPE_CHECKING:
    from violeta.linkage.cluster import _UnionFind

MAX_FORMS = 12  # beyond this many surname or birth date forms, the loop decides


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The connected component of each of ``n`` nodes (its smallest node) given edges."""
    labels = np.arange(n, dtype=np.int64)
    while True:
        low = np.minimum(labels[left], labels[right])
        hooked = labels.copy()
        np.minimum.at(hooked, labels[left], low)
        np.minimum.at(hooked, labels[right], low)
        while True:  # pointer jumping: every node straight to its root
            jumped = hooked[hooked]
            if np.array_equal(jumped, hooked):
                break
            hooked = jumped
        if np.array_equal(hooked, labels):
            return labels
        labels = hooked


@dataclass
class Nodes:
    """What the rules compare, record by record (None where the record does not say)."""

    curps: Sequence[str | None]  # consistent valid CURP
    dobs: Sequence[str | None]
    surnames: Sequence[tuple[str, str] | None]  # both surnames
    years: Sequence[float | None]


def safe_components(uf: _UnionFind, labels: np.ndarray, nodes: Nodes) -> set[int]:
    """The labels of components (two or more records) no rule could split."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    ends = np.r_[starts[1:], len(order)]
    safe: set[int] = set()
    forbidden = uf.forbidden
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        if end - start < 2:
            continue
        members = order[start:end].tolist()
        if forbidden and any(uf.find(m) in forbidden or m in forbidden for m in members):
            continue
        if len({c for m in members if (c := nodes.curps[m])}) > 1:
            continue
        ages = [y for m in members if (y := nodes.years[m]) is not None]
        if ages and max(ages) - min(ages) > NEAR_YEARS:
            continue
        births = {d for m in members if (d := nodes.dobs[m])}
        forms = {f for m in members if (f := nodes.surnames[m])}
        if len(births) > MAX_FORMS or len(forms) > MAX_FORMS:
            continue
        if not all(same_birth(x, y) for x, y in combinations(births, 2)):
            continue
        if not all(same_family(x, y) for x, y in combinations(forms, 2)):
            continue
        safe.add(int(sorted_labels[start]))
    return safe


def merge_safe(
    uf: _UnionFind,
    left: np.ndarray,
    right: np.ndarray,
    scores: np.ndarray,
    *,
    threshold: float,
    linkable: np.ndarray,
    nodes: Nodes,
    method: dict[int, str],
    probability: dict[int, float],
) -> np.ndarray:
    """Merge every safe component of the strong pairs (at or above ``threshold``, both
    records ``linkable``) as the loop would; returns the mask of the pairs so handled, which
    the loop then skips. Each record merged here by the model carries the probability of its
    strongest pair (the loop: of the strongest pair that merged it, the same here); one
    already linked by CURP or by a person keeps that method, and no probability."""
    n = len(uf.parent)
    strong = (scores >= threshold) & linkable[left] & linkable[right]
    before = roots_of(uf.parent)
    joined = np.flatnonzero(before != np.arange(n))
    labels = components(n, np.r_[left[strong], joined], np.r_[right[strong], before[joined]])
    safe = safe_components(uf, labels, nodes)
    if not safe:
        return np.zeros(len(scores), dtype=bool)
    in_safe = np.isin(labels, np.fromiter(safe, dtype=np.int64))
    members = np.flatnonzero(in_safe)
    for node, label in zip(members.tolist(), labels[members].tolist(), strict=True):
        ra, rb = uf.find(label), uf.find(node)
        if ra != rb:
            uf.union_roots(ra, rb)
    handled = strong & in_safe[left]
    best = np.zeros(n)
    np.maximum.at(best, left[handled], scores[handled])
    np.maximum.at(best, right[handled], scores[handled])
    for node in np.flatnonzero(best > 0).tolist():
        if method.setdefault(node, "model") == "model":
            probability[node] = float(best[node])
    return handled
