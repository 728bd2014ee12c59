"""Synthetic people: women attended and aggressors, with true identities and CURPs."""

from __future__ import annotations

import datetime as dt
from random import Random

from violeta.synth.curp import build_curp, homoclave_for
from violeta.synth.model import Home, Person
from violeta.synth.places_data import ALCALDIA_BY_CODE
from violeta.synth.pools import Pools, Weighted

# Age of a woman at her first incident (years), by band.
_WOMAN_AGE = Weighted(list({
    (15, 19): 9, (20, 29): 30, (30, 39): 27, (40, 49): 17, (50, 59): 10, (60, 70): 6, (71, 85): 1,
}.items()))  # fmt: skip

# Main aggressor's relationship to the woman: (detail word, weight) for men and for women.
MALE_RELATIONS = Weighted(list({
    "esposo": 18, "concubino": 12, "pareja": 10, "ex_pareja": 15, "ex_esposo": 8,
    "ex_concubino": 3, "novio": 9, "ex_novio": 3, "padre": 3, "padrastro": 2, "hermano": 2.5,
    "hijo": 2.5, "tio": 1, "primo": 0.8, "suegro": 0.7, "cunado": 1, "conocido": 2.5,
    "vecino": 2.5, "amigo": 1, "companero_trabajo": 2, "companero_escuela": 1,
    "desconocido": 3, "otro": 1,
}.items()))  # fmt: skip
FEMALE_RELATIONS = Weighted(list({
    "pareja": 2, "madre": 3, "suegra": 3, "hermana": 2, "hija": 1.5, "vecina": 2,
    "conocida": 1.5, "companera_trabajo": 1.5,
}.items()))  # fmt: skip
ESCALATING_RELATIONS = Weighted(list({
    "esposo": 35, "concubino": 25, "pareja": 15, "ex_pareja": 15, "ex_esposo": 5, "novio": 5,
}.items()))  # fmt: skip
FEMALE_AGGRESSOR_SHARE = 0.08
SINGLE_SURNAME_SHARE = 0.03


def _birth_date(rng: Random, age: int, on: int) -> dt.date:
    """A birth date giving ``age`` completed years on day ordinal ``on``."""
    latest = dt.date.fromordinal(on)
    try:
        anchor = latest.replace(year=latest.year - age)
    except ValueError:  # 29 February
        anchor = latest.replace(year=latest.year - age, day=28)
    return anchor - dt.timedelta(days=int(rng.random() * 364))


def _phone(rng: Random) -> str:
    prefix = "55" if rng.random() < 0.85 else "56"
    return f"{prefix}{int(rng.random() * 100_000_000):08d}"


def new_home(rng: Random, pools: Pools, *, outside_share: float, near: str = "") -> Home:
    """A home: in Mexico City (weighted by population) or, rarely, a neighbouring municipality.
    With ``near`` (an alcaldía code) the new home stays in that alcaldía 40 % of the time."""
    if near and rng.random() < 0.4:
        place = ALCALDIA_BY_CODE[near]
        outside = False
    elif rng.random() < outside_share:
        place = pools.outside[int(rng.random() * len(pools.outside))]
        outside = True
    else:
        place = pools.alcaldias.draw(rng)
        outside = False
    colonia = place.colonias[int(rng.random() * len(place.colonias))]
    number = 1 + int(rng.random() * 350)
    street = pools.street(rng)
    roll = rng.random()
    if roll < 0.12:
        line = f"{street} Mz {1 + int(rng.random() * 60)} Lt {1 + int(rng.random() * 40)}"
    elif roll < 0.30:
        line = f"{street} {number} Int. {1 + int(rng.random() * 12)}"
    else:
        line = f"{street} {number}"
    return Home(line, colonia, place.code, outside)


def _identity(person: Person, rng: Random, pools: Pools, birth: dt.date) -> None:
    names = pools.female if person.sex == "M" else pools.male
    person.given = names.draw(rng, "María" if person.sex == "M" else "José")
    person.first = pools.surnames.draw(rng)
    person.second = "" if rng.random() < SINGLE_SURNAME_SHARE else pools.surnames.draw(rng)
    person.birth = birth
    person.state = pools.states.draw(rng)
    person.curp = build_curp(
        given_names=person.given,
        first_surname=person.first,
        second_surname=person.second,
        birth_date=birth,
        sex=person.sex,
        state=person.state,
        homoclave=homoclave_for(birth, rng.random()),
    )


def make_woman(number: int, rng: Random, pools: Pools, first_day: int) -> Person:
    """Woman ``W{number}``, aged mostly 15–70 at ``first_day`` (ordinal of her first incident)."""
    woman = Person(f"W{number:06d}", "M")
    low, high = _WOMAN_AGE.draw(rng)
    _identity(
        woman, rng, pools, _birth_date(rng, low + int(rng.random() * (high - low + 1)), first_day)
    )
    woman.phones.append(_phone(rng))
    woman.homes.append(new_home(rng, pools, outside_share=0.04))
    return woman


SECOND_RELATIONS = Weighted(list({
    "hermano": 3, "padre": 2, "hijo": 2, "cunado": 2, "suegro": 1, "vecino": 2, "conocido": 2,
    "companero_trabajo": 1, "suegra": 1.5, "madre": 1.5,
}.items()))  # fmt: skip
_FEMALE_WORDS = {"madre", "suegra", "hermana", "hija", "vecina", "conocida", "companera_trabajo"}


def choose_relation(rng: Random, escalating: bool, secondary: bool = False) -> tuple[str, bool]:
    """The relationship word of a new aggressor to the woman, and whether it is a woman."""
    if escalating:
        return ESCALATING_RELATIONS.draw(rng), False
    if secondary:
        relation = SECOND_RELATIONS.draw(rng)
        return relation, relation in _FEMALE_WORDS
    if rng.random() < FEMALE_AGGRESSOR_SHARE:
        return FEMALE_RELATIONS.draw(rng), True
    return MALE_RELATIONS.draw(rng), False


def make_aggressor(
    number: int,
    rng: Random,
    pools: Pools,
    woman: Person,
    first_day: int,
    relation: str,
    female: bool,
) -> tuple[Person, str]:
    """Aggressor ``A{number}`` of ``woman``, of an age fitting ``relation``; a son or daughter
    of a woman too young to have one grown up becomes a brother or sister."""
    aggressor = Person(f"A{number:06d}", "M" if female else "H")
    her_age = (dt.date.fromordinal(first_day) - woman.birth).days // 365
    if relation in {"hijo", "hija"} and her_age < 36:
        relation = "hermano" if relation == "hijo" else "hermana"
    if relation in {"padre", "madre", "padrastro", "suegro", "suegra", "tio"}:
        age = her_age + 20 + int(rng.random() * 15)
    elif relation in {"hijo", "hija"}:
        age = her_age - 18 - int(rng.random() * (her_age - 34))
    else:
        age = max(16, her_age + int(rng.gauss(3, 6)))
    _identity(aggressor, rng, pools, _birth_date(rng, min(age, 90), first_day))
    aggressor.phones.append(_phone(rng))
    if relation in {
        "esposo",
        "concubino",
        "pareja",
        "padre",
        "madre",
        "hermano",
        "hermana",
        "hijo",
        "hija",
        "padrastro",
    }:
        aggressor.homes.append(woman.homes[0])
    else:
        aggressor.homes.append(new_home(rng, pools, outside_share=0.06))
    aggressor.anonymous = relation == "desconocido"
    return aggressor, relation


def move(woman: Person, rng: Random, pools: Pools) -> None:
    """She moves (often to escape): a new home, in the same alcaldía 40 % of the time."""
    current = woman.homes[-1]
    woman.homes.append(
        new_home(rng, pools, outside_share=0.05, near="" if current.outside else current.alcaldia)
    )


def new_phone(person: Person, rng: Random) -> None:
    person.phones.append(_phone(rng))
