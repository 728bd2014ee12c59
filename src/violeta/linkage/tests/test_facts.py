"""The clustering's facts, per record and per file, gathered on whole columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from violeta.linkage.facts import MAX_SURNAME_FORMS, record_facts, roots_of


def test_roots_follow_every_chain() -> None:
    assert roots_of([0, 0, 1, 3, 3, 4, 2]).tolist() == [0, 0, 0, 3, 3, 3, 0]


def test_each_file_gathers_its_records_facts_and_keeps_the_first_forms() -> None:
    surnames = [(f"S{k}", "B") for k in range(MAX_SURNAME_FORMS + 2)]
    features = pd.DataFrame(
        {
            "evidence": [3, 1, 4, 2, *([3] * len(surnames))],
            "birth_year": [1990.0, None, 1994.0, np.nan, *([1980.0] * len(surnames))],
            "surname1": ["GOMEZ", "GOMEZ", None, "", *(a for a, _b in surnames)],
            "surname2": ["LARA", "", "LARA", "RUIZ", *(b for _a, b in surnames)],
            "dob": ["1990-01-02", "1990", None, "1991-02-03", *([None] * len(surnames))],
        }
    )
    n = len(features)
    rows = np.arange(n)[::-1].copy()  # records numbered in another order than the rows
    parent = list(range(n))
    parent[rows[2]] = rows[0]  # rows 0 and 2 are one file already (a CURP, say)
    parent[rows[1]] = rows[0]
    for k in range(5, n):  # the surname rows are one file
        parent[rows[k]] = rows[4]
    facts = record_facts(features, rows, roots_of(parent))

    first = int(rows[0])
    assert facts.strength[first] == 3 and facts.strength[int(rows[1])] == 1
    assert facts.has_year[first] and not facts.has_year[int(rows[1])]
    assert facts.year_of[int(rows[2])] == 1994.0 and facts.year_of[int(rows[3])] is None
    assert facts.years[first] == (1990.0, 1994.0)
    # Both surnames or none; a date of birth only when it is a full one.
    assert facts.surnames_of[first] == ("GOMEZ", "LARA")
    assert facts.surnames_of[int(rows[1])] is None and facts.surnames_of[int(rows[3])] is None
    assert facts.dob_of[first] == "1990-01-02" and facts.dob_of[int(rows[1])] is None
    assert facts.surnames[first] == {("GOMEZ", "LARA")}
    assert facts.dobs == {first: {"1990-01-02"}, int(rows[3]): {"1991-02-03"}}
    # A file typed many ways keeps its first forms, in the records' order.
    assert facts.surnames[int(rows[4])] == set(surnames[:MAX_SURNAME_FORMS])
