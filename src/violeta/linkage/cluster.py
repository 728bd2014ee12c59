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

A record that gives no age is never the bridge between files whose birth years lie more than
``NEAR_YEARS`` apart: its pair's score could not weigh the age, so the files' ages are checked
instead (the pair goes to review). Measured on 300,000 generator women: 4 % fewer false pairs,
recall unchanged.

Nor are files merged whose second surnames never agree (no pair of her records with both
surnames shares the second, allowing a slip or the two swapped): a thin record, "Guillermina
Gómez", scores high against Guillermina Gómez Ocasio and Guillermina Gómez Flores alike, and
would otherwise put both in one file (the pair goes to review). Measured on the generator's
hard setting (100,000 records): women's false pairs 2,039 → 1,604 (P 0.9971 → 0.9977), recall
unchanged; at 300,000 with the default setting, precision and recall unchanged.

Nor are files merged whose full dates of birth never agree (allowing one digit off, two
transposed, or day and month swapped): two Guadalupe González Martínez born a year apart, and a
record of one of them that gives only her age. Measured on the generator's hard setting
(100,000 records), with the stricter swap above ("Cano Torres" is not "Sánchez Cano" typed the
other way round): women's precision 0.9977 → 0.9992, recall 0.9672 → 0.9671. At 1,000,000
with the default setting, together with the incident rule and the tighter blocks of the same
change: women P 0.9983 → 0.9986, R 0.9846 → 0.9874 (docs/benchmarks.md).

Records that carry almost no identity (only a given name, or only a phone) are never linked on
the model alone; one such record joins the file of its incident when the evidence suffices
(:mod:`violeta.linkage.incident`).

Last, a record left on its own whose only candidate is one file of two or more records (every
pair it has at or above the review threshold points into that file, the best at least
``ATTACH_FROM``) joins it. The pairwise probability prices a random pair; a record that
resembles one file and nothing else in the whole registry is likelier hers than the pair alone
says (a thin 911 call, "name, first surname, age", next to the one woman of that name and age
on file).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from violeta.linkage.agreement import same_birth, same_family
from violeta.linkage.components import Nodes, merge_safe
from violeta.linkage.facts import MAX_DOB_FORMS, MAX_SURNAME_FORMS, record_facts, roots_of
from violeta.linkage.incident import attach_incident
from violeta.linkage.scoring import NEAR_YEARS

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
    """Union–find over record indices, carrying each cluster's CURPs and forbidden partners."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.curps: dict[int, set[str]] = {}
        self.forbidden: dict[int, set[int]] = {}
        self.years: dict[int, tuple[float, float]] = {}  # birth years on file: lowest, highest
        self.surnames: dict[int, set[tuple[str, str]]] = {}  # both surnames, as typed on file
        self.dobs: dict[int, set[str]] = {}  # full dates of birth on file

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def conflict(self, a: int, b: int, *, ages: bool = True) -> str | None:
        """Why the clusters of ``a`` and ``b`` may not merge, or None."""
        ra, rb = self.find(a), self.find(b)
        return None if ra == rb else self.roots_conflict(ra, rb, ages=ages)

    def roots_conflict(self, ra: int, rb: int, *, ages: bool = True) -> str | None:
        """``ages``: also refuse files whose birth years lie more than NEAR_YEARS apart (for a
        pair whose own score could not weigh the age, one of them giving none)."""
        ca, cb = self.curps.get(ra), self.curps.get(rb)
        if ca and cb and not ca & cb:
            return "curp_conflict"
        ya, yb = self.years.get(ra), self.years.get(rb)
        if ages and ya and yb and (yb[0] - ya[1] > NEAR_YEARS or ya[0] - yb[1] > NEAR_YEARS):
            return "age_conflict"
        if self.forbidden:
            fa, fb = self.forbidden.get(ra, set()), self.forbidden.get(rb, set())
            if any(self.find(x) == rb for x in fa) or any(self.find(x) == ra for x in fb):
                return "human"
        sa, sb = self.surnames.get(ra), self.surnames.get(rb)
        if sa and sb and not any(same_family(x, y) for x in sa for y in sb):
            return "surname_conflict"
        da, db = self.dobs.get(ra), self.dobs.get(rb)
        if da and db and not any(same_birth(x, y) for x in da for y in db):
            return "birth_conflict"
        return None

    def union_roots(self, ra: int, rb: int) -> int:
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        if rb in self.curps:
            self.curps.setdefault(ra, set()).update(self.curps.pop(rb))
        if rb in self.forbidden:
            self.forbidden.setdefault(ra, set()).update(self.forbidden.pop(rb))
        if rb in self.surnames:
            self.keep_surnames(ra, self.surnames.pop(rb))
        if rb in self.dobs:
            self.keep_dobs(ra, self.dobs.pop(rb))
        if rb in self.years:
            low, high = self.years.pop(rb)
            mine = self.years.get(ra, (low, high))
            self.years[ra] = (min(low, mine[0]), max(high, mine[1]))
        return ra

    def keep_surnames(self, root: int, pairs: set[tuple[str, str]]) -> None:
        """Add these forms of her surnames to the file of ``root``, up to MAX_SURNAME_FORMS."""
        forms = self.surnames.setdefault(root, set())
        for pair in pairs:
            if len(forms) >= MAX_SURNAME_FORMS:
                return
            forms.add(pair)

    def keep_dobs(self, root: int, dates: set[str]) -> None:
        forms = self.dobs.setdefault(root, set())
        for date in dates:
            if len(forms) >= MAX_DOB_FORMS:
                return
            forms.add(date)

    def sizes(self) -> dict[int, int]:
        """How many records each cluster holds, by root."""
        roots, counts = np.unique(roots_of(self.parent), return_counts=True)
        return defaultdict(int, zip(roots.tolist(), counts.tolist(), strict=True))

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.union_roots(ra, rb)


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
    ``pairs`` (unique_id_l, unique_id_r, match_probability ≥ ``review_from``).

    Records are numbered in the order of their ids, so the loop runs on integers (a million
    records, several million pairs) and equal scores are taken in id order whatever order the
    backend returned the pairs in (Spark's changes from run to run)."""
    codes, uniques = pd.factorize(features["unique_id"], sort=True)
    index = pd.Index(uniques)
    ids: list[str] = index.tolist()
    number = {uid: i for i, uid in enumerate(ids)}
    uf = _UnionFind(len(ids))
    method: dict[int, str] = {}
    probability: dict[int, float] = {}
    review: list[tuple[int, int, float, str]] = []
    for x, y in different:
        if x in number and y in number:
            uf.forbidden.setdefault(number[x], set()).add(number[y])
            uf.forbidden.setdefault(number[y], set()).add(number[x])
    for x, y in same:
        if x in number and y in number:
            uf.union(number[x], number[y])
            method[number[x]] = method[number[y]] = "human"
    # CURP rule: one person per consistent valid CURP.
    consistent = features["curp_consistent"].to_numpy(dtype=bool)
    by_curp: dict[str, list[int]] = defaultdict(list)
    n = len(ids)
    curp_of: list[str | None] = [None] * n
    for i, curp in zip(
        codes[consistent].tolist(), features["curp"][consistent].tolist(), strict=True
    ):
        uf.curps.setdefault(uf.find(i), set()).add(curp)
        by_curp[curp].append(i)
        curp_of[i] = curp
    for members in by_curp.values():
        for other in members[1:]:
            if uf.conflict(members[0], other) is None:
                uf.union(members[0], other)
                for u in (members[0], other):
                    method.setdefault(u, "curp")
    facts = record_facts(features, codes, roots_of(uf.parent))
    uf.years, uf.surnames, uf.dobs = facts.years, facts.surnames, facts.dobs
    strength, has_year = facts.strength, facts.has_year
    left, right = (_positions(index, pairs[side]) for side in ("unique_id_l", "unique_id_r"))
    if (left < 0).any() or (right < 0).any():
        raise ValueError("a scored pair names a record that is not among the features")
    scores = pairs["match_probability"].to_numpy(dtype=float)
    handled = merge_safe(
        uf,
        left,
        right,
        scores,
        threshold=threshold,
        linkable=np.asarray(strength) >= MIN_EVIDENCE,
        nodes=Nodes(curp_of, facts.dob_of, facts.surnames_of, facts.year_of),
        method=method,
        probability=probability,
    )
    left, right, scores = left[~handled], right[~handled], scores[~handled]
    order = np.lexsort((right, left, -scores))
    uncertain: list[tuple[int, int, float]] = []
    find = uf.find
    for a, b, p in zip(
        left[order].tolist(), right[order].tolist(), scores[order].tolist(), strict=True
    ):
        if p < threshold:
            uncertain.append((a, b, p))
            continue
        if strength[a] < MIN_EVIDENCE or strength[b] < MIN_EVIDENCE:
            continue
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        why = uf.roots_conflict(ra, rb, ages=not (has_year[a] and has_year[b]))
        if why == "curp_conflict":
            review.append((a, b, p, why))
            continue
        if why in (
            "age_conflict",
            "surname_conflict",
            "birth_conflict",
        ):  # the pair agrees, the files do not
            review.append((a, b, p, "uncertain"))
            continue
        if why:
            continue
        uf.union_roots(ra, rb)
        for u in (a, b):
            if method.setdefault(u, "model") == "model" and p > probability.get(u, 0.0):
                probability[u] = p
    _attach_lone(uf, uncertain, strength, has_year, method, probability)
    attach_incident(uf, features, codes, strength, method)
    for a, b, p in uncertain:
        if uf.find(a) != uf.find(b) and uf.conflict(a, b) is None:
            review.append((a, b, p, "uncertain"))
    for i in range(len(ids)):
        if i not in method:
            method[i] = "single" if strength[i] >= MIN_EVIDENCE else "unlinked"
    root_ids = np.asarray(ids, dtype=object)[roots_of(uf.parent)].tolist()
    return Clusters(
        dict(zip(ids, root_ids, strict=True)),
        {ids[i]: m for i, m in method.items()},
        {ids[i]: q for i, q in probability.items()},
        [(ids[a], ids[b], q, why) for a, b, q, why in review],
    )


def _positions(index: pd.Index, ids: pd.Series) -> np.ndarray:
    """Where each of ``ids`` is in ``index`` (-1 where it is not). Ids that come as categories
    of the same sorted ids (``model.predict``) are numbered already: their codes serve."""
    if isinstance(ids.dtype, pd.CategoricalDtype) and ids.cat.categories.equals(index):
        return ids.cat.codes.to_numpy(dtype=np.intp)
    return index.get_indexer(ids.astype(str))


def _attach_lone(
    uf: _UnionFind,
    uncertain: Sequence[tuple[int, int, float]],
    strength: Sequence[int],
    has_year: Sequence[bool],
    method: dict[int, str],
    probability: dict[int, float],
) -> None:
    """A record still alone joins the one file it resembles (see the module's docstring).

    Candidates are grouped by the file they are in at the moment of the decision (a lone
    candidate that has just joined the same file no longer counts apart), another lone record
    is a rival only if it resembles her at least as much as the file does, and passes repeat
    until nothing more joins."""
    size = uf.sizes()
    candidates: dict[int, list[tuple[float, int]]] = defaultdict(list)
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
            files: dict[int, tuple[float, int]] = {}
            for p, other in pairs:
                root = uf.find(other)
                if p > files.get(root, (0.0, -1))[0]:
                    files[root] = (p, other)
            # Another lone record is no rival file unless it resembles her at least as much.
            many = {r: v for r, v in files.items() if size[r] >= 2}
            if len(many) != 1:
                continue
            ((p, other),) = many.values()
            if any(q >= p for r, (q, _o) in files.items() if r not in many):
                continue
            ages = not (has_year[lone] and has_year[other])
            if p < ATTACH_FROM or uf.conflict(lone, other, ages=ages):
                continue
            root_before = uf.find(other)
            uf.union(lone, other)
            size[uf.find(lone)] = size.pop(root_before, 1) + 1
            method[lone] = "model"
            probability[lone] = p
            method.setdefault(other, "model")
            joined = True
