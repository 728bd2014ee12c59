"""The same incident: a thin record joins the file of the fuller record of the same event.

The 911 line types what a woman in danger manages to say: often a given name and an age, no
surname. The model cannot link such a record (a given name alone is not an identity: see
``cluster.MIN_EVIDENCE``), yet the police who answered the call wrote down her full name
minutes later. A record whose given name and age agree with a record registered within
``INCIDENT_MINUTES`` of it, and with no record of any other file that could be her, is the
same woman: in a city's registry two women of the same given name and age in the same three
hours are rare, and when there are two the rule does nothing (both are rivals).

The issue allows a thin record to be "attached to a person only when the evidence suffices":
this is that evidence, and such links say so (method ``incident``), apart from the model's.

Written here, not with Splink: Splink scores pairs, it has no notion of "the only file within
reach"; the candidates are found with one pandas join on (given name, time bucket).

Measured on the generator's hard setting (100,000 records): see docs/benchmarks.md.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from violeta.linkage.agreement import surname_alike
from violeta.linkage.scoring import INCIDENT_MINUTES

if TYPE_CHECKING:
    from violeta.linkage.cluster import _UnionFind

AGE_SLACK = 1  # years: an age said on the phone and an age typed by the police


def _surname_agrees(mine: object, first: object, second: object) -> bool:
    """Her first surname, if the thin record has one, is one of the other record's (as typed,
    with a slip, or in the other order); a record without surnames agrees with anything."""
    if not isinstance(mine, str) or not mine or not isinstance(first, str) or not first:
        return True
    return any(
        isinstance(theirs, str) and theirs and surname_alike(mine, theirs)
        for theirs in (first, second)
    )


def incident_pairs(features: pd.DataFrame, number: np.ndarray, lone: set[int]) -> pd.DataFrame:
    """Pairs (``lone``, ``other``, ``agrees``) of record numbers (``number``: each features
    row's): a ``lone`` record with an age, and every record within ``INCIDENT_MINUTES`` of it
    with the same given name (``given_primary``: nicknames already folded) that could be the
    same woman (surnames do not disagree, ages not more than ``AGE_SLACK`` apart). ``agrees``:
    the other gives an age and it agrees (a candidate); without an age it is only a rival."""
    columns = ["unique_id", "given_primary", "surname1", "surname2", "birth_year", "occurred"]
    frame = features.reindex(columns=columns)  # a test's frame may lack some of them
    frame["n"] = number
    frame = frame[
        frame["occurred"].notna() & (frame["given_primary"].astype(object).fillna("") != "")
    ]
    frame["bucket"] = (frame["occurred"] // INCIDENT_MINUTES).astype("int64")
    mine = frame[frame["n"].isin(lone) & frame["birth_year"].notna()]
    empty = pd.DataFrame({"lone": [], "other": [], "agrees": []})
    if mine.empty:
        return empty
    near = pd.concat([mine.assign(bucket=mine["bucket"] + d) for d in (-1, 0, 1)])
    joined = near.merge(frame, on=["given_primary", "bucket"], suffixes=("", "_o"))
    gap = (joined["birth_year"] - joined["birth_year_o"]).abs()
    joined = joined[
        (joined["n"] != joined["n_o"])
        & ((joined["occurred"] - joined["occurred_o"]).abs() <= INCIDENT_MINUTES)
        & ~(gap > AGE_SLACK)  # a missing age (NaN) stays, as a rival
    ]
    if joined.empty:
        return empty
    names = [
        _surname_agrees(m, f, s)
        for m, f, s in zip(
            joined["surname1"], joined["surname1_o"], joined["surname2_o"], strict=True
        )
    ]
    joined = joined[np.asarray(names, dtype=bool)]
    return pd.DataFrame(
        {
            "lone": joined["n"].to_numpy(dtype=np.int64),
            "other": joined["n_o"].to_numpy(dtype=np.int64),
            "agrees": joined["birth_year_o"].notna().to_numpy(),
        }
    )


def attach_incident(
    uf: _UnionFind,
    features: pd.DataFrame,
    number: np.ndarray,
    strength: list[int],
    method: dict[int, str],
) -> int:
    """Join each record still alone to the one file of its incident (module docstring);
    passes repeat until nothing more joins (two thin calls of one incident: once the first
    has joined the police's file, the second has one file within reach, not two). Returns
    how many joined."""
    size = uf.sizes()
    lone = {i for i in range(len(uf.parent)) if size[uf.find(i)] == 1 and strength[i] >= 1}
    pairs = incident_pairs(features, number, lone)
    near: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for mine, other, agrees in zip(
        pairs["lone"].tolist(), pairs["other"].tolist(), pairs["agrees"].tolist(), strict=True
    ):
        near[mine].append((other, agrees))
    joined = 0
    progress = True
    while progress:
        progress = False
        for mine, others in near.items():
            if uf.find(mine) != mine or size[mine] != 1:
                continue
            root = _only_file(uf, near, size, mine)
            if root is None:
                continue
            other = next((o for o, a in others if a and uf.find(o) == root), None)
            if other is None or uf.conflict(mine, other) is not None:
                continue
            total = size.pop(root, 1) + 1
            size[uf.union_roots(uf.find(mine), root)] = total
            method[mine] = "incident"
            method.setdefault(other, "incident")
            joined += 1
            progress = True
    return joined


def _only_file(
    uf: _UnionFind, near: dict[int, list[tuple[int, bool]]], size: dict[int, int], mine: int
) -> int | None:
    """The one file within reach of ``mine``, or None. Another lone record within reach is no
    rival if the only file within its own reach is that same file (two calls of one incident);
    with no file, one lone record within reach that has only ``mine`` within reach is hers."""

    def reach(record: int) -> set[int]:
        return {uf.find(o) for o, _a in near.get(record, [])}

    roots = reach(mine)
    files = {r for r in roots if size[r] > 1}
    lone = roots - files
    if len(files) == 1:
        (file,) = files
        return file if all(reach(r) - {mine} == {file} for r in lone) else None
    if not files and len(lone) == 1:
        (other,) = lone
        return other if reach(other) == {mine} else None
    return None
