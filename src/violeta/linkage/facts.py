"""What each record brings to the clustering's rules, read from the features on whole columns.

:func:`violeta.linkage.cluster.cluster` asks, before each merge, whether the two files' ages,
surnames and dates of birth could be one woman's. It needs each record's facts and, for each
file it starts from (the records the CURP and human rules have already put together), the
range of birth years and the first forms of her surnames and date of birth. Gathered record by
record, with a union–find look-up and a set per record, that was a fifth of the clustering's
time at 1,000,000 women; here it is a few column operations and one group-by per fact.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pandas as pd

# How many different ways of typing her two surnames a file keeps for the rules (a woman with
# thirty records is typed a dozen ways; the first forms suffice to recognise her).
MAX_SURNAME_FORMS = 8
MAX_DOB_FORMS = 4  # dates of birth a file keeps (one woman, a few slips)
Form = TypeVar("Form", bound=Hashable)


@dataclass
class Facts:
    """Per record (by record number): the facts; per file (by its root): what it holds."""

    strength: list[int]
    has_year: list[bool]
    year_of: list[float | None]
    surnames_of: list[tuple[str, str] | None]
    dob_of: list[str | None]
    years: dict[int, tuple[float, float]] = field(default_factory=dict)
    surnames: dict[int, set[tuple[str, str]]] = field(default_factory=dict)
    dobs: dict[int, set[str]] = field(default_factory=dict)


def roots_of(parent: list[int]) -> np.ndarray:
    """The root of every node of a union–find's ``parent`` list (pointer jumping)."""
    roots = np.asarray(parent, dtype=np.int64)
    while True:
        jumped = roots[roots]
        if np.array_equal(jumped, roots):
            return roots
        roots = jumped


def record_facts(features: pd.DataFrame, rows: np.ndarray, roots: np.ndarray) -> Facts:
    """The facts of ``features`` (``rows``: each row's record number; ``roots``: each
    record's file). A record missing from the features has none (strength 0)."""
    n = len(roots)
    strength = np.zeros(n, dtype=np.int64)
    strength[rows] = features["evidence"].to_numpy(dtype=np.int64)
    facts = Facts(strength.tolist(), [False] * n, [None] * n, [None] * n, [None] * n)
    if "birth_year" in features:
        _years(facts, rows, roots, features["birth_year"].astype("float64").to_numpy())
    if "surname1" in features and "surname2" in features:
        first, second = features["surname1"], features["surname2"]
        given = _text(first) & _text(second)
        pairs = list(zip(first[given].tolist(), second[given].tolist(), strict=True))
        for i, pair in zip(rows[given].tolist(), pairs, strict=True):
            facts.surnames_of[i] = pair
        facts.surnames = _forms(roots[rows[given]], pairs, MAX_SURNAME_FORMS)
    if "dob" in features:
        dob = features["dob"].tolist()
        full = np.asarray([isinstance(v, str) and len(v) == 10 for v in dob], dtype=bool)
        dates = [v for v, keep in zip(dob, full.tolist(), strict=True) if keep]
        for i, date in zip(rows[full].tolist(), dates, strict=True):
            facts.dob_of[i] = date
        facts.dobs = _forms(roots[rows[full]], dates, MAX_DOB_FORMS)
    return facts


def _text(column: pd.Series) -> np.ndarray:
    """Where ``column`` holds a non-empty string."""
    return np.asarray([isinstance(v, str) and v != "" for v in column.tolist()], dtype=bool)


def _years(facts: Facts, rows: np.ndarray, roots: np.ndarray, years: np.ndarray) -> None:
    known = ~np.isnan(years)
    for i, year in zip(rows[known].tolist(), years[known].tolist(), strict=True):
        facts.has_year[i] = True
        facts.year_of[i] = year
    span = pd.DataFrame({"root": roots[rows[known]], "year": years[known]})
    span = span.groupby("root", sort=False)["year"].agg(["min", "max"])
    lows, highs = span["min"].tolist(), span["max"].tolist()
    facts.years = dict(zip(span.index.tolist(), zip(lows, highs, strict=True), strict=True))


def _forms(roots: np.ndarray, values: list[Form], most: int) -> dict[int, set[Form]]:
    """Each file's first ``most`` distinct values, in the records' order."""
    frame = pd.DataFrame({"root": roots, "value": pd.Series(values, dtype=object)})
    frame = frame.drop_duplicates()
    frame = frame[frame.groupby("root", sort=False).cumcount() < most]
    forms: dict[int, set[Form]] = {}
    for root, value in zip(frame["root"].tolist(), frame["value"].tolist(), strict=True):
        forms.setdefault(root, set()).add(value)
    return forms
