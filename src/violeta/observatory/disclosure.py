"""Disclosure control for the public observatory: primary and complementary cell suppression.

Pure functions, no database. A release is a set of *quantities* (every cell, every margin and
the grand total of every published table), each with a count of records and a count of women,
and a list of additive *equations* between them (``total = part + part + ...``) that anyone who
reads the tables can write down. Shared margins are one quantity: the total of an alcaldía is
the same number in the "by month × alcaldía" and in the "alcaldía × age group" tables.

The rule (docs/observatory.md):

1. Primary suppression: a quantity counting fewer than k women is hidden, zeros included
   (a published zero empties combinations; the attacker test solves hidden cells with them).
2. Complementary suppression: while some hidden quantity can be *computed exactly* from the
   published ones through the equations (its unit vector lies in the row space of the equations
   restricted to the hidden quantities), hide one more quantity next to it: the smallest
   published non-zero one sharing an equation with it (or, failing that, its connected part).
   The check is exact linear algebra, not the classic "two per row and column" heuristic,
   which can leave a hidden cell recoverable through a longer chain of rows and columns.
3. Across releases (``too_close``, applied by ``services.protect_k``): a figure's published
   value changes only by nothing or by at least k (records and women) against every value it
   had before; otherwise it is held at its earlier value and ``forced`` hidden for the check,
   so its current value (hence the small change) cannot be computed either.
4. Against the previous release, for an attacker who assumes records were only added
   (``across``, applied by ``services.protect_k``): figures whose value is known from it are
   chosen as complements last (``fixed``), and more are held until she pins nothing down.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

Key = Hashable
T = TypeVar("T", bound=Hashable)
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Equation:
    """``total`` equals the sum of ``parts`` (counts of records)."""

    total: Key
    parts: tuple[Key, ...]

    @property
    def keys(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


def primary(people: Mapping[Key, int], k: int) -> set[Key]:
    """The quantities that count fewer than ``k`` people, zeros included: a published zero
    tells that some combinations are empty, and with them hidden figures can be solved."""
    return {key for key, n in people.items() if n < k}


def too_close(value: tuple[int, int], known: Iterable[tuple[int, int]], k: int) -> bool:
    """Whether publishing ``value`` (records, women) would reveal a change of fewer than
    ``k`` against a value of the same figure published in an earlier release.

    The difference of two published values of one figure is itself a figure (who came or
    left in between). It is safe when it is nothing (both equal) or when both records and
    women moved by at least ``k`` (then at least ``k`` women changed: a woman who neither
    came nor left counts in both). Compared with *every* earlier value, not just the last:
    with corrections a figure can go 10, 15, 11, and 10 to 11 is a change of one."""
    records, women = value
    for old_records, old_women in known:
        if (records, women) == (old_records, old_women):
            continue
        if abs(records - old_records) < k or abs(women - old_women) < k:
            return True
    return False


def components(items: Iterable[T], links: Iterable[Iterable[T]]) -> list[set[T]]:
    """The connected groups of ``items`` (union-find), two items being connected when some link
    holds both; members of a link that are not among ``items`` are ignored."""
    parent: dict[T, T] = {item: item for item in items}

    def find(item: T) -> T:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for link in links:
        members = [item for item in link if item in parent]
        for other in members[1:]:
            parent[find(other)] = find(members[0])
    groups: dict[T, set[T]] = {}
    for item in parent:
        groups.setdefault(find(item), set()).add(item)
    return list(groups.values())


def _components(keys: Iterable[Key], equations: list[Equation]) -> list[set[Key]]:
    return components(keys, (equation.keys for equation in equations))


def row_space(matrix: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the row space of ``matrix`` (SVD), one basis vector per row:
    a vector lies in the row space iff its projection on the basis keeps its whole length."""
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    return vt[: int((singular > TOLERANCE * max(matrix.shape) * singular.max()).sum())]


def index_by_key(equations: list[Equation]) -> dict[Key, list[Equation]]:
    """Every quantity's equations."""
    by_key: dict[Key, list[Equation]] = {}
    for equation in equations:
        for key in equation.keys:
            by_key.setdefault(key, []).append(equation)
    return by_key


def determined(hidden: set[Key], equations: list[Equation]) -> set[Key]:
    """The hidden quantities whose value follows exactly from the published ones.

    Move the published quantities to the right-hand side; what is left is ``A x = b`` over the
    hidden ones. ``x_i`` is fixed by the system iff the unit vector ``e_i`` lies in the row
    space of ``A`` (every vector of its null space is zero in position ``i``). Computed per
    connected group of hidden quantities, with an orthonormal basis of the row space (SVD)."""
    relevant = [e for e in equations if any(key in hidden for key in e.keys)]
    found: set[Key] = set()
    for group in _components(hidden, relevant):
        order = sorted(group, key=repr)
        index = {key: i for i, key in enumerate(order)}
        rows = []
        for equation in relevant:
            row = np.zeros(len(order))
            for sign, keys in ((-1.0, (equation.total,)), (1.0, equation.parts)):
                for key in keys:
                    if key in index:
                        row[index[key]] += sign
            if row.any():
                rows.append(row)
        if not rows:
            continue
        # e_i lies in the row space iff its projection on the basis has length 1
        lengths = (row_space(np.array(rows)) ** 2).sum(axis=0)
        found.update(key for key, i in index.items() if lengths[i] > 1 - 1e-6)
    return found


def _cost(key: Key, records: Mapping[Key, int], fixed: set[Key]) -> tuple[int, int, int, str]:
    """Hide the smallest published figure first; zeros last (hiding one protects little), and
    ``fixed`` ones (whose value is known anyway, see ``across``) only when nothing else is left."""
    value = records.get(key, 0)
    return (1 if key in fixed else 0, 1 if value == 0 else 0, value, repr(key))


def _local_rule(
    hidden: set[Key],
    equations: list[Equation],
    by_key: dict[Key, list[Equation]],
    records: Mapping[Key, int],
    fixed: set[Key],
) -> None:
    """The classic rule, cheap and local: no equation may hold exactly one hidden quantity
    (it would be its total minus the rest). Applied to a fixed point before the exact check,
    which then rarely has anything left to do."""
    pending = [e for e in equations if any(key in hidden for key in e.keys)]
    while pending:
        equation = pending.pop()
        inside = [key for key in equation.keys if key in hidden]
        zero_parts = equation.total not in hidden and not sum(
            records.get(key, 0) for key in inside
        )  # hidden parts adding up to a published total minus the rest = 0: all of them are 0
        if len(inside) != 1 and not (inside and zero_parts):
            continue
        others = [key for key in equation.keys if key not in hidden]
        if not others:
            continue
        choice = min(others, key=lambda other: _cost(other, records, fixed))
        hidden.add(choice)
        pending.extend(by_key.get(choice, []))


def suppress(
    *,
    records: Mapping[Key, int],
    people: Mapping[Key, int],
    equations: list[Equation],
    k: int,
    forced: Iterable[Key] = (),
    fixed: Iterable[Key] = (),
) -> set[Key]:
    """The quantities to hide: every primary one, every ``forced`` one (figures held back
    across releases, see :func:`too_close`) and enough complements that none is recoverable
    from the published quantities and the equations. ``fixed`` ones are chosen as complements
    only when nothing else is left (their value is known from the previous release)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    hidden = primary(people, k) | set(forced)
    by_key = index_by_key(equations)
    fixed = set(fixed)
    _local_rule(hidden, equations, by_key, records, fixed)
    while True:
        exposed = determined(hidden, equations)
        if not exposed:
            return hidden
        added: set[Key] = set()
        for key in sorted(exposed, key=repr):
            nearby = {other for e in by_key.get(key, []) for other in e.keys}
            if nearby & added:
                continue  # a complement added in this pass may protect it already
            neighbours = nearby - hidden
            if not neighbours:
                group = next(g for g in _components(set(records) | hidden, equations) if key in g)
                neighbours = group - hidden
            if neighbours:
                choice = min(neighbours, key=lambda other: _cost(other, records, fixed))
                hidden.add(choice)
                added.add(choice)
        if not added:
            raise RuntimeError("no complement left to protect a hidden figure")
