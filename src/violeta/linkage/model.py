"""The Fellegi–Sunter model: comparisons, blocking, training by EM, prediction (Splink).

One model per role (women, aggressors): their records differ (aggressors rarely carry a CURP or
a phone). The comparisons are built from Splink's comparison-level library only, so the same
saved model runs on DuckDB here and on Spark in a national deployment.

Choices measured on the generator (docs/benchmarks.md) and in ``../shared/LINKAGE.md``:
surnames are one comparison (swapped order and "one surname in common" as levels), because
two separate surname comparisons are correlated and EM over-counts them; address, colonia and
alcaldía are one comparison for the same reason (they all change when she moves); the term
frequency of the first surname adjusts its exact levels (Hernández agrees by chance far more
often than Ugalde).
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.exceptions import EMTrainingException

from violeta.linkage.features import FEATURE_COLUMNS
from violeta.linkage.scoring import DAYS_MINUTES, INCIDENT_MINUTES, JW, NEAR_YEARS

logger = logging.getLogger(__name__)

SAMPLE_U_PAIRS = 2e6
EM_MAX_PAIRS = 3e5
MIN_EM_PAIRS = 200
MIN_M = 1e-3
# The share of true pairs the deterministic rules below are assumed to find (for the prior).
PRIOR_RECALL = 0.8
# EM sessions: the names are estimated where the birth date or the phone agrees; birth, phone,
# CURP and place where the names agree. A session without enough pairs is skipped.
EM_BLOCKINGS = [
    ("surname1", "dob"),
    ("given_primary", "surname1"),
    ("phone",),
    ("given_primary", "dob"),
    ("birth_year",),
]

logging.getLogger("splink").setLevel(logging.WARNING)


def _surnames() -> cl.CustomComparison:
    both_typo = cll.And(cll.JaroWinklerLevel("surname1", JW), cll.JaroWinklerLevel("surname2", JW))
    one_missing = cll.CustomLevel("(surname2_l IS NULL OR surname2_r IS NULL)")
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            cll.NullLevel("surname1"),
            cll.ExactMatchLevel("surnames").configure(
                tf_adjustment_column="surnames", label_for_charts="both surnames"
            ),
            cll.ColumnsReversedLevel("surname1", "surname2", symmetrical=True).configure(
                label_for_charts="surnames swapped"
            ),
            cll.And(cll.ExactMatchLevel("surname1"), one_missing).configure(
                tf_adjustment_column="surname1",
                disable_tf_exact_match_detection=True,
                label_for_charts="first surname, second missing",
            ),
            both_typo.configure(label_for_charts="both surnames, a typing slip"),
            cll.And(cll.JaroWinklerLevel("surname1", JW), one_missing).configure(
                label_for_charts="first surname with a slip, second missing"
            ),
            cll.Or(
                cll.ExactMatchLevel("surname1"),
                cll.ColumnsReversedLevel("surname1", "surname2"),
                cll.ColumnsReversedLevel("surname2", "surname1"),
                cll.ExactMatchLevel("surname2"),
            ).configure(label_for_charts="one surname in common"),
            cll.ElseLevel(),
        ],
    )


def _given() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="given_names",
        comparison_levels=[
            cll.NullLevel("given_primary"),
            cll.ExactMatchLevel("given_full").configure(label_for_charts="all given names"),
            cll.ExactMatchLevel("given_primary").configure(
                tf_adjustment_column="given_primary", label_for_charts="the name she goes by"
            ),
            cll.JaroWinklerLevel("given_primary", JW).configure(label_for_charts="a slip"),
            cll.ArrayIntersectLevel("given_tokens", 1).configure(label_for_charts="a name shared"),
            cll.ElseLevel(),
        ],
    )


def _birth(*, detailed: bool) -> cl.CustomComparison:
    """Date of birth, or the age given. ``detailed`` adds the levels for typing slips in a
    full date (women's records carry the date often; aggressors' almost never, and a level
    EM never observes cannot be trained)."""
    one_missing = cll.CustomLevel("(dob_l IS NULL OR dob_r IS NULL)")
    slips = [
        cll.And(
            cll.CustomLevel("substr(dob_l, 6, 2) = substr(dob_r, 9, 2)"),
            cll.CustomLevel("substr(dob_l, 9, 2) = substr(dob_r, 6, 2)"),
            cll.CustomLevel("substr(dob_l, 1, 4) = substr(dob_r, 1, 4)"),
        ).configure(label_for_charts="day and month swapped"),
        cll.DamerauLevenshteinLevel("dob", 1).configure(label_for_charts="one digit off"),
    ]
    return cl.CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            cll.ExactMatchLevel("dob").configure(label_for_charts="same date of birth"),
            *(slips if detailed else []),
            cll.And(one_missing, cll.AbsoluteDifferenceLevel("birth_year", 1)).configure(
                label_for_charts="age agrees (±1 year)"
            ),
            cll.AbsoluteDifferenceLevel("birth_year", NEAR_YEARS).configure(
                label_for_charts="age roughly agrees"
            ),
            cll.ElseLevel(),
        ],
    )


def _curp() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="curp",
        comparison_levels=[
            cll.NullLevel("curp_raw"),
            cll.ExactMatchLevel("curp").configure(label_for_charts="same valid CURP"),
            cll.DamerauLevenshteinLevel("curp_raw", 2).configure(label_for_charts="CURP, a slip"),
            cll.ElseLevel(),
        ],
    )


def _phone() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="phone",
        comparison_levels=[
            cll.NullLevel("phone"),
            cll.ExactMatchLevel("phone"),
            cll.DamerauLevenshteinLevel("phone", 1).configure(label_for_charts="one digit off"),
            cll.ElseLevel(),
        ],
    )


def _place() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="place",
        comparison_levels=[
            cll.And(cll.NullLevel("colonia"), cll.NullLevel("alcaldia")),
            cll.And(cll.ExactMatchLevel("address"), cll.ExactMatchLevel("colonia")).configure(
                label_for_charts="same address"
            ),
            cll.ExactMatchLevel("colonia").configure(label_for_charts="same colonia"),
            cll.ExactMatchLevel("alcaldia").configure(label_for_charts="same alcaldía"),
            cll.ElseLevel(),
        ],
    )


def _when() -> cl.CustomComparison:
    """When it happened. A 911 call and the police's intervention on it lie minutes apart, the
    hospital's and the prosecutor's records of the same incident hours or a day or two apart;
    two random records of a registry spanning years almost never do. The 911 call is the
    thinnest record (a given name, a surname, an age typed by an operator in a hurry), and the
    moment is what ties it to the fuller record of the same incident. Measured on 300,000
    generator women: two thirds of the 911 calls left out of her file had her police record
    within 6 hours in it."""
    return cl.CustomComparison(
        output_column_name="when",
        comparison_levels=[
            cll.NullLevel("occurred"),
            cll.AbsoluteDifferenceLevel("occurred", INCIDENT_MINUTES).configure(
                label_for_charts="the same incident (within 3 hours)"
            ),
            cll.AbsoluteDifferenceLevel("occurred", DAYS_MINUTES).configure(
                label_for_charts="within 3 days"
            ),
            cll.ElseLevel(),
        ],
    )


def _partner(role: str) -> cl.CustomComparison:
    """The other party of the record. For a woman, a different aggressor's name counts
    against as EM estimates it (most women name the same man). For an aggressor, EM would
    learn the same from the many records of one couple and then miss the men with several
    victims, exactly whom the file must link: a different woman is fixed at a mild −1 bit
    (enough to keep apart two namesakes whose surnames are swapped or ages far apart)."""
    other: ComparisonLevelCreator = cll.ElseLevel()
    if role != "woman":
        other = other.configure(
            m_probability=1 / 3,
            u_probability=2 / 3,
            fix_m_probability=True,
            fix_u_probability=True,
            label_for_charts="another woman",
        )
    return cl.CustomComparison(
        output_column_name="partner",
        comparison_levels=[
            cll.NullLevel("partner"),
            cll.ExactMatchLevel("partner").configure(label_for_charts="same other party"),
            other,
        ],
    )


# Name blocks of common names grow with the square of the registry (María Hernández: ~770
# records at 300,000, ~2,500 at 1,000,000): pairs whose ages are far apart score low whatever
# else agrees (CURP and phone have blocks of their own), so the name blocks leave them out
# (ages more than BLOCK_YEARS apart).
# Measured on 300,000 generator women: the same links (2 of 1,915,597 pairs at ≥ 0.5 lost, none
# at the threshold), scoring in less than half the time (docs/benchmarks.md).
# Measured at 1,000,000 generator women: 5 years → 3 cut the blocked pairs from 42.5 to 33.4
# million; at 100,000 (default and hard settings) precision and recall unchanged to 4 digits.
BLOCK_YEARS = 3
_NEAR_AGE = (
    f"(l.birth_year IS NULL OR r.birth_year IS NULL "
    f"OR abs(l.birth_year - r.birth_year) <= {BLOCK_YEARS})"
)
# Within a name block, two records whose other surname is given in both and starts with
# another letter are two women (María Hernández López, María Hernández García): measured on
# 300,000 generator women, that is 855,000 of the 2,040,000 pairs of the first surname's
# block, of which 0 are the same woman; in the second surname's block, first surnames of
# another initial are 917,000 of 993,000 pairs and 51 true pairs (4 above the threshold), all
# of whose files other rules reach. A slip rarely hits a surname's first letter.
_OTHER_INITIAL_AGREES = (
    "(l.surname2 IS NULL OR r.surname2 IS NULL "
    "OR substr(l.surname2, 1, 1) = substr(r.surname2, 1, 1))"
)
_RULES_SQL = [
    "l.curp = r.curp",
    "l.phone = r.phone",
    "l.surname1 = r.surname1 AND l.given_primary = r.given_primary "
    f"AND {_OTHER_INITIAL_AGREES} AND {_NEAR_AGE}",
    "l.surname1 = r.surname1 AND l.dob = r.dob",
    "l.given_primary = r.given_primary AND l.dob = r.dob",
    "l.surname2 = r.surname2 AND l.given_primary = r.given_primary "
    f"AND substr(l.surname1, 1, 1) = substr(r.surname1, 1, 1) AND {_NEAR_AGE}",
    # Swapped surnames, the same initial and near ages: swapped alone made the largest block
    # of all (Hernández García / García Hernández: 54 of 95 million pairs at 1,000,000 women).
    "l.surname1 = r.surname2 AND l.surname2 = r.surname1 "
    f"AND substr(l.given_primary, 1, 1) = substr(r.given_primary, 1, 1) AND {_NEAR_AGE}",
    "l.surname1 = r.surname1 AND l.surname2 = r.surname2 AND l.birth_year = r.birth_year",
    "l.surnames = r.surnames AND substr(l.given_primary, 1, 1) = substr(r.given_primary, 1, 1) "
    f"AND {_NEAR_AGE}",
    # A slip in the year of a full date: the name blocks above no longer reach it.
    "l.surname1 = r.surname1 AND l.given_primary = r.given_primary "
    "AND substr(l.dob, 6, 5) = substr(r.dob, 6, 5)",
    "l.partner = r.partner AND l.given_primary = r.given_primary",
    "l.partner = r.partner AND l.surname1 = r.surname1",
]
BLOCKING_RULES: list[dict[str, Any]] = [
    {"blocking_rule": sql, "sql_dialect": "duckdb"} for sql in _RULES_SQL
]


def with_current_blocking(model: dict[str, Any]) -> dict[str, Any]:
    """A saved model with this code's blocking rules: the rules decide which pairs are
    scored, not what a pair weighs, so a model trained before a change of blocking keeps its
    parameters and scores the pairs the code now asks for."""
    return {**model, "blocking_rules_to_generate_predictions": [dict(r) for r in BLOCKING_RULES]}


def settings(role: str) -> SettingsCreator:
    """The model for ``role``: "woman" compares everything; "aggressor" leaves out what
    agencies do not record about him (phone, address) and the date slips, and when it
    happened: his records of one incident already share her file (the other party), and at
    1,000,000 records the moment on top of it cost precision (0.9984 → 0.9975) for little
    recall (0.9863 → 0.9880)."""
    if role == "woman":
        comparisons = [
            _given(), _surnames(), _birth(detailed=True), _curp(), _phone(), _place(), _when(),
        ]  # fmt: skip
    else:
        comparisons = [_given(), _surnames(), _birth(detailed=False), _curp()]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[*comparisons, _partner(role)],
        blocking_rules_to_generate_predictions=list(BLOCKING_RULES),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _linker(features: pd.DataFrame, model: SettingsCreator | dict[str, Any]) -> Linker:
    db_api = DuckDBAPI()
    table = db_api.register(features[FEATURE_COLUMNS].copy())
    return Linker(table, model, log_level=logging.WARNING)


def train(features: pd.DataFrame, role: str, *, seed: int = 1) -> dict[str, Any]:
    """Estimate m and u without labels: u from random pairs, m by EM on two blockings
    (each estimates the comparisons the other blocks on)."""
    linker = _linker(features, settings(role))
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [
            block_on("curp"),
            block_on("given_primary", "surname1", "dob"),
            block_on("given_primary", "surnames", "birth_year"),
        ],
        recall=PRIOR_RECALL,
    )
    training.estimate_u_using_random_sampling(max_pairs=SAMPLE_U_PAIRS, seed=seed)
    for columns in EM_BLOCKINGS:
        if blocked_pairs(features, columns) < MIN_EM_PAIRS:
            continue
        try:
            training.estimate_parameters_using_expectation_maximisation(
                block_on(*columns), max_pairs=EM_MAX_PAIRS
            )
        except (ValueError, EMTrainingException) as error:
            # Too few pairs in some level for this session: the others still estimate it.
            logger.warning("EM session on %s skipped: %s", columns, type(error).__name__)
    return _bounded(linker.misc.save_model_to_json())


def _bounded(model: dict[str, Any]) -> dict[str, Any]:
    """Keep every m probability at or above ``MIN_M``. EM sees few pairs in rare levels and
    can drive m to zero, a weight of −100 that says "impossible"; no typing habit is
    impossible, and one such weight would veto every other agreement."""
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            m = level.get("m_probability")
            if m is not None and not level.get("is_null_level"):
                level["m_probability"] = max(float(m), MIN_M)
    return model


def blocked_pairs(features: pd.DataFrame, columns: tuple[str, ...]) -> int:
    """How many pairs blocking on ``columns`` (all non-null and equal) generates."""
    sizes = features.dropna(subset=list(columns)).groupby(list(columns)).size()
    return int((sizes * (sizes - 1) // 2).sum())


def predict(features: pd.DataFrame, model: dict[str, Any], threshold: float) -> pd.DataFrame:
    """Every blocked pair scoring at least ``threshold``: unique_id_l, unique_id_r,
    match_probability, match_weight and the level of each comparison."""
    # DuckDB joins the blocked pairs on the id three times (block, then each side's columns):
    # on integers rather than strings that is a fifth less time (300,000 generator women,
    # 15.2 s → 11.9 s). Numbered in the ids' sorted order, so each pair keeps the orientation
    # (unique_id_l < unique_id_r) it has with the string ids, as on Spark.
    codes, ids = pd.factorize(features["unique_id"], sort=True)
    linker = _linker(features.assign(unique_id=codes.astype("int64")), with_current_blocking(model))
    pairs = linker.inference.predict(threshold_match_probability=threshold)
    frame = pairs.as_pandas_dataframe()
    pairs.drop_table_from_database_and_remove_from_cache()
    # The ids come back as categories of the sorted ids: ``cluster`` takes their codes as its
    # own numbering instead of looking millions of strings up (6 s at 1,000,000 women).
    names = pd.Index(ids)
    for side in ("unique_id_l", "unique_id_r"):
        codes_of_side = frame[side].to_numpy(dtype="int64")
        frame[side] = pd.Categorical.from_codes(codes_of_side, categories=names)
    return frame
