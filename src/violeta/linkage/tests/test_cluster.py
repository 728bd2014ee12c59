"""Clustering: the model links strongest first, within the CURP and human rules."""

from __future__ import annotations

import pandas as pd

from violeta.linkage.cluster import cluster
from violeta.linkage.evaluate import pairwise_quality


def _features(rows: list[tuple[str, str | None, bool, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unique_id", "curp", "curp_consistent", "evidence"])


def _pairs(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability"])


def test_links_above_threshold_and_queues_the_uncertain() -> None:
    feats = _features([(u, None, False, 3) for u in "abcd"])
    result = cluster(
        feats, _pairs([("a", "b", 0.99), ("c", "d", 0.7)]), threshold=0.95, review_from=0.5
    )
    assert result.cluster_of["a"] == result.cluster_of["b"]
    assert result.cluster_of["c"] != result.cluster_of["d"]
    assert result.method["a"] == "model" and result.probability["a"] == 0.99
    assert result.review == [("c", "d", 0.7, "uncertain")]


def test_same_consistent_curp_links_without_the_model() -> None:
    feats = _features([("a", "CURP1", True, 2), ("b", "CURP1", True, 2), ("c", "CURP1", False, 2)])
    result = cluster(feats, _pairs([]), threshold=0.95, review_from=0.5)
    assert result.cluster_of["a"] == result.cluster_of["b"]
    assert result.method["a"] == result.method["b"] == "curp"
    # A CURP that disagrees with its own record links nothing by itself.
    assert result.cluster_of["c"] != result.cluster_of["a"]


def test_different_curps_are_never_merged_by_the_model_and_go_to_review() -> None:
    feats = _features([("a", "CURP1", True, 5), ("b", "CURP2", True, 5), ("c", None, False, 3)])
    pairs = _pairs([("a", "c", 0.999), ("b", "c", 0.998), ("a", "b", 0.997)])
    result = cluster(feats, pairs, threshold=0.95, review_from=0.5)
    assert result.cluster_of["a"] == result.cluster_of["c"]  # strongest link first
    assert result.cluster_of["b"] != result.cluster_of["a"]  # no chaining through c
    assert {(r[0], r[1], r[3]) for r in result.review} == {
        ("b", "c", "curp_conflict"),
        ("a", "b", "curp_conflict"),
    }


def test_human_decisions_win_over_the_model_and_the_curp() -> None:
    feats = _features([("a", "CURP1", True, 5), ("b", "CURP1", True, 5), ("c", None, False, 3)])
    pairs = _pairs([("a", "c", 0.999)])
    result = cluster(
        feats,
        pairs,
        threshold=0.95,
        review_from=0.5,
        same=[("b", "c")],
        different=[("a", "b")],
    )
    assert result.cluster_of["b"] == result.cluster_of["c"]
    assert result.cluster_of["a"] != result.cluster_of["b"]
    assert result.method["b"] == result.method["c"] == "human"


def test_near_empty_records_are_not_linked_on_the_model_alone() -> None:
    feats = _features([("a", None, False, 1), ("b", None, False, 3)])
    result = cluster(feats, _pairs([("a", "b", 0.99)]), threshold=0.95, review_from=0.5)
    assert result.cluster_of["a"] != result.cluster_of["b"]
    assert result.method["a"] == "unlinked"
    assert result.method["b"] == "single"


def test_pairwise_quality_counts_pairs_from_the_contingency_table() -> None:
    truth = {"a": "W1", "b": "W1", "c": "W1", "d": "W2", "e": "W2"}
    predicted = {"a": "1", "b": "1", "c": "2", "d": "2", "e": "3"}
    quality = pairwise_quality(predicted, truth)
    assert (quality.true_pairs, quality.predicted_pairs, quality.correct_pairs) == (4, 2, 1)
    assert quality.precision == 0.5 and quality.recall == 0.25
    assert abs(quality.f1 - 1 / 3) < 1e-9


def test_a_lone_record_joins_the_one_file_it_resembles() -> None:
    feats = _features([(u, None, False, 3) for u in "abc"] + [("d", None, False, 2)])
    pairs = _pairs([("a", "b", 0.99), ("c", "a", 0.8), ("c", "b", 0.6)])
    result = cluster(feats, pairs, threshold=0.95, review_from=0.5)
    assert result.cluster_of["c"] == result.cluster_of["a"]
    assert result.method["c"] == "model" and result.probability["c"] == 0.8
    assert not result.review  # settled, nothing left to review


def test_a_lone_record_with_two_candidate_files_or_a_weak_one_stays_alone() -> None:
    feats = _features([(u, None, False, 3) for u in "abcdefg"] + [("h", None, False, 1)])
    pairs = _pairs(
        [
            ("a", "b", 0.99),
            ("c", "d", 0.99),
            ("e", "a", 0.9),  # two files resemble e: a human decides
            ("e", "c", 0.6),
            ("f", "a", 0.65),  # below ATTACH_FROM
            ("g", "h", 0.9),  # a lone record is not a file
            ("h", "c", 0.9),  # too little identity to link at all
        ]
    )
    result = cluster(feats, pairs, threshold=0.95, review_from=0.5)
    for lone in "efgh":
        members = [u for u, c in result.cluster_of.items() if c == result.cluster_of[lone]]
        assert members == [lone]
    assert result.method["h"] == "unlinked"
    assert {(r[0], r[1]) for r in result.review} >= {("e", "a"), ("e", "c"), ("f", "a")}


def test_a_lone_record_never_joins_against_a_human_decision_or_a_curp() -> None:
    feats = _features(
        [
            ("a", "CURP1", True, 5),
            ("b", None, False, 3),
            ("c", None, False, 3),
            ("d", "CURP2", True, 5),
        ]
    )
    pairs = _pairs([("a", "b", 0.99), ("c", "a", 0.9), ("d", "b", 0.9)])
    result = cluster(feats, pairs, threshold=0.95, review_from=0.5, different=[("c", "b")])
    assert result.cluster_of["c"] != result.cluster_of["a"]
    assert result.cluster_of["d"] != result.cluster_of["a"]


def test_lone_records_that_resemble_each_other_and_one_file_both_join_it() -> None:
    feats = _features([(u, None, False, 3) for u in "abxyzw"])
    pairs = _pairs(
        [
            ("a", "b", 0.99),
            ("x", "a", 0.92),  # x resembles the file more than it resembles y
            ("x", "y", 0.8),
            ("y", "b", 0.75),  # y's other candidate, x, joins the file first
            ("z", "a", 0.8),  # z resembles w more than the file: a human decides
            ("z", "w", 0.85),
        ]
    )
    result = cluster(feats, pairs, threshold=0.95, review_from=0.5)
    assert result.cluster_of["x"] == result.cluster_of["y"] == result.cluster_of["a"]
    assert result.probability["y"] == 0.8  # her best pair into the file, now through x
    assert result.cluster_of["z"] != result.cluster_of["a"]
    assert result.cluster_of["w"] != result.cluster_of["a"]


def test_equal_scores_cluster_the_same_whatever_order_the_pairs_come_in() -> None:
    # c may join a or b (different CURPs), both at the same score: the first pair by ids wins.
    feats = _features([("a", "CURP1", True, 5), ("b", "CURP2", True, 5), ("c", None, False, 3)])
    rows = [("b", "c", 0.99), ("a", "c", 0.99)]
    results = [
        cluster(feats, _pairs(order), threshold=0.95, review_from=0.5).cluster_of
        for order in (rows, rows[::-1])
    ]
    assert results[0] == results[1]
    assert results[0]["c"] == results[0]["a"] != results[0]["b"]


def test_a_record_without_age_does_not_bridge_files_of_far_apart_ages() -> None:
    """Nelly, 1941 (a thin 911 call) scores high against a record of hers that gives no age;
    her file says 1995–1996: the bridge would put two women in one file."""
    feats = _features([(u, None, False, 3) for u in "abcde"])
    feats["birth_year"] = [1941.0, None, 1996.0, 1995.0, 1996.0]
    pairs = _pairs([("b", "c", 0.999), ("c", "d", 0.99), ("a", "b", 0.98), ("d", "e", 0.97)])
    result = cluster(feats, pairs, threshold=0.95, review_from=0.5)
    assert result.cluster_of["b"] == result.cluster_of["c"] == result.cluster_of["d"]
    assert result.cluster_of["a"] != result.cluster_of["b"]
    assert ("a", "b", 0.98, "uncertain") in result.review
    # Both giving an age, the pair's own score has weighed it: the model decides.
    feats["birth_year"] = [1941.0, 1988.0, 1996.0, 1995.0, 1996.0]
    result = cluster(feats, pairs, threshold=0.95, review_from=0.5)
    assert result.cluster_of["a"] == result.cluster_of["c"]


def test_files_whose_second_surnames_never_agree_are_not_bridged() -> None:
    """Guillermina Gómez Ocasio and Guillermina Gómez Flores, and a 911 call that says only
    "Guillermina Gómez": it scores high against both, but one file is never both women."""
    feats = _features([(u, None, False, 3) for u in "abcd"])
    feats["surname1"] = ["GOMEZ", "GOMEZ", "GOMEZ", "GOMEZ"]
    feats["surname2"] = ["OCASIO", "OCASIO", None, "FLORES"]
    pairs = _pairs([("a", "b", 0.999), ("b", "c", 0.99), ("c", "d", 0.98)])
    result = cluster(feats, pairs, threshold=0.95, review_from=0.5)
    assert result.cluster_of["a"] == result.cluster_of["b"] == result.cluster_of["c"]
    assert result.cluster_of["d"] != result.cluster_of["a"]
    assert ("c", "d", 0.98, "uncertain") in result.review
    # Her mother's surname typed with a slip, or the two surnames swapped: still her.
    for second, first in (("OCASYO", "GOMEZ"), ("GOMEZ", "OCASIO")):
        feats.loc[3, ["surname1", "surname2"]] = [first, second]
        result = cluster(feats, pairs, threshold=0.95, review_from=0.5)
        assert result.cluster_of["d"] == result.cluster_of["a"], (first, second)


def test_files_whose_dates_of_birth_never_agree_are_not_bridged() -> None:
    """Two Guadalupe González Martínez, born 1981-01-20 and 1982-03-13: a record of one that
    gives only her age scores high against both, but a file holds one date of birth (typed
    with a slip at most)."""
    feats = _features([(u, None, False, 3) for u in "abcd"])
    feats["dob"] = ["1981-01-20", "1981-01-20", None, "1982-03-13"]
    pairs = _pairs([("a", "b", 0.999), ("b", "c", 0.99), ("c", "d", 0.98)])
    result = cluster(feats, pairs, threshold=0.95, review_from=0.5)
    assert result.cluster_of["a"] == result.cluster_of["b"] == result.cluster_of["c"]
    assert result.cluster_of["d"] != result.cluster_of["a"]
    assert ("c", "d", 0.98, "uncertain") in result.review
    # A slip in one digit, two digits transposed, or day and month swapped: still her.
    for dob in ("1981-01-21", "1981-10-20", "1981-20-01"):
        feats.loc[3, "dob"] = dob
        result = cluster(feats, pairs, threshold=0.95, review_from=0.5)
        assert result.cluster_of["d"] == result.cluster_of["a"], dob


def test_one_surname_in_the_place_of_the_other_is_not_a_swap() -> None:
    """Rosario Cano Torres is not Rosario Sánchez Cano typed the other way round."""
    feats = _features([(u, None, False, 3) for u in "abc"])
    feats["surname1"] = ["SANCHEZ", None, "CANO"]
    feats["surname2"] = ["CANO", None, "TORRES"]
    pairs = _pairs([("a", "b", 0.999), ("b", "c", 0.98)])
    result = cluster(feats, pairs, threshold=0.95, review_from=0.5)
    assert result.cluster_of["c"] != result.cluster_of["a"]
    feats.loc[2, "surname2"] = "SANCHES"  # both swapped, one with a slip
    result = cluster(feats, pairs, threshold=0.95, review_from=0.5)
    assert result.cluster_of["c"] == result.cluster_of["a"]


def _incident(rows: list[tuple[str, str, str | None, float | None, float, int]]) -> pd.DataFrame:
    """unique_id, given name, first surname, birth year, minute it happened, evidence."""
    feats = pd.DataFrame(
        rows,
        columns=["unique_id", "given_primary", "surname1", "birth_year", "occurred", "evidence"],
    )
    feats["curp"] = None
    feats["curp_consistent"] = False
    feats["surname2"] = None
    return feats


def test_a_thin_911_call_joins_the_police_record_of_the_same_incident() -> None:
    """ "Amelia, 30" on the 911 line at 20:41; the police write Amelia Reyes Madrid, 31, at
    21:30: the same woman. A given name alone never links on the model; here the moment is
    the evidence, and the link says so."""
    feats = _incident(
        [
            ("call", "AMELIA", None, 1995.0, 1000.0, 1),
            ("police", "AMELIA", "REYES", 1994.0, 1049.0, 3),
            ("centre", "AMELIA", "REYES", 1994.0, 90_000.0, 4),
            ("other", "AMELIA", "LUNA", 1960.0, 1010.0, 3),  # 35 years older: not a rival
        ]
    )
    pairs = _pairs([("police", "centre", 0.99)])
    result = cluster(feats, pairs, threshold=0.95, review_from=0.5)
    assert result.cluster_of["call"] == result.cluster_of["police"] == result.cluster_of["centre"]
    assert result.method["call"] == "incident"
    assert result.cluster_of["other"] != result.cluster_of["call"]


def test_a_thin_call_with_two_women_within_reach_or_none_stays_unlinked() -> None:
    """Two Amelias of that age within the three hours (or one whose age is not known), a
    police record a day later, or an age that disagrees: the call stays on its own."""
    cases = {
        "two women": [("p1", "AMELIA", "REYES", 1994.0, 1049.0, 3),
                      ("p2", "AMELIA", "LUNA", 1995.0, 1100.0, 3)],
        "a rival of unknown age": [("p1", "AMELIA", "REYES", 1994.0, 1049.0, 3),
                                   ("p2", "AMELIA", "LUNA", None, 1100.0, 3)],
        "a day later": [("p1", "AMELIA", "REYES", 1995.0, 1000.0 + 24 * 60, 3)],
        "another age": [("p1", "AMELIA", "REYES", 1991.0, 1049.0, 3)],
        "another given name": [("p1", "AMALIA", "REYES", 1995.0, 1049.0, 3)],
    }  # fmt: skip
    for case, others in cases.items():
        feats = _incident([("call", "AMELIA", None, 1995.0, 1000.0, 1), *others])
        result = cluster(feats, _pairs([]), threshold=0.95, review_from=0.5)
        assert result.method["call"] == "unlinked", case
        assert result.cluster_of["call"] == "call", case


def test_two_thin_calls_of_one_incident_both_join_her_file() -> None:
    """The 911 line took two calls about her (a neighbour, then her sister): each is within
    reach of the other and of the police record; once one has joined her file, so does the
    other. Three lone records within reach of each other stay apart: which two are one
    woman is not for the clock to say."""
    feats = _incident(
        [
            ("call1", "ROSA", None, 1990.0, 1000.0, 1),
            ("call2", "ROSA", None, 1990.0, 1010.0, 1),
            ("police", "ROSA", "CANO", 1991.0, 1060.0, 3),
            ("centre", "ROSA", "CANO", 1991.0, 50_000.0, 4),
        ]
    )
    pairs = _pairs([("police", "centre", 0.99)])
    result = cluster(feats, pairs, threshold=0.95, review_from=0.5)
    assert result.cluster_of["call1"] == result.cluster_of["call2"] == result.cluster_of["police"]
    result = cluster(feats, _pairs([]), threshold=0.95, review_from=0.5)
    assert len({result.cluster_of[u] for u in ("call1", "call2", "police")}) == 3


def test_ids_given_as_categories_cluster_as_the_same_ids_given_as_text() -> None:
    # model.predict returns the ids as categories of the sorted ids (their codes are cluster's
    # numbering); categories of another set of ids must still be looked up by value.
    feats = _features([(u, None, False, 3) for u in "abcde"])
    rows = [("a", "c", 0.99), ("d", "e", 0.97), ("b", "e", 0.6)]
    as_text = cluster(feats, _pairs(rows), threshold=0.95, review_from=0.5)
    for categories in (list("abcde"), list("edcbaxyz")):
        pairs = _pairs(rows)
        for side in ("unique_id_l", "unique_id_r"):
            pairs[side] = pd.Categorical(pairs[side], categories=categories)
        as_codes = cluster(feats, pairs, threshold=0.95, review_from=0.5)
        assert as_codes.cluster_of == as_text.cluster_of, categories
        assert as_codes.review == as_text.review == [("b", "e", 0.6, "uncertain")]
    assert as_text.cluster_of["a"] == as_text.cluster_of["c"] != as_text.cluster_of["b"]
