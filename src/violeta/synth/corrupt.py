"""The identity as one agency typed it on one record: the truth, bent by the corruption rates."""

from __future__ import annotations

import datetime as dt
from random import Random
from typing import NamedTuple

from violeta.synth.config import CorruptionConfig
from violeta.synth.curp import FOLD_ALL, FOLD_KEEP_ENYE
from violeta.synth.model import Person
from violeta.synth.names_data import NICKNAMES

_PARTICLES = {"de", "del", "la", "las", "los", "y"}
_NEIGHBOURS = {
    "a": "sqz", "b": "vnh", "c": "xvd", "d": "sfe", "e": "wrd", "f": "dgr", "g": "fht",
    "h": "gjy", "i": "uok", "j": "hku", "k": "jli", "l": "kño", "m": "nj", "n": "bmh",
    "ñ": "lp", "o": "ipl", "p": "oñ", "q": "wa", "r": "etf", "s": "adw", "t": "ryg",
    "u": "yij", "v": "cbf", "w": "qes", "x": "zcs", "y": "tuh", "z": "xas",
}  # fmt: skip
_CURP_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"


class Typed(NamedTuple):
    given: str
    first: str
    second: str
    birth: dt.date | None
    age: int | None
    curp: str
    phone: str
    street: str
    colonia: str
    alcaldia: str  # INEGI code of the home (09xxx, or 15xxx outside Mexico City)


def strip_accents(value: str, keep_enye: bool) -> str:
    return value.translate(FOLD_KEEP_ENYE if keep_enye else FOLD_ALL)


def _typo(rng: Random, value: str) -> str:
    """One typing slip away from the first letter: a neighbouring key, a letter left out,
    doubled, or two letters swapped."""
    if len(value) < 3:
        return value
    i = 1 + int(rng.random() * (len(value) - 1))
    kind = rng.random()
    char = value[i]
    if kind < 0.4:
        near = _NEIGHBOURS.get(char.lower())
        if not near:
            return value
        new = near[int(rng.random() * len(near))]
        return value[:i] + (new.upper() if char.isupper() else new) + value[i + 1 :]
    if kind < 0.65:
        return value[:i] + value[i + 1 :]
    if kind < 0.8:
        return value[:i] + char + value[i:]
    if i + 1 < len(value):
        return value[:i] + value[i + 1] + char + value[i + 2 :]
    return value[: i - 1] + char + value[i - 1]


def _curp_typo(rng: Random, curp: str) -> str:
    i = int(rng.random() * 17)
    if rng.random() < 0.3:  # two neighbours swapped
        swapped = curp[:i] + curp[i + 1] + curp[i] + curp[i + 2 :]
        if swapped != curp:
            return swapped
    pool = _DIGITS if curp[i].isdigit() else _CURP_LETTERS
    new = pool[int(rng.random() * len(pool))]
    if new == curp[i]:
        new = pool[(pool.index(new) + 1) % len(pool)]
    return curp[:i] + new + curp[i + 1 :]


def _phone_typo(rng: Random, phone: str) -> str:
    i = 2 + int(rng.random() * 8)
    digit = str((int(phone[i]) + 1 + int(rng.random() * 9)) % 10)
    return phone[:i] + digit + phone[i + 1 :]


def _primary(words: list[str]) -> str:
    """The name a person goes by (as the CURP picks it), in its written form."""
    rest = [w for w in words if w.lower() not in _PARTICLES]
    if len(rest) > 1 and rest[0] in {"María", "José"}:
        return rest[1]
    return rest[0] if rest else ""


def age_on(birth: dt.date, day: int) -> int:
    on = dt.date.fromordinal(day)
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _given(rng: Random, cfg: CorruptionConfig, given: str) -> str:
    words = given.split()
    if cfg.nickname and rng.random() < cfg.nickname:
        nicknames = NICKNAMES.get(_primary(words))
        if nicknames:
            return nicknames[int(rng.random() * len(nicknames))]
    if len(words) > 1:
        roll = rng.random()
        if roll < cfg.compound_first_dropped:
            rest = words[1:]
            while len(rest) > 1 and rest[0].lower() in _PARTICLES:
                rest = rest[1:]
            return " ".join(rest)
        if roll < cfg.compound_first_dropped + cfg.maria_abbreviated and words[0] in {
            "María",
            "José",
        }:
            return " ".join(["Ma." if words[0] == "María" else "J.", *words[1:]])
    return given


def type_identity(
    person: Person,
    rng: Random,
    cfg: CorruptionConfig,
    *,
    day: int,
    home: int,
    phone: int,
    accents: bool,
    curp_share: float,
) -> Typed:
    """``person`` as typed on day ordinal ``day``. ``accents``: the agency types accents (else
    they are always dropped, Ñ kept). ``curp_share``: how often this agency has the CURP at
    all, times ``cfg.curp_present`` (0 for agencies without a CURP column)."""
    given = _given(rng, cfg, person.given)
    first, second = person.first, person.second
    if second and rng.random() < cfg.second_surname_dropped:
        second = ""
    if second and rng.random() < cfg.surnames_swapped:
        first, second = second, first
    if rng.random() < cfg.name_typo:
        part = int(rng.random() * 3)
        if part == 0:
            given = _typo(rng, given)
        elif part == 1:
            first = _typo(rng, first)
        elif second:
            second = _typo(rng, second)
    if not accents:
        given, first, second = (strip_accents(v, True) for v in (given, first, second))
    elif rng.random() < cfg.accent_loss:
        keep = rng.random() < 0.5
        given, first, second = (strip_accents(v, keep) for v in (given, first, second))
    birth: dt.date | None = person.birth
    age: int | None = None
    roll = rng.random()
    if roll < cfg.birth_date_missing:
        birth = None
    else:
        age = age_on(person.birth, day)
        if rng.random() < cfg.age_off_by_one:
            age += 1 if rng.random() < 0.5 else -1
        if roll < cfg.birth_date_missing + cfg.age_instead_of_birth_date:
            birth = None
        elif rng.random() < cfg.birth_date_swapped:
            b = person.birth
            if b.day <= 12 and b.day != b.month:
                birth = dt.date(b.year, b.day, b.month)
    curp = ""
    if curp_share and rng.random() < cfg.curp_present * curp_share:
        curp = _curp_typo(rng, person.curp) if rng.random() < cfg.curp_typo else person.curp
    number = ""
    if rng.random() >= cfg.phone_missing:
        number = person.phones[phone]
        if rng.random() < cfg.phone_typo:
            number = _phone_typo(rng, number)
    place = person.homes[home]
    return Typed(
        given, first, second, birth, age, curp, number, place.street, place.colonia,
        place.alcaldia,
    )  # fmt: skip
