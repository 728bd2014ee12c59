"""The Python scorer agrees with Splink, level by level, on every pair Splink scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from violeta.linkage import model as link_model
from violeta.linkage.features import features
from violeta.linkage.scoring import Scorer
from violeta.linkage.source import frames_from_files
from violeta.synth.generate import generate


@pytest.fixture(scope="module")
def women(tmp_path_factory: pytest.TempPathFactory) -> object:
    out: Path = tmp_path_factory.mktemp("synthetic")
    generate(out, women=200, seed=5, corruption="hard")
    frame = frames_from_files(out)["woman"]
    return features(frame)


def _gamma(model: dict, name: str, index: int) -> int:
    levels = next(c for c in model["comparisons"] if c["output_column_name"] == name)[
        "comparison_levels"
    ]
    if levels[index].get("is_null_level"):
        return -1
    non_null = [i for i, lv in enumerate(levels) if not lv.get("is_null_level")]
    return len(non_null) - 1 - non_null.index(index)


def test_python_levels_and_weights_match_splink(women: object) -> None:
    feats = women
    model = link_model.train(feats, "woman")  # type: ignore[arg-type]
    model["retain_intermediate_calculation_columns"] = True
    model["retain_matching_columns"] = True
    pairs = link_model.predict(feats, model, 0.0)  # type: ignore[arg-type]
    assert len(pairs) > 500
    rows = {r["unique_id"]: r for r in feats.to_dict("records")}  # type: ignore[attr-defined]
    scorer = Scorer(model, "woman")
    mismatches = []
    weights = []
    for pair in pairs.to_dict("records"):
        a, b = rows[pair["unique_id_l"]], rows[pair["unique_id_r"]]
        for name in scorer.weights:
            ours = _gamma(model, name, scorer.level_index(name, a, b))
            if ours != pair[f"gamma_{name}"]:
                mismatches.append((name, ours, pair[f"gamma_{name}"]))
        # Splink's weight less its term-frequency factors is the Python weight.
        tf = sum(v for k, v in pair.items() if k.startswith("mw_tf_adj_") and v)
        weights.append((scorer.score(a, b).weight, pair["match_weight"] - tf))
    assert not mismatches[:5], f"{len(mismatches)} level mismatches, e.g. {mismatches[:5]}"
    off = [(o, t) for o, t in weights if abs(o) < 60 and abs(o - t) > 1e-6]
    assert not off, off[:5]


def test_scores_rank_the_same_woman_above_a_stranger(women: object) -> None:
    feats = women
    model = link_model.train(feats, "woman")  # type: ignore[arg-type]
    scorer = Scorer(model, "woman")
    row = feats.iloc[0].to_dict()  # type: ignore[attr-defined]
    typo = dict(row, unique_id="x", given_tokens=row["given_tokens"], phone=None)
    stranger = dict(
        row, unique_id="y", surname1="ZZZ", surnames=None, given_primary="QQQ", given_full="QQQ",
        given_tokens=["QQQ"], dob="1901-01-01", birth_year=1901.0, curp=None, curp_raw=None,
        phone=None,
    )  # fmt: skip
    same = scorer.score(row, typo)
    other = scorer.score(row, stranger)
    assert same.probability > 0.9 > other.probability
    assert same.levels["surname"] == "both surnames" or row["surnames"] is None


def test_the_same_incident_hours_apart_weighs_for_the_same_woman(women: object) -> None:
    """A thin 911 call (given name, first surname, age) beside the police's fuller record:
    the moment is what ties them; the same two records months apart weigh less."""
    feats = women
    model = link_model.train(feats, "woman")  # type: ignore[arg-type]
    scorer = Scorer(model, "woman")
    police = feats.iloc[0].to_dict()  # type: ignore[attr-defined]
    call = dict(
        police, unique_id="call", dob=None, curp=None, curp_raw=None, phone=None,
        surname2=None, surnames=None, address=None, partner=None,
        occurred=police["occurred"] - 40,
    )  # fmt: skip
    months_later = dict(call, occurred=police["occurred"] + 90 * 24 * 60)
    same = scorer.score(police, call)
    later = scorer.score(police, months_later)
    assert same.levels["when"] == "the same incident (within 3 hours)"
    assert later.levels["when"] != same.levels["when"]
    assert same.weight > later.weight + 3


def test_a_model_saved_before_a_comparison_was_added_still_scores(women: object) -> None:
    feats = women
    model = link_model.train(feats, "woman")  # type: ignore[arg-type]
    older = dict(
        model, comparisons=[c for c in model["comparisons"] if c["output_column_name"] != "when"]
    )
    row = feats.iloc[0].to_dict()  # type: ignore[attr-defined]
    scored = Scorer(older, "woman").score(row, dict(row, unique_id="x"))
    assert "when" not in scored.levels and scored.probability > 0.9
    unknown = dict(
        model,
        comparisons=[
            *model["comparisons"],
            {"output_column_name": "shoe size", "comparison_levels": []},
        ],
    )
    with pytest.raises(ValueError):
        Scorer(unknown, "woman")
