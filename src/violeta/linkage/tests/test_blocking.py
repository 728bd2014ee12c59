"""Which pairs the blocking rules let through to scoring (the rules run as DuckDB SQL)."""

from __future__ import annotations

import duckdb
import pandas as pd

from violeta.linkage.model import BLOCKING_RULES, with_current_blocking

COLUMNS = ["curp", "phone", "surname1", "surname2", "given_primary", "dob", "birth_year"]


def _blocked(rows: dict[str, dict[str, object]]) -> set[tuple[str, str]]:
    frame = pd.DataFrame(
        [{"unique_id": uid, **{c: values.get(c) for c in COLUMNS}} for uid, values in rows.items()]
    )
    frame["surnames"] = frame["surname1"] + " " + frame["surname2"].fillna("")
    frame["partner"] = None
    frame["birth_year"] = frame["birth_year"].astype(float)
    con = duckdb.connect()
    con.register("t", frame)
    found: set[tuple[str, str]] = set()
    for rule in BLOCKING_RULES:
        sql = (
            "SELECT l.unique_id, r.unique_id FROM t l JOIN t r "  # noqa: S608
            f"ON l.unique_id < r.unique_id AND ({rule['blocking_rule']})"
        )
        found.update(con.execute(sql).fetchall())
    return found


def test_namesakes_of_very_different_ages_are_not_scored_but_near_ages_and_slips_are() -> None:
    maria = {"surname1": "HERNANDEZ", "given_primary": "MARIA"}
    pairs = _blocked(
        {
            "a": {**maria, "surname2": "LOPEZ", "birth_year": 1985, "dob": "1985-03-04"},
            "b": {**maria, "birth_year": 1988},  # three years apart: scored
            "c": {**maria, "birth_year": 1960},  # 25 years apart, nothing else shared
            "d": {**maria, "surname2": "RUIZ", "birth_year": 1995, "dob": "1995-03-04"},
            "e": {**maria},  # no age at all: the name blocks still reach her
        }
    )
    assert ("a", "b") in pairs
    assert ("a", "c") not in pairs and ("c", "d") not in pairs
    assert ("a", "d") in pairs  # a slip in the year of a full date
    assert {("a", "e"), ("b", "e"), ("c", "e")} <= pairs


def test_swapped_surnames_are_scored_with_the_same_initial_and_near_ages() -> None:
    """Hernández García and García Hernández, one of them typed the other way round: scored
    when the given names share an initial and the ages are near; every such swap in a city
    of a million women is not."""
    swapped = {"surname1": "GARCIA", "surname2": "HERNANDEZ"}
    pairs = _blocked(
        {
            "a": {"surname1": "HERNANDEZ", "surname2": "GARCIA", "given_primary": "MARIA",
                  "birth_year": 1985},
            "b": {**swapped, "given_primary": "MARYA", "birth_year": 1986},
            "c": {**swapped, "given_primary": "ROSA", "birth_year": 1985},
            "d": {**swapped, "given_primary": "MARIA", "birth_year": 1970},
        }
    )  # fmt: skip
    assert ("a", "b") in pairs
    assert ("a", "c") not in pairs and ("a", "d") not in pairs


def test_a_saved_model_scores_with_the_codes_blocking_rules() -> None:
    saved = {"comparisons": [], "blocking_rules_to_generate_predictions": [{"blocking_rule": "1"}]}
    model = with_current_blocking(saved)
    assert model["blocking_rules_to_generate_predictions"] == BLOCKING_RULES
    assert saved["blocking_rules_to_generate_predictions"] == [{"blocking_rule": "1"}]
