"""An instrument's definition: read from its JSON file, checked field by field.

Pure functions, no database. :func:`parse` returns a :class:`Definition` or raises
:class:`InstrumentError` listing every problem, each naming the field and the item where it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from violeta.risk.choices import COMMON_LEVELS, FACTORS

ANSWER_TYPES = ("yes_no", "choice", "number")
YES_NO = ("yes", "no")
YES_NO_LABELS = {"yes": gettext_noop("Yes"), "no": gettext_noop("No")}  # msgids of the answers


class InstrumentError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


Text = dict[str, str] | str  # {"es": …, "en": …} or an English msgid


def localized(text: Text) -> str:
    """The text in the current language (Spanish unless English is chosen)."""
    if isinstance(text, str):
        return _(text) if text else ""
    lang = "en" if (get_language() or "es").startswith("en") else "es"
    return text.get(lang) or text.get("es") or text.get("en") or ""


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    weight: int


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    weight: int


@dataclass(frozen=True)
class Item:
    id: str
    text: Text
    group: str
    type: str
    required: bool
    factors: tuple[str, ...]
    options: tuple[Option, ...] = ()  # yes_no and choice: the allowed answers and weights
    low: float | None = None  # number: the allowed range
    high: float | None = None
    bands: tuple[Band, ...] = ()  # number: weight by range of the answer

    @property
    def label(self) -> str:
        return localized(self.text)


@dataclass(frozen=True)
class Level:
    code: str
    label: Text
    min_score: int
    equivalent: str  # its place on the common scale (COMMON_LEVELS)
    reassess_hours: int | None
    measures: tuple[Text, ...]

    @property
    def name(self) -> str:
        return localized(self.label)

    @property
    def measure_texts(self) -> list[str]:
        return [localized(m) for m in self.measures]


@dataclass(frozen=True)
class Definition:
    code: str
    version: str
    name: Text
    notes: str
    kind: str  # "first" (a first assessment) or "followup" (a re-assessment)
    groups: dict[str, Text]
    items: tuple[Item, ...]
    levels: tuple[Level, ...]  # lowest first
    raw: dict[str, Any] = field(compare=False, repr=False)

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def level(self, code: str) -> Level | None:
        return next((lv for lv in self.levels if lv.code == code), None)

    def rank(self, code: str) -> int:
        return [lv.code for lv in self.levels].index(code)


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def text(self, where: str, value: Any) -> Text:
        if isinstance(value, str) and value.strip():
            return value
        if (
            isinstance(value, dict)
            and value.get("es")
            and value.get("en")
            and all(isinstance(v, str) for v in value.values())
        ):
            return {str(k): str(v) for k, v in value.items()}
        self.fail(where, _('give a text as {"es": …, "en": …} or an English msgid'))
        return ""

    def integer(self, where: str, value: Any, *, allow_none: bool = False) -> int | None:
        if value is None and allow_none:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, _("must be a whole number"))
            return None
        return value

    def number(self, where: str, value: Any) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(where, _("must be a number"))
            return None
        return float(value)


def _options(c: _Checker, where: str, entry: dict[str, Any], kind: str) -> tuple[Option, ...]:
    if kind == "yes_no":
        weights = entry.get("weights")
        if not isinstance(weights, dict) or set(weights) != set(YES_NO):
            c.fail(f'{where} "weights"', _('give the weight of "yes" and of "no"'))
            return ()
        return tuple(
            Option(v, YES_NO_LABELS[v], c.integer(f'{where} "weights" "{v}"', weights[v]) or 0)
            for v in YES_NO
        )
    choices = entry.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        c.fail(f'{where} "choices"', _("list at least two allowed answers"))
        return ()
    options = []
    for n, choice in enumerate(choices):
        at = f'{where} "choices"[{n}]'
        if not isinstance(choice, dict) or not isinstance(choice.get("value"), str):
            c.fail(at, _('give "value", "label" and "weight"'))
            continue
        label = c.text(f'{at} "label"', choice.get("label"))
        weight = c.integer(f'{at} "weight"', choice.get("weight"))
        options.append(Option(choice["value"], label, weight or 0))
    if len({o.value for o in options}) != len(options):
        c.fail(f'{where} "choices"', _("the values repeat"))
    return tuple(options)


def _item(c: _Checker, n: int, entry: Any, groups: dict[str, Text]) -> Item | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
        c.fail(f"items[{n}]", _('each item needs an "id"'))
        return None
    where = f'item "{entry["id"]}"'
    text = c.text(f'{where} "text"', entry.get("text"))
    group = entry.get("group")
    if group not in groups:
        c.fail(f'{where} "group"', _("not one of the groups listed"))
    kind = entry.get("type")
    if kind not in ANSWER_TYPES:
        c.fail(f'{where} "type"', _("must be yes_no, choice or number"))
        return None
    required = entry.get("required", True)
    if not isinstance(required, bool):
        c.fail(f'{where} "required"', _("must be true or false"))
    factors = entry.get("factors", [])
    if not isinstance(factors, list) or any(f not in FACTORS for f in factors):
        c.fail(
            f'{where} "factors"',
            _("use only these factors: %(factors)s") % {"factors": ", ".join(sorted(FACTORS))},
        )
        factors = []
    common = {
        "id": entry["id"],
        "text": text,
        "group": str(group),
        "type": kind,
        "required": bool(required),
        "factors": tuple(factors),
    }
    if kind != "number":
        return Item(**common, options=_options(c, where, entry, kind))
    low = c.number(f'{where} "min"', entry.get("min"))
    high = c.number(f'{where} "max"', entry.get("max"))
    if low is not None and high is not None and low > high:
        c.fail(f'{where} "min"', _('must not be greater than "max"'))
    bands = []
    for b, band in enumerate(entry.get("bands", [])):
        at = f'{where} "bands"[{b}]'
        if not isinstance(band, dict):
            c.fail(at, _('give "min", "max" and "weight"'))
            continue
        lo, hi = c.number(f'{at} "min"', band.get("min")), c.number(f'{at} "max"', band.get("max"))
        weight = c.integer(f'{at} "weight"', band.get("weight"))
        if lo is not None and hi is not None and weight is not None:
            bands.append(Band(lo, hi, weight))
    return Item(**common, low=low, high=high, bands=tuple(bands))


def _level(c: _Checker, n: int, entry: Any) -> Level | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
        c.fail(f"levels[{n}]", _('each level needs a "code"'))
        return None
    where = f'level "{entry["code"]}"'
    label = c.text(f'{where} "label"', entry.get("label"))
    min_score = c.integer(f'{where} "min_score"', entry.get("min_score"))
    equivalent = entry.get("equivalent")
    if equivalent not in COMMON_LEVELS:
        c.fail(f'{where} "equivalent"', _("must be one of %(l)s") % {"l": ", ".join(COMMON_LEVELS)})
    hours = c.integer(f'{where} "reassess_hours"', entry.get("reassess_hours"), allow_none=True)
    measures = entry.get("measures", [])
    if not isinstance(measures, list):
        c.fail(f'{where} "measures"', _("must be a list of texts"))
        measures = []
    texts = tuple(c.text(f'{where} "measures"[{m}]', t) for m, t in enumerate(measures))
    return Level(entry["code"], label, min_score or 0, str(equivalent), hours, texts)


def parse(data: Any) -> Definition:
    """Check an instrument's JSON (already decoded) and return its definition."""
    c = _Checker()
    if not isinstance(data, dict):
        raise InstrumentError([_("the file must hold one JSON object")])
    for key in ("code", "version"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            c.fail(f'"{key}"', _("missing or empty"))
    name = c.text('"name"', data.get("name"))
    if data.get("scoring", "sum") != "sum":
        c.fail('"scoring"', _('only "sum" (the sum of the weights) is supported'))
    notes = data.get("notes", "")
    kind = data.get("kind", "first")
    if kind not in ("first", "followup"):
        c.fail('"kind"', _('must be "first" or "followup"'))
    groups: dict[str, Text] = {}
    for n, group in enumerate(data.get("groups") or []):
        if not isinstance(group, dict) or not isinstance(group.get("id"), str):
            c.fail(f"groups[{n}]", _('each group needs an "id" and a "label"'))
            continue
        groups[group["id"]] = c.text(f'group "{group["id"]}" "label"', group.get("label"))
    if not groups:
        c.fail('"groups"', _("list at least one group"))
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        c.fail('"items"', _("list at least one item"))
        raw_items = []
    items = [i for n, e in enumerate(raw_items) if (i := _item(c, n, e, groups)) is not None]
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            c.fail(f'item "{item.id}"', _("the id is used twice"))
        seen.add(item.id)
    levels = [lv for n, e in enumerate(data.get("levels") or []) if (lv := _level(c, n, e))]
    if not levels:
        c.fail('"levels"', _("list at least one level"))
    elif [lv.min_score for lv in levels] != sorted({lv.min_score for lv in levels}):
        c.fail('"levels"', _('list them from the lowest, each with a higher "min_score"'))
    elif levels[0].min_score > 0:
        c.fail(f'level "{levels[0].code}" "min_score"', _("the lowest level must start at 0"))
    if len({lv.code for lv in levels}) != len(levels):
        c.fail('"levels"', _("a code is used twice"))
    if c.errors:
        raise InstrumentError(c.errors)
    return Definition(
        code=data["code"].strip(),
        version=data["version"].strip(),
        name=name,
        notes=str(notes),
        kind=str(kind),
        groups=groups,
        items=tuple(items),
        levels=tuple(levels),
        raw=data,
    )


def parse_text(text: str) -> Definition:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InstrumentError(
            [
                _("not valid JSON (line %(line)d): %(msg)s")
                % {"line": error.lineno, "msg": error.msg}
            ]
        ) from error
    return parse(data)
