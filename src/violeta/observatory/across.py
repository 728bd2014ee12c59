"""The audit of a release against the one before it, for an attacker who assumes records are
only ever added (nonnegativity).

Within one release and across releases, the linear guarantees (``disclosure``,
``services.protect_k``) protect every hidden or held figure from subtraction. An attacker who
also *assumes* that in the minutes between two releases records were only added (no correction,
no merge: often true over five minutes) learns more: a figure shown with the same exact value
in both releases gained nothing, so no figure inside it (its cells, any figure whose conditions
include its own) gained anything either. For such a figure ``x`` hidden in both releases she
knows ``x`` now equals ``x`` before: the two releases' equations are no longer independent, and
a figure hidden in one of them (or the small change of one hidden in both) can come out of the
two systems together. Measured before this audit: a provisional-month cell of 3 women (hidden,
then shown as 9 when everything around it was known to have gained nothing).

``exposed`` models exactly that attacker on figures: the unknowns are the hidden figures of the
previous release and of the candidate, the same unknown where she would assume the figure did
not change; the rows are both releases' equations. A hidden figure she can pin down, or a figure
hidden in both whose change she can pin down, is reported, and ``services.protect_k`` hides one
more figure of the candidate near it until nothing is. Unchanged figures that were current
before (``unchanged``) are never chosen as complements: their value is known anyway.

Written here because no statistical disclosure control library we know of (sdcTable, tau-Argus)
audits consecutive releases of the same tables; the linear algebra is numpy's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from violeta.observatory.disclosure import Equation, Key, components, row_space

Value = tuple[int, int]  # (records, women)


@dataclass(frozen=True)
class Previous:
    """What the previous release published, as the attacker has it."""

    keys: frozenset[Key]  # every figure it had (shown, held or hidden)
    current: Mapping[Key, Value]  # the exact values it published as current
    equations: list[Equation] = field(default_factory=list)  # those a reader of it could write
    counts: Mapping[Key, Value] = field(default_factory=dict)  # its exact values (internal)


def conditions(key: Key) -> tuple[str, frozenset[tuple[str, str]]]:
    """The population a figure counts: its universe (records or alerts) and the conditions its
    records meet. ``a`` lies inside ``b`` when they share the universe and every condition of
    ``b`` is one of ``a``'s (``tables`` documents the keys)."""
    assert isinstance(key, tuple)
    head = key[0]
    if head == "total":
        return "records", frozenset()
    if head == "alerts":
        return "alerts", frozenset()
    if head == "month":
        return "records", frozenset({("month", key[1])})
    if head == "alerts_month":
        return "alerts", frozenset({("month", key[1])})
    if head == "alert_level":
        return "alerts", frozenset({("alert_level", key[1])})
    if head == "cell":
        _, by, dim, first, second = key
        universe = "alerts" if dim == "alert_level" else "records"
        return universe, frozenset({(by, first), (dim, second)})
    return "records", frozenset({(head, key[1])})


def unchanged(previous: Previous, records: Mapping[Key, int], women: Mapping[Key, int]) -> set[Key]:
    """Figures current in the previous release whose exact value is the same now: shown again
    they tell the attacker nothing was added to them; hidden they would protect nothing."""
    return {
        key
        for key, value in previous.current.items()
        if key in records and (records[key], women[key]) == value
    }


def inside(fixed: Iterable[Key], keys: Iterable[Key]) -> set[Key]:
    """Every figure among ``keys`` that lies inside one of ``fixed`` (itself included)."""
    fixed_conditions = {conditions(key) for key in fixed}
    found = set()
    for key in keys:
        universe, own = conditions(key)
        for size in range(len(own) + 1):
            if any((universe, frozenset(c)) in fixed_conditions for c in combinations(own, size)):
                found.add(key)
                break
    return found


def exposed(
    previous: Previous,
    *,
    shown: set[Key],
    records: Mapping[Key, int],
    women: Mapping[Key, int],
    equations: list[Equation],
    k: int,
) -> set[Key]:
    """The figures whose protection the two releases together break (see the module's text):
    hidden now or before and pinned down, or hidden in both with a change of fewer than ``k``
    records or women pinned down (any change, when the previous exact values are unknown)."""
    fixed_now = unchanged(previous, records, women)
    fixed = fixed_now & shown
    still = inside(fixed, set(records) | previous.keys)  # she assumes these gained nothing
    found: set[Key] = set()
    variables: dict[tuple[Key, str], int] = {}

    def unknown(key: Key, release: str) -> int | None:
        """The index of the unknown that is ``key`` in ``release`` ("p" or "c"), if hidden."""
        if release == "p" and (key not in previous.keys or key in previous.current):
            return None
        if release == "c" and (key in shown or (key in still and key not in previous.keys)):
            return None  # shown, or new and inside a figure that gained nothing: she has 0
        if key in still and key not in previous.current:  # the same unknown in both releases
            release = "p"
        return variables.setdefault((key, release), len(variables))

    found.update(fixed_now - shown)  # shown before, hidden now though unchanged: known
    for key in (still & previous.keys) - previous.current.keys():
        if key in shown:
            found.add(key)  # hidden before, shown now: her "before" value is the one shown now
    rows: set[tuple[tuple[int, float], ...]] = set()
    for release, system in (("p", previous.equations), ("c", equations)):
        for equation in system:
            row: dict[int, float] = {}
            for sign, keys in ((-1.0, (equation.total,)), (1.0, equation.parts)):
                for key in keys:
                    index = unknown(key, release)
                    if index is not None:
                        row[index] = row.get(index, 0.0) + sign
            row = {i: v for i, v in row.items() if v}
            if row:
                rows.add(tuple(sorted(row.items())))  # equations that did not change: once
    targets: list[tuple[Key, dict[int, float]]] = [
        (key, {index: 1.0}) for (key, _), index in variables.items()
    ]
    for key in previous.keys:
        before, now = variables.get((key, "p")), variables.get((key, "c"))
        if before is not None and now is not None and _small(previous, key, records, women, k):
            targets.append((key, {now: 1.0, before: -1.0}))  # hidden in both: her change
    found.update(_pinned([dict(row) for row in rows], targets, len(variables)))
    return found


def _small(
    previous: Previous, key: Key, records: Mapping[Key, int], women: Mapping[Key, int], k: int
) -> bool:
    """Whether the change of ``key`` is one the rule across releases would hold (0 < |change|
    < k in records or women); unknown previous values count as small."""
    if key not in previous.counts:
        return True
    old_records, old_women = previous.counts[key]
    changes = (abs(records.get(key, 0) - old_records), abs(women.get(key, 0) - old_women))
    return any(0 < change < k for change in changes)


def _pinned(
    rows: list[dict[int, float]], targets: list[tuple[Key, dict[int, float]]], size: int
) -> set[Key]:
    """The targets (linear forms over the unknowns) that lie in the row space of ``rows``,
    computed per connected group of unknowns with an orthonormal basis (SVD)."""
    groups = components(range(size), rows)
    group = {i: g for g, members in enumerate(groups) for i in members}
    own: dict[int, list[dict[int, float]]] = {}
    for row in rows:
        own.setdefault(group[next(iter(row))], []).append(row)
    asked: dict[int, list[tuple[Key, dict[int, float]]]] = {}
    for key, target in targets:
        where = {group[i] for i in target}
        if len(where) == 1:  # else its unknowns share no equation: nothing links them
            asked.setdefault(where.pop(), []).append((key, target))
    found: set[Key] = set()
    for g, questions in asked.items():
        if g not in own:
            continue
        index = {i: n for n, i in enumerate(sorted(groups[g]))}
        matrix = np.zeros((len(own[g]), len(index)))
        for r, row in enumerate(own[g]):
            for i, value in row.items():
                matrix[r, index[i]] = value
        basis = row_space(matrix)
        for key, target in questions:
            # v lies in the row space iff its projection on the basis keeps its whole length
            columns = [index[i] for i in target]
            values = np.array(list(target.values()))
            projected = basis[:, columns] @ values
            if float(projected @ projected) > float(values @ values) - 1e-6:
                found.add(key)
    return found
