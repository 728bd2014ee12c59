"""The synthetic truth: people, their homes over time, incidents and the agencies' records.

Times are whole minutes since :data:`START` (local Mexico City time), days are ordinals; both
are cheap to store for a million records and are turned into text only when a file is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

START = dt.datetime(2019, 1, 1)  # noqa: DTZ001 - local civil time, as the agencies record it
END = dt.datetime(2026, 10, 31, 23, 59)  # noqa: DTZ001
TOTAL_MINUTES = int((END - START).total_seconds() // 60)
START_ORDINAL = START.toordinal()
MINUTES_PER_DAY = 1440

AGENCIES = ("C5", "SSC", "FGJ", "SEMUJERES", "SEDESA", "LINEA")

# Catalog entries that exist only from a date (LGAMVLV reforms): not used before it.
VICARIA_FROM = dt.date(2024, 1, 18).toordinal()
DIGITAL_FROM = dt.date(2021, 6, 1).toordinal()
POLITICA_FROM = dt.date(2020, 4, 13).toordinal()

TYPE_SEVERITY = {
    "psicologica": 1,
    "economica": 1,
    "patrimonial": 1,
    "otra": 1,
    "vicaria": 2,
    "fisica": 2,
    "sexual": 3,
}
WEAPON_SEVERITY = {"objeto": 1, "otra": 1, "arma_blanca": 2, "arma_fuego": 2}


def severity(
    violence_types: list[str] | tuple[str, ...],
    weapons: list[str] | tuple[str, ...] = (),
    modalities: list[str] | tuple[str, ...] = (),
) -> int:
    """A severity score 0..8 of one event: the gravest type (psychological 1, physical or
    vicarious 2, sexual 3) + the gravest weapon (object 1, knife or firearm 2) + 3 if the
    modality is femicidal. The escalating women's incidents climb this scale."""
    score = max((TYPE_SEVERITY.get(t, 1) for t in violence_types), default=0)
    score += max((WEAPON_SEVERITY.get(w, 1) for w in weapons), default=0)
    if "feminicida" in modalities:
        score += 3
    return score


def day_of(minute: int) -> int:
    """Date ordinal of a minute offset."""
    return START_ORDINAL + minute // MINUTES_PER_DAY


class Home:
    __slots__ = ("alcaldia", "colonia", "outside", "street")

    def __init__(self, street: str, colonia: str, alcaldia: str, outside: bool) -> None:
        self.street = street  # "Cerrada Chiapas 123" (as written by someone careful)
        self.colonia = colonia
        self.alcaldia = alcaldia  # INEGI code: 09xxx in Mexico City, 15xxx outside
        self.outside = outside


class Person:
    __slots__ = (
        "anonymous",
        "birth",
        "curp",
        "escalating",
        "first",
        "given",
        "homes",
        "links",
        "phones",
        "pid",
        "second",
        "severe_at",
        "sex",
        "state",
    )

    def __init__(self, pid: str, sex: str) -> None:
        self.pid = pid
        self.sex = sex  # "M" woman, "H" man
        self.given = ""
        self.first = ""
        self.second = ""
        self.birth = dt.date(1990, 1, 1)
        self.state = "DF"
        self.curp = ""
        self.phones: list[str] = []
        self.homes: list[Home] = []
        self.escalating = False
        self.anonymous = False  # nobody learns his name (a stranger)
        self.links: list[str] = []  # aggressors of a woman / victims of an aggressor
        self.severe_at = -1  # escalating women: minute of the severe event (the last incident)


class Incident:
    """One event of violence; several agencies' records may follow from it."""

    __slots__ = (
        "aggressor",
        "alcaldia",
        "colonia",
        "crime",
        "final",
        "home",
        "modalities",
        "phone",
        "relation",
        "risk",
        "severity",
        "ts",
        "types",
        "weapons",
    )

    def __init__(self, ts: int) -> None:
        self.ts = ts
        self.types: tuple[str, ...] = ()
        self.modalities: tuple[str, ...] = ()
        self.weapons: tuple[str, ...] = ()
        self.aggressor: Person | None = None
        self.relation = ""  # detail word, e.g. "esposo" (see labels.RELATION_CODE)
        self.colonia = ""
        self.alcaldia = ""
        self.severity = 0
        self.risk = ""
        self.crime = ""
        self.final = False
        self.home = 0  # index into the woman's homes at the time
        self.phone = 0  # index into the woman's phones at the time


class Record:
    """One row of one agency's file (before the agency types it)."""

    __slots__ = ("agency", "extra", "inc", "kind", "rid", "seq", "ts", "woman")

    def __init__(
        self,
        agency: str,
        kind: str,
        ts: int,
        woman: Person,
        inc: Incident,
        extra: dict[str, Any],
    ) -> None:
        self.agency = agency
        self.kind = kind
        self.ts = ts
        self.woman = woman
        self.inc = inc
        self.extra = extra
        self.seq = 0
        self.rid = ""  # the agency's record id, given after sorting
