"""Instrument files checked field by field; answers scored and explained (no database)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from violeta.risk.choices import FACTORS
from violeta.risk.definition import InstrumentError, parse, parse_text
from violeta.risk.scoring import (
    AnswerError,
    clean_answers,
    explain,
    level_for,
    missing_required,
)

pytestmark = pytest.mark.usefixtures("english")
SHIPPED = Path(__file__).resolve().parents[1] / "instruments"


def _shipped(code: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SHIPPED / f"{code}.json").read_text(encoding="utf-8"))
    return data


def test_shipped_instruments_are_valid_and_tag_items_with_the_fixed_factors() -> None:
    vpr, vper, danger = (parse(_shipped(c)) for c in ("vpr", "vper", "danger"))
    assert [lv.code for lv in vpr.levels] == ["no_apreciado", "bajo", "medio", "alto", "extremo"]
    assert set(vpr.groups) == {"history", "aggressor", "vulnerability", "minors", "aggravating"}
    assert all(i.type == "yes_no" for i in vpr.items) and len(vpr.items) >= 30
    assert vper.code == "vper" and [lv.code for lv in vper.levels] == [lv.code for lv in vpr.levels]
    assert len(danger.items) == 20
    assert [(lv.code, lv.min_score) for lv in danger.levels] == [
        ("variable", 0),
        ("increased", 8),
        ("severe", 14),
        ("extreme", 18),
    ]
    for d in (vpr, vper, danger):
        assert "placeholder" in d.notes.lower()
        used = {f for i in d.items for f in i.factors}
        assert used <= FACTORS
    assert {lv.reassess_hours for lv in vpr.levels} == {None, 1440, 720, 168, 72}


def test_score_is_the_sum_of_weights_and_the_explanation_names_the_threshold() -> None:
    vpr = parse(_shipped("vpr"))
    answers = {i.id: "no" for i in vpr.items} | {"h6": "yes", "a1": "yes", "g1": "yes"}
    explanation = explain(vpr, clean_answers(vpr, answers))
    counted = {line.item.id: line.weight for line in explanation.counted}
    assert counted == {"h6": 4, "a1": 3, "g1": 3}
    assert explanation.total == 10
    assert explanation.level.code == "medio" and explanation.level.min_score == 8
    assert explanation.next_level is not None and explanation.next_level.code == "alto"
    assert len(explanation.lines) == len(vpr.items)

    danger = parse(_shipped("danger"))
    yes = {"d2", "d5", "d6", "d10", "d18", "d13"}  # 3+3+3+3+2+2 = 16
    result = explain(danger, {i.id: "yes" if i.id in yes else "no" for i in danger.items})
    assert (result.total, result.level.code) == (16, "severe")


def test_an_answer_outside_the_allowed_values_is_rejected_naming_the_item() -> None:
    vpr = parse(_shipped("vpr"))
    with pytest.raises(AnswerError) as caught:
        clean_answers(vpr, {"h1": "yes", "h6": "maybe", "zz": "yes"})
    assert set(caught.value.errors) == {"h6", "zz"}
    assert "h6" in caught.value.errors["h6"] and "maybe" in caught.value.errors["h6"]
    assert "strangle" in caught.value.errors["h6"] or "estrangular" in caught.value.errors["h6"]


def _tiny(**item: Any) -> dict[str, Any]:
    base = {"id": "n1", "group": "g", "text": "Incidents", "type": "number", "min": 0, "max": 50}
    return {
        "code": "tiny",
        "version": "1",
        "name": "Tiny",
        "groups": [{"id": "g", "label": "Group"}],
        "items": [base | item],
        "levels": [
            {"code": "bajo", "label": "Low", "min_score": 0, "equivalent": "bajo"},
            {"code": "alto", "label": "High", "min_score": 2, "equivalent": "alto"},
        ],
    }


def test_number_items_check_the_range_and_weigh_by_band() -> None:
    tiny = parse(_tiny(bands=[{"min": 3, "max": 50, "weight": 2}]))
    assert explain(tiny, clean_answers(tiny, {"n1": "4"})).level.code == "alto"
    assert explain(tiny, clean_answers(tiny, {"n1": "1"})).level.code == "bajo"
    with pytest.raises(AnswerError, match="n1"):
        clean_answers(tiny, {"n1": "51"})
    with pytest.raises(AnswerError, match="not a number"):
        clean_answers(tiny, {"n1": "many"})
    with pytest.raises(AnswerError, match="not a number"):
        clean_answers(tiny, {"n1": "nan"})
    assert [i.id for i in missing_required(tiny, {})] == ["n1"]
    assert missing_required(tiny, clean_answers(tiny, {"n1": ""})) != []


def test_a_bad_file_is_refused_with_every_problem_named_by_field_and_item() -> None:
    data = _shipped("vpr")
    data["items"][0]["type"] = "scale"
    data["items"][1]["factors"] = ["weapons", "bad_luck"]
    del data["items"][2]["weights"]
    data["levels"][2]["min_score"] = 40  # out of order
    data["items"][4]["id"] = data["items"][3]["id"]
    with pytest.raises(InstrumentError) as caught:
        parse(data)
    text = "\n".join(caught.value.errors)
    assert 'item "h1" "type"' in text
    assert 'item "h2" "factors"' in text
    assert 'item "h3" "weights"' in text
    assert '"levels"' in text
    assert 'item "h4": the id is used twice' in text
    with pytest.raises(InstrumentError, match="line 1"):
        parse_text("{not json")


@pytest.mark.parametrize("code", ["vpr", "vper", "danger"])
def test_each_threshold_is_reached_exactly_at_its_min_score(code: str) -> None:
    definition = parse(_shipped(code))
    levels = definition.levels
    for below, level in itertools.pairwise(levels):
        assert level_for(definition, level.min_score).code == level.code
        assert level_for(definition, level.min_score - 1).code == below.code
    assert level_for(definition, 0).code == levels[0].code
    assert level_for(definition, 10_000).code == levels[-1].code
