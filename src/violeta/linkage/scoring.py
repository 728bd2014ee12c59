"""The trained model, scored in plain Python: one pair in microseconds, for real time.

Splink scores pairs in SQL, which is right for millions of pairs and wrong for the dozen
candidates an operator waits for (its own real-time path costs ~0.3 s a lookup: it builds and
runs a query each time). This module reads the same saved model (m and u of every level) and
decides each comparison's level with the same rules as :mod:`violeta.linkage.model`, written
here as Python predicates; a test checks that both agree level by level on every pair Splink
scores. Term-frequency adjustments are left out here (the TF tables live in the batch run),
so a real-time score for a very common surname is slightly higher than the batch score:
the operator sees candidates, the batch decides links.

Where the saved models live, and their format, is here too: this module is what the web
process imports, so it stays free of Splink and pandas (seconds of start-up).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from violeta.records.choices import PartyRole

JW = 0.92  # Jaro-Winkler similarity for "one typing slip" on a name
# Ages are reported by others (an aggressor's by the woman) and drift; beyond this many years
# apart two records are different people.
NEAR_YEARS = 5
# When two records' events lie this close, in minutes (see ``model._when``).
INCIDENT_MINUTES = 180
DAYS_MINUTES = 3 * 24 * 60
ROLE_NAMES = {PartyRole.VICTIM: "woman", PartyRole.AGGRESSOR: "aggressor"}

Row = dict[str, Any]
Predicate = Callable[[Row, Row], bool]


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _both(a: Row, b: Row, column: str) -> bool:
    return _present(a[column]) and _present(b[column])


def _eq(column: str) -> Predicate:
    return lambda a, b: _both(a, b, column) and a[column] == b[column]


def _null(column: str) -> Predicate:
    return lambda a, b: not _both(a, b, column)


def _jw(column: str) -> Predicate:
    return lambda a, b: _both(a, b, column) and JaroWinkler.similarity(a[column], b[column]) >= JW


def _dl(column: str, most: int) -> Predicate:
    return lambda a, b: (
        _both(a, b, column) and DamerauLevenshtein.distance(a[column], b[column]) <= most
    )


def _else(a: Row, b: Row) -> bool:
    return True


def _cross(x: str, y: str) -> Predicate:
    return lambda a, b: _present(a[x]) and a[x] == b[y]


_S1_EQ, _S2_EQ = _eq("surname1"), _eq("surname2")
_S1_JW, _S2_JW = _jw("surname1"), _jw("surname2")
_S1_IS_S2, _S2_IS_S1 = _cross("surname1", "surname2"), _cross("surname2", "surname1")


def _swapped(a: Row, b: Row) -> bool:
    return _S1_IS_S2(a, b) and _S2_IS_S1(a, b)


def _common_surname(a: Row, b: Row) -> bool:
    return _S1_EQ(a, b) or _S1_IS_S2(a, b) or _S2_IS_S1(a, b) or _S2_EQ(a, b)


def _tokens(a: Row, b: Row) -> bool:
    return bool(a["given_tokens"] and b["given_tokens"]) and bool(
        set(a["given_tokens"]) & set(b["given_tokens"])
    )


def _dob_swapped(a: Row, b: Row) -> bool:
    if not _both(a, b, "dob"):
        return False
    x, y = a["dob"], b["dob"]
    return x[5:7] == y[8:10] and x[8:10] == y[5:7] and x[:4] == y[:4]


def _age_agrees(a: Row, b: Row) -> bool:
    one_missing = not _both(a, b, "dob")
    return one_missing and _both(a, b, "birth_year") and abs(a["birth_year"] - b["birth_year"]) <= 1


def _age_near(a: Row, b: Row) -> bool:
    return _both(a, b, "birth_year") and abs(a["birth_year"] - b["birth_year"]) <= NEAR_YEARS


def _within(minutes: int) -> Predicate:
    return lambda a, b: _both(a, b, "occurred") and abs(a["occurred"] - b["occurred"]) <= minutes


def _place_null(a: Row, b: Row) -> bool:
    return _null("colonia")(a, b) and _null("alcaldia")(a, b)


def _s2_missing(a: Row, b: Row) -> bool:
    return not _both(a, b, "surname2")


def levels(role: str) -> dict[str, list[Predicate]]:
    """Each comparison's levels, in the model's order (see ``model.settings``)."""
    birth: list[Predicate] = [_null("birth_year"), _eq("dob")]
    if role == "woman":
        birth += [_dob_swapped, _dl("dob", 1)]
    birth += [_age_agrees, _age_near, _else]
    table: dict[str, list[Predicate]] = {
        "given_names": [
            _null("given_primary"),
            _eq("given_full"),
            _eq("given_primary"),
            _jw("given_primary"),
            _tokens,
            _else,
        ],
        "surname": [
            _null("surname1"),
            _eq("surnames"),
            _swapped,
            lambda a, b: _S1_EQ(a, b) and _s2_missing(a, b),
            lambda a, b: _S1_JW(a, b) and _S2_JW(a, b),
            lambda a, b: _S1_JW(a, b) and _s2_missing(a, b),
            _common_surname,
            _else,
        ],
        "birth": birth,
        "curp": [_null("curp_raw"), _eq("curp"), _dl("curp_raw", 2), _else],
    }
    if role == "woman":
        table["phone"] = [_null("phone"), _eq("phone"), _dl("phone", 1), _else]
        table["place"] = [
            _place_null,
            lambda a, b: _eq("address")(a, b) and _eq("colonia")(a, b),
            _eq("colonia"),
            _eq("alcaldia"),
            _else,
        ]
        table["when"] = [
            _null("occurred"),
            _within(INCIDENT_MINUTES),
            _within(DAYS_MINUTES),
            _else,
        ]
    table["partner"] = [_null("partner"), _eq("partner"), _else]
    return table


def model_path(role: PartyRole) -> Path:
    """Where ``violeta link`` keeps the trained model of ``role``."""
    return Path(settings.DATA_DIR) / "linkage" / f"model-{role}.json"


def model_write(model: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model, indent=1), encoding="utf-8")


def model_read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class Scored:
    probability: float
    weight: float
    levels: dict[str, str]  # comparison → the label of the level reached


class Scorer:
    """Scores pairs of feature rows with a saved model (``model.load``)."""

    def __init__(self, model: dict[str, Any], role: str) -> None:
        prior = model["probability_two_random_records_match"]
        self.prior = math.log2(prior / (1 - prior))
        every = levels(role)
        self.weights: dict[str, list[tuple[str, float]]] = {}
        for comparison in model["comparisons"]:
            name = comparison["output_column_name"]
            table = []
            for level in comparison["comparison_levels"]:
                label = level.get("label_for_charts", "")
                if level.get("is_null_level"):
                    table.append((label, 0.0))
                    continue
                m, u = level.get("m_probability"), level.get("u_probability")
                weight = math.log2(m / u) if m and u else 0.0
                table.append((label, weight))
            self.weights[name] = table
        if not set(self.weights) <= set(every):
            raise ValueError("the saved model has comparisons this version does not know")
        # A model saved before a comparison was added scores without it until the next
        # ``violeta link`` retrains it (the candidates are still ranked by everything else).
        self.predicates = {name: every[name] for name in self.weights}

    def level_index(self, name: str, a: Row, b: Row) -> int:
        return next(i for i, test in enumerate(self.predicates[name]) if test(a, b))

    def score(self, a: Row, b: Row) -> Scored:
        weight = self.prior
        reached = {}
        for name, table in self.weights.items():
            label, level_weight = table[self.level_index(name, a, b)]
            weight += level_weight
            reached[name] = label
        weight = max(-60.0, min(60.0, weight))
        return Scored(2**weight / (1 + 2**weight), weight, reached)
