"""The fixed set of published tables, the quantities they hold and the equations between them.

Every published figure is a *quantity* with a canonical key (a tuple of strings):

* ``("total",)``: all records; ``("month", m)``: the records of month ``m``;
* ``(dim, c)``: the records of category ``c`` of a dimension over the whole period;
* ``("cell", "month", dim, m, c)``: month × category; ``("cell", "alcaldia", dim, a, c)``:
  alcaldía × category over the whole period;
* the alerts have their own: ``("alerts",)``, ``("alerts_month", m)``, ``("alert_level", l)``,
  ``("cell", "month", "alert_level", m, l)``.

A margin shared by two tables is one key, so it is hidden in both or in neither. Dimensions
where a record has one value (alcaldía, age group, agency, risk level, alert level) add up to
their margins; types, modalities and justice stages do not (a record may have several), so
their tables only have additive column totals. Filters select among these quantities; nothing
is ever re-aggregated at request time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from violeta.observatory.disclosure import Equation, Key
from violeta.observatory.facts import AlertFact, Fact

SINGLE = ("alcaldia", "age", "agency", "risk")
MULTI = ("type", "modality", "stage")
MONTH_TABLES = (*SINGLE, *MULTI)
ALCALDIA_TABLES = ("age", "agency", "risk", "type", "modality", "stage")


def _values(fact: Fact, dim: str) -> tuple[str, ...]:
    if dim in SINGLE:
        return (getattr(fact, dim),)
    return getattr(fact, {"type": "types", "modality": "modalities", "stage": "stages"}[dim])


@dataclass
class Tally:
    records: dict[Key, int] = field(default_factory=dict)
    people: dict[Key, set[int]] = field(default_factory=dict)

    def add(self, key: Key, person: int) -> None:
        self.records[key] = self.records.get(key, 0) + 1
        self.people.setdefault(key, set()).add(person)

    def touch(self, key: Key) -> None:
        self.records.setdefault(key, 0)
        self.people.setdefault(key, set())

    def women(self) -> dict[Key, int]:
        return {key: len(people) for key, people in self.people.items()}


def month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def tally(
    facts: Iterable[Fact],
    alerts: Iterable[AlertFact],
    *,
    months: list[str],
    categories: Callable[[str], list[str]],
) -> Tally:
    """Count records and distinct women for every quantity (zeros included)."""
    t = Tally()
    wanted = set(months)
    for fact in facts:
        if fact.month not in wanted:
            continue
        t.add(("total",), fact.person)
        t.add(("month", fact.month), fact.person)
        for dim in MONTH_TABLES:
            for value in _values(fact, dim):
                t.add((dim, value), fact.person)
                t.add(("cell", "month", dim, fact.month, value), fact.person)
        for dim in ALCALDIA_TABLES:
            for value in _values(fact, dim):
                t.add(("cell", "alcaldia", dim, fact.alcaldia, value), fact.person)
    for alert in alerts:
        if alert.month not in wanted:
            continue
        t.add(("alerts",), alert.person)
        t.add(("alerts_month", alert.month), alert.person)
        t.add(("alert_level", alert.level), alert.person)
        t.add(("cell", "month", "alert_level", alert.month, alert.level), alert.person)
    for key, _ in equations(months=months, categories=categories):
        t.touch(key)
    return t


def equations(
    *, months: list[str], categories: Callable[[str], list[str]]
) -> list[tuple[Key, Equation | None]]:
    """Every published key (with ``None``) and every additive equation between them."""
    found: list[tuple[Key, Equation | None]] = []

    def eq(total: Key, parts: list[Key]) -> None:
        found.append((total, Equation(total=total, parts=tuple(parts))))
        found.extend((part, None) for part in parts)

    eq(("total",), [("month", m) for m in months])
    eq(("alerts",), [("alerts_month", m) for m in months])
    for dim, total, per_month in (
        *((d, ("total",), "month") for d in MONTH_TABLES),
        ("alert_level", ("alerts",), "alerts_month"),
    ):
        cats = categories(dim)
        for c in cats:
            eq((dim, c), [("cell", "month", dim, m, c) for m in months])
        if dim in SINGLE or dim == "alert_level":
            eq(total, [(dim, c) for c in cats])
            for m in months:
                eq((per_month, m), [("cell", "month", dim, m, c) for c in cats])
    alcaldias = categories("alcaldia")
    for dim in ALCALDIA_TABLES:
        cats = categories(dim)
        for c in cats:
            eq((dim, c), [("cell", "alcaldia", dim, a, c) for a in alcaldias])
        if dim in SINGLE:
            for a in alcaldias:
                eq(("alcaldia", a), [("cell", "alcaldia", dim, a, c) for c in cats])
    return found


def equation_list(months: list[str], categories: Callable[[str], list[str]]) -> list[Equation]:
    return [e for _, e in equations(months=months, categories=categories) if e is not None]


def key_text(key: Key) -> str:
    assert isinstance(key, tuple)
    return "|".join(key)
