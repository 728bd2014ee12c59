"""What every agency writer shares: the typing context, date and name formats, narratives."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from random import Random

from violeta.synth.config import CorruptionConfig
from violeta.synth.corrupt import Typed, type_identity
from violeta.synth.model import (
    MINUTES_PER_DAY,
    START_ORDINAL,
    TOTAL_MINUTES,
    Person,
    Record,
)

_DAYS = TOTAL_MINUTES // MINUTES_PER_DAY + 400
_DAY_TEXT = [
    (lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}")(dt.date.fromordinal(START_ORDINAL + i))
    for i in range(_DAYS)
]
_TIME_TEXT = [f"{m // 60:02d}:{m % 60:02d}" for m in range(MINUTES_PER_DAY)]


def day_text(ordinal: int) -> str:
    """dd/mm/yyyy of a date ordinal."""
    index = ordinal - START_ORDINAL
    if 0 <= index < _DAYS:
        return _DAY_TEXT[index]
    d = dt.date.fromordinal(ordinal)
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def date_text(value: dt.date | None) -> str:
    return "" if value is None else f"{value.day:02d}/{value.month:02d}/{value.year}"


def when(minute: int) -> tuple[str, str]:
    """(dd/mm/yyyy, HH:MM) of a minute offset."""
    return _DAY_TEXT[minute // MINUTES_PER_DAY], _TIME_TEXT[minute % MINUTES_PER_DAY]


def year_of(minute: int) -> int:
    return int(_DAY_TEXT[minute // MINUTES_PER_DAY][6:])


def full_name(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def age_text(value: int | None) -> str:
    return "" if value is None else str(value)


def phone_spaced(number: str) -> str:
    return f"{number[:2]} {number[2:6]} {number[6:]}" if number else ""


def phone_dashed(number: str) -> str:
    return f"{number[:2]}-{number[2:6]}-{number[6:]}" if number else ""


def phone_paren(number: str) -> str:
    return f"({number[:2]}) {number[2:6]} {number[6:]}" if number else ""


def phone_pairs(number: str) -> str:
    if not number:
        return ""
    return " ".join([number[:2], number[2:4], number[4:6], number[6:8], number[8:]])


@dataclass
class Ctx:
    """One agency's typing session: its own random stream, so files are independent."""

    rng: Random
    cfg: CorruptionConfig
    accents: bool
    curp_share: float  # 0 when the agency has no CURP column
    truth: list[tuple[str, str, str, str]] = field(default_factory=list)

    def victim(self, record: Record) -> Typed:
        inc = record.inc
        return type_identity(
            record.woman,
            self.rng,
            self.cfg,
            day=START_ORDINAL + record.ts // MINUTES_PER_DAY,
            home=inc.home,
            phone=inc.phone,
            accents=self.accents,
            curp_share=self.curp_share,
        )

    def aggressor(self, record: Record, known: float, curp_share: float = 0.0) -> Typed | None:
        """The aggressor as typed, or None when the agency did not learn his name (a stranger,
        or with probability 1 - ``known``)."""
        person: Person | None = record.inc.aggressor
        if person is None or person.anonymous or self.rng.random() >= known:
            return None
        return type_identity(
            person,
            self.rng,
            self.cfg,
            day=START_ORDINAL + record.ts // MINUTES_PER_DAY,
            home=0,
            phone=0,
            accents=self.accents,
            curp_share=curp_share,
        )

    def only_given(self) -> bool:
        """A full-name column where only the given name was typed."""
        return self.rng.random() < self.cfg.surnames_missing

    def pick(self, options: tuple[str, ...]) -> str:
        return options[int(self.rng.random() * len(options))]

    def note_truth(self, agency: str, record: Record, aggressor_named: bool) -> None:
        self.truth.append((agency, record.rid, "victim", record.woman.pid))
        if aggressor_named and record.inc.aggressor is not None:
            self.truth.append((agency, record.rid, "aggressor", record.inc.aggressor.pid))


def labels(codes: tuple[str, ...] | list[str], table: dict[str, str], sep: str) -> str:
    """Codes as an agency's labels, without repeating a label two codes share."""
    seen: list[str] = []
    for code in codes:
        label = table[code]
        if label not in seen:
            seen.append(label)
    return sep.join(seen)


_FORMS = {"fisica": "física", "sexual": "sexual", "psicologica": "psicológica",
          "economica": "económica", "patrimonial": "patrimonial", "vicaria": "vicaria",
          "otra": "de otro tipo"}  # fmt: skip
_WHO = {"pareja": "su pareja", "expareja": "su expareja", "novio": "su novio",
        "familiar": "un familiar", "conocido": "un conocido", "companero": "un compañero",
        "desconocido": "un desconocido", "otro": "una persona"}  # fmt: skip


def narrative(record: Record, relation_code: str, opening: str) -> str:
    """A short, non-identifying account: what kind of violence, by whom, with what."""
    inc = record.inc
    kinds = ", ".join(_FORMS[t] for t in inc.types)
    text = f"{opening} violencia {kinds} por parte de {_WHO.get(relation_code, 'una persona')}"
    if "arma_fuego" in inc.weapons:
        text += "; la amenazó con arma de fuego"
    elif "arma_blanca" in inc.weapons:
        text += "; la agredió con arma blanca"
    elif "objeto" in inc.weapons:
        text += "; la golpeó con un objeto"
    if inc.final:
        text += "; intentó privarla de la vida"
    return text + "."
