"""The plan's content is selected by level and factors, from versioned data in two languages."""

from __future__ import annotations

import json

import pytest

from violeta.safetyplan.choices import Factor
from violeta.safetyplan.content import (
    CONTENT_PATH,
    generate_plan,
    sections_from_json,
    sections_to_json,
)


def _codes(level: str, factors: set[str]) -> dict[str, list[str]]:
    return {s.code: [step.code for step in s.steps] for s in generate_plan(level, factors)}


def _text(level: str, factors: set[str], language: str = "es-mx") -> str:
    return " ".join(
        f"{s.title} {' '.join(step.text for step in s.steps)}"
        for s in generate_plan(level, factors, language=language)
    )


def test_every_plan_has_the_emergency_numbers_safe_places_and_a_code_word() -> None:
    plan = _codes("bajo", set())
    assert list(plan) == ["emergency", "safe_places", "trusted_people"]
    assert plan["emergency"] == ["call_911", "sos_765", "speed_dial"]
    text = _text("no_apreciado", set())
    assert "911" in text and "*765" in text and "palabra o señal clave" in text


def test_factors_add_their_sections_and_steps() -> None:
    plan = _codes("bajo", {"children", "weapons", "digital_harassment"})
    assert plan["children"] == ["call_911", "stay_out", "school"]
    assert plan["weapons"] == ["surrender", "where"]  # not the threats or strangulation steps
    assert plan["digital"] == ["passwords", "location", "evidence", "report"]
    assert "documents_bag" in plan  # children need their papers in the bag
    assert "leaving_home" not in plan and "health" not in plan


def test_a_higher_level_adds_steps_without_any_factor() -> None:
    low, high, extreme = _codes("bajo", set()), _codes("alto", set()), _codes("extremo", set())
    assert "carry_order" not in low["emergency"] and "carry_order" in high["emergency"]
    assert "leaving_home" in high and "documents_bag" in _codes("medio", set())
    assert "not_home_today" in extreme["protection"]
    assert "not_home_today" not in high["protection"]


def test_danger_assessment_levels_map_onto_the_same_scale() -> None:
    assert _codes("severe", {"separation"}) == _codes("alto", {"separation"})
    assert _codes("variable", set()) == _codes("bajo", set())


def test_each_factor_changes_the_plan() -> None:
    base = _codes("bajo", set())
    for factor in Factor.values:
        assert _codes("bajo", {factor}) != base, factor


def test_english_text_for_the_same_selection() -> None:
    english = generate_plan("alto", {"children"}, language="en")
    spanish = generate_plan("alto", {"children"})
    assert [s.code for s in english] == [s.code for s in spanish]
    assert english[0].title == "Emergency numbers" and spanish[0].title == "Números de emergencia"


def test_unknown_level_factor_or_language_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'rojo'"):
        generate_plan("rojo", set())
    with pytest.raises(ValueError, match="guns"):
        generate_plan("alto", {"weapons", "guns"})
    with pytest.raises(ValueError, match="'fr'"):
        generate_plan("alto", set(), language="fr")


def test_the_content_file_is_versioned_and_complete_in_both_languages() -> None:
    data = json.loads(CONTENT_PATH.read_text(encoding="utf-8"))
    assert data["version"]
    for section in data["sections"]:
        assert section["title"]["es"] and section["title"]["en"]
        for step in section["steps"]:
            assert step["text"]["es"] and step["text"]["en"], step["code"]
            assert set(step.get("factors", [])) <= set(Factor.values), step["code"]


def test_edited_sections_round_trip_and_bad_ones_say_where() -> None:
    sections = generate_plan("medio", {"children"})
    assert sections_from_json(sections_to_json(sections)) == sections
    data = sections_to_json(sections)
    data[1]["steps"][0]["text"] = "   "
    with pytest.raises(ValueError, match=r"2.*1"):
        sections_from_json(data)
    with pytest.raises(ValueError):
        sections_from_json([{"title": "x", "steps": []}])
