"""Answers → score → level, and the explanation of how it was reached. Pure functions."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from violeta.risk.definition import Definition, Item, Level, localized

Answers = dict[str, str | float]


class AnswerError(ValueError):
    """Answers that are not allowed; ``errors`` maps each item's id to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _clean_one(item: Item, value: Any) -> str | float:
    if item.type == "number":
        try:
            number = float(str(value).replace(",", "."))
        except ValueError:
            raise ValueError(_("«%(v)s» is not a number") % {"v": value}) from None
        if not math.isfinite(number):
            raise ValueError(_("«%(v)s» is not a number") % {"v": value})
        if (item.low is not None and number < item.low) or (
            item.high is not None and number > item.high
        ):
            raise ValueError(
                _("%(v)s is outside the allowed range, %(lo)s to %(hi)s")
                % {"v": value, "lo": item.low, "hi": item.high}
            )
        return int(number) if number.is_integer() else number
    allowed = [o.value for o in item.options]
    if str(value) not in allowed:
        raise ValueError(
            _("«%(v)s» is not an allowed answer (allowed: %(allowed)s)")
            % {"v": value, "allowed": ", ".join(allowed)}
        )
    return str(value)


def clean_answers(definition: Definition, raw: Mapping[str, Any]) -> Answers:
    """The answers given (blank ones left out), checked against each item.

    Raises :class:`AnswerError` naming every item answered with something not allowed, and any
    answer to an item the instrument does not have.
    """
    errors: dict[str, str] = {}
    answers: Answers = {}
    for item_id, value in raw.items():
        item = definition.item(item_id)
        if item is None:
            errors[item_id] = _("the instrument has no item «%(id)s»") % {"id": item_id}
            continue
        if value is None or str(value).strip() == "":
            continue
        try:
            answers[item_id] = _clean_one(item, str(value).strip())
        except ValueError as error:
            errors[item_id] = f"{item.id} · {item.label}: {error}"
    if errors:
        raise AnswerError(errors)
    return answers


def missing_required(definition: Definition, answers: Mapping[str, Any]) -> list[Item]:
    return [i for i in definition.items if i.required and i.id not in answers]


def weight_of(item: Item, answer: str | float) -> int:
    if item.type == "number":
        return next((b.weight for b in item.bands if b.low <= float(answer) <= b.high), 0)
    return next((o.weight for o in item.options if o.value == str(answer)), 0)


def answer_label(item: Item, answer: str | float) -> str:
    if item.type == "number":
        return str(answer)
    option = next((o for o in item.options if o.value == str(answer)), None)
    return localized(option.label) if option else str(answer)


@dataclass(frozen=True)
class Line:
    item: Item
    answer: str | float | None
    answer_label: str
    weight: int


@dataclass(frozen=True)
class Explanation:
    lines: tuple[Line, ...]
    total: int
    level: Level
    next_level: Level | None  # the threshold not reached, if any

    @property
    def counted(self) -> list[Line]:
        return [line for line in self.lines if line.weight]


def level_for(definition: Definition, total: int) -> Level:
    reached = [lv for lv in definition.levels if total >= lv.min_score]
    return reached[-1] if reached else definition.levels[0]


def explain(definition: Definition, answers: Mapping[str, Any]) -> Explanation:
    """Every item with its answer and weight, the total (sum of weights) and the level reached."""
    lines = []
    for item in definition.items:
        answer = answers.get(item.id)
        if answer is None:
            lines.append(Line(item, None, "—", 0))
        else:
            lines.append(Line(item, answer, answer_label(item, answer), weight_of(item, answer)))
    total = sum(line.weight for line in lines)
    level = level_for(definition, total)
    higher = [lv for lv in definition.levels if lv.min_score > total]
    return Explanation(tuple(lines), total, level, higher[0] if higher else None)
