"""Scored pairs → people: clustering with must-link and cannot-link rules.

Written here rather than taken from Splink: Splink's clustering is connected components at a
threshold, with no way to say "these two may never be together". Violeta needs three such
rules, in this order of authority:

1. a human decision (same / different) is never overturned;
2. records with the same valid CURP that agrees with the rest of the record are one person;
   two different such CURPs are two people, however alike the rest looks (a conflict goes to
   review, never merged silently);
3. the model links pairs at or above the threshold, strongest first, as long as neither rule
   above forbids the merge (greedy constrained agglomeration; union–find keeps it near-linear).

Records that carry almost no identity (only a given name, or only a phone) are never linked on
the model alone.

Last, a record left on its own whose only candidate is one file of two or more records (every
pair it has at or above the review threshold points into that file, the best at least
``ATTACH_FROM``) joins it. The pairwise probability prices a random pair; a record that
resembles one file and nothing else in the whole registry is likelier hers than the pair alone
says (a thin 911 call, "name, first surname, age", next to the one woman of that name and age
on file).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

MIN_EVIDENCE = 2  # identity strength (features.identity_strength) a record needs to link
# A lone record with one candidate file joins it from this probability. Measured on 20,000
# generator women (seed 42, default corruption): women P 0.9985 → 0.9983, R 0.9756 → 0.9829;
# aggressors P 0.9991 → 0.9986, R 0.9901 → 0.9935 (docs/benchmarks.md).
ATTACH_FROM = 0.7


@dataclass
class Clusters:
    cluster_of: dict[str, str]
    method: dict[str, str]  # curp / model / human / single / unlinked
    probability: dict[str, float]
    review: list[tuple[str, str, float, str]] = field(default_factory=list)  # a, b, p, reason

    def members(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for uid, root in self.cluster_of.items():
            groups[root].append(uid)
        return groups


class _UnionFind:
    def __init__(self, ids: Iterable[str]) -> None:
        self.parent = {i: i for i in ids}
        self.curps: dict[str, set[str]] = {}
        self.forbidden: dict[str, set[str]] = {}

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def conflict(self, a: str, b: str) -> str | None:
        """Why the clusters of ``a`` and ``b`` may not merge, or None."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        ca, cb = self.curps.get(ra), self.curps.get(rb)
        if ca and cb and not ca & cb:
            return "curp_conflict"
        fa, fb = self.forbidden.get(ra, set()), self.forbidden.get(rb, set())
        if any(self.find(x) == rb for x in fa) or any(self.find(x) == ra for x in fb):
            return "human"
        return None

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        for store in (self.curps, self.forbidden):
            if rb in store:
                store.setdefault(ra, set()).update(store.pop(rb))


def cluster(
    features: pd.DataFrame,
    pairs: pd.DataFrame,
    *,
    threshold: float,
    review_from: float,
    same: Sequence[tuple[str, str]] = (),
    different: Sequence[tuple[str, str]] = (),
) -> Clusters:
    """Cluster ``features`` (unique_id, curp, curp_consistent, evidence) given scored
    ``pairs`` (unique_id_l, unique_id_r, match_probability ≥ ``review_from``)."""
    ids = features["unique_id"].tolist()
    uf = _UnionFind(ids)
    method: dict[str, str] = {}
    probability: dict[str, float] = {}
    review: list[tuple[str, str, float, str]] = []
    for a, b in different:
        if a in uf.parent and b in uf.parent:
            uf.forbidden.setdefault(a, set()).add(b)
            uf.forbidden.setdefault(b, set()).add(a)
    for a, b in same:
        if a in uf.parent and b in uf.parent:
            uf.union(a, b)
            method[a] = method[b] = "human"
    # CURP rule: one person per consistent valid CURP.
    consistent = features[features["curp_consistent"]]
    by_curp: dict[str, list[str]] = defaultdict(list)
    for uid, curp in zip(consistent["unique_id"], consistent["curp"], strict=True):
        uf.curps.setdefault(uf.find(uid), set()).add(curp)
        by_curp[curp].append(uid)
    for uids in by_curp.values():
        for other in uids[1:]:
            if uf.conflict(uids[0], other) is None:
                uf.union(uids[0], other)
                for u in (uids[0], other):
                    method.setdefault(u, "curp")
    strength = dict(zip(features["unique_id"], features["evidence"], strict=True))
    # Equal scores in id order: the same clusters whatever order the backend returned the
    # pairs in (Spark's order changes from run to run).
    ordered = pairs.sort_values(
        ["match_probability", "unique_id_l", "unique_id_r"], ascending=[False, True, True]
    )
    uncertain = []
    for a, b, p in zip(
        ordered["unique_id_l"], ordered["unique_id_r"], ordered["match_probability"], strict=True
    ):
        if p < threshold:
            uncertain.append((a, b, float(p)))
            continue
        if strength[a] < MIN_EVIDENCE or strength[b] < MIN_EVIDENCE:
            continue
        why = uf.conflict(a, b)
        if why == "curp_conflict":
            review.append((a, b, float(p), why))
            continue
        if why:
            continue
        uf.union(a, b)
        for u in (a, b):
            method.setdefault(u, "model")
            probability[u] = max(probability.get(u, 0.0), float(p))
    _attach_lone(uf, uncertain, strength, method, probability)
    for a, b, p in uncertain:
        if uf.find(a) != uf.find(b) and uf.conflict(a, b) is None:
            review.append((a, b, p, "uncertain"))
    for uid in ids:
        if uid not in method:
            method[uid] = "single" if strength[uid] >= MIN_EVIDENCE else "unlinked"
    return Clusters({uid: uf.find(uid) for uid in ids}, method, probability, review)


def _attach_lone(
    uf: _UnionFind,
    uncertain: Sequence[tuple[str, str, float]],
    strength: dict[str, int],
    method: dict[str, str],
    probability: dict[str, float],
) -> None:
    """A record still alone joins the one file it resembles (see the module's docstring).

    Candidates are grouped by the file they are in at the moment of the decision (a lone
    candidate that has just joined the same file no longer counts apart), another lone record
    is a rival only if it resembles her at least as much as the file does, and passes repeat
    until nothing more joins."""
    size: dict[str, int] = defaultdict(int)
    for uid in uf.parent:
        size[uf.find(uid)] += 1
    candidates: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for a, b, p in uncertain:
        for lone, other in ((a, b), (b, a)):
            if size[uf.find(lone)] == 1 and strength[lone] >= MIN_EVIDENCE:
                candidates[lone].append((p, other))
    best_first = sorted(candidates.items(), key=lambda kv: -max(p for p, _o in kv[1]))
    joined = True
    while joined:
        joined = False
        for lone, pairs in best_first:
            if size[uf.find(lone)] != 1:
                continue
            files: dict[str, tuple[float, str]] = {}
            for p, other in pairs:
                root = uf.find(other)
                if p > files.get(root, (0.0, ""))[0]:
                    files[root] = (p, other)
            # Another lone record is no rival file unless it resembles her at least as much.
            many = {r: v for r, v in files.items() if size[r] >= 2}
            if len(many) != 1:
                continue
            ((p, other),) = many.values()
            if any(q >= p for r, (q, _o) in files.items() if r not in many):
                continue
            if p < ATTACH_FROM or uf.conflict(lone, other):
                continue
            root_before = uf.find(other)
            uf.union(lone, other)
            size[uf.find(lone)] = size.pop(root_before, 1) + 1
            method[lone] = "model"
            probability[lone] = p
            method.setdefault(other, "model")
            joined = True
