"""The plan's content as versioned data, and the pure function that selects it.

``data/plan_content.json`` holds sections of steps, each in Spanish and English. A section or
a step is selected when it names no condition, or when one of its ``factors`` is present, or
when the level reaches its ``from_level``. A section left with no step is dropped. Change the
file's ``version`` whenever its text changes: each plan records the version it came from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from violeta.safetyplan.choices import LEVEL_RANK, Factor

CONTENT_PATH = Path(__file__).parent / "data" / "plan_content.json"
LANGUAGES = {"es-mx": "es", "es": "es", "en": "en"}
MAX_STEP_LENGTH = 1000
MAX_STEPS = 60


@dataclass(frozen=True)
class PlanStep:
    code: str  # the content's step code, or "custom" for a step the caseworker wrote
    text: str


@dataclass(frozen=True)
class PlanSection:
    code: str
    title: str
    steps: tuple[PlanStep, ...] = field(default=())


@cache
def _content() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CONTENT_PATH.read_text(encoding="utf-8"))
    return data


def content_version() -> str:
    return str(_content()["version"])


def _selected(item: dict[str, Any], rank: int, factors: set[str]) -> bool:
    wanted = item.get("factors")
    from_level = item.get("from_level")
    if wanted is None and from_level is None:
        return True
    if wanted and factors & set(wanted):
        return True
    return from_level is not None and rank >= LEVEL_RANK[from_level]


def check_inputs(level: str, factors: Iterable[str]) -> set[str]:
    """The factors as a set; ValueError naming any unknown level or factor."""
    if level not in LEVEL_RANK:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVEL_RANK)}")
    given = set(factors)
    unknown = sorted(given - set(Factor.values))
    if unknown:
        raise ValueError(f"unknown factors: {', '.join(unknown)}")
    return given


def generate_plan(level: str, factors: set[str], *, language: str = "es-mx") -> list[PlanSection]:
    """The sections and steps for this level and these factors, in the content's order."""
    given = check_inputs(level, factors)
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    lang = LANGUAGES[language]
    rank = LEVEL_RANK[level]
    sections = []
    for section in _content()["sections"]:
        if not _selected(section, rank, given):
            continue
        steps = tuple(
            PlanStep(step["code"], step["text"][lang])
            for step in section["steps"]
            if _selected(step, rank, given)
        )
        if steps:
            sections.append(PlanSection(section["code"], section["title"][lang], steps))
    return sections


def sections_to_json(sections: Iterable[PlanSection]) -> list[dict[str, Any]]:
    return [
        {
            "code": s.code,
            "title": s.title,
            "steps": [{"code": step.code, "text": step.text} for step in s.steps],
        }
        for s in sections
    ]


def sections_from_json(data: Any) -> list[PlanSection]:
    """Sections from stored or submitted JSON; ValueError saying what and where is wrong."""
    if not isinstance(data, list):
        raise ValueError(_("The plan must be a list of sections."))
    sections = []
    total = 0
    for i, section in enumerate(data, start=1):
        if not isinstance(section, dict) or not isinstance(section.get("steps"), list):
            raise ValueError(_("Section %(i)s must have a title and a list of steps.") % {"i": i})
        steps = []
        for j, step in enumerate(section["steps"], start=1):
            text = str(step.get("text", "")).strip() if isinstance(step, dict) else ""
            where = {"i": i, "j": j, "n": MAX_STEP_LENGTH}
            if not text:
                raise ValueError(_("Section %(i)s, step %(j)s: the step is empty.") % where)
            if len(text) > MAX_STEP_LENGTH:
                raise ValueError(
                    _("Section %(i)s, step %(j)s: longer than %(n)s characters.") % where
                )
            steps.append(PlanStep(str(step.get("code") or "custom"), text))
        total += len(steps)
        if steps:
            title = str(section.get("title", ""))
            sections.append(PlanSection(str(section.get("code", "")), title, tuple(steps)))
    if total == 0:
        raise ValueError(_("The plan has no steps."))
    if total > MAX_STEPS:
        raise ValueError(_("The plan has more than %(n)s steps.") % {"n": MAX_STEPS})
    return sections
