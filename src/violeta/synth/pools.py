"""Pools of names and places, built once per run (Faker is used here only, never per record)."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from functools import lru_cache
from random import Random
from typing import Generic, TypeVar

from faker import Faker
from faker.providers.person.es_MX import Provider as PersonProvider

from violeta.synth.curp import plain_upper
from violeta.synth.names_data import (
    COMMON_SURNAMES,
    FEMALE_GIVEN,
    GIVEN_TAIL_SHARE,
    MALE_GIVEN,
    NICKNAMES,
    RANDOM_COMPOUND_SHARE,
    SURNAME_TAIL_SHARE,
)
from violeta.synth.places_data import ALCALDIAS, BIRTH_STATES, OUTSIDE, Alcaldia

T = TypeVar("T")

# Faker's es_MX lists carry a few slips; these are fixed before use.
_FAKER_FIXES = {"de la Crúz": "de la Cruz", "Sanches": "Sánchez"}


class Weighted(Generic[T]):
    """Draw items with fixed weights using one ``random.random()`` and a bisection."""

    def __init__(self, pairs: list[tuple[T, float]]) -> None:
        self.items = [item for item, _ in pairs]
        self.cumulative = list(itertools.accumulate(w for _, w in pairs))
        self.total = self.cumulative[-1]

    def draw(self, rng: Random) -> T:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def _clean(name: str) -> str:
    name = " ".join(name.split())
    return _FAKER_FIXES.get(name, name)


def _latin1(name: str) -> bool:
    try:
        name.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _tail(faker_names: tuple[str, ...] | list[str], known: list[tuple[str, float]]) -> list[str]:
    seen = {plain_upper(n) for n, _ in known}
    seen |= {plain_upper(nick) for nicks in NICKNAMES.values() for nick in nicks}
    out = []
    for raw in faker_names:
        name = _clean(raw)
        key = plain_upper(name)
        if key not in seen and _latin1(name):
            seen.add(key)
            out.append(name)
    return out


def _mix(head: list[tuple[str, float]], tail: list[str], tail_share: float) -> Weighted[str]:
    head_total = sum(w for _, w in head)
    each = head_total * tail_share / (1 - tail_share) / len(tail)
    return Weighted(head + [(n, each) for n in tail])


@dataclass
class GivenNames:
    table: Weighted[str]
    tail: list[str]

    def draw(self, rng: Random, first_of_compound: str) -> str:
        name = self.table.draw(rng)
        if " " not in name and rng.random() < RANDOM_COMPOUND_SHARE * GIVEN_TAIL_SHARE:
            second = self.tail[int(rng.random() * len(self.tail))]
            if " " not in second and second != name:
                first = first_of_compound if rng.random() < 0.6 else name
                name = f"{first} {second}" if first != second else name
        return name


@dataclass
class Pools:
    surnames: Weighted[str]
    female: GivenNames
    male: GivenNames
    streets: list[str]
    alcaldias: Weighted[Alcaldia]
    outside: tuple[Alcaldia, ...]
    states: Weighted[str]

    def street(self, rng: Random) -> str:
        return self.streets[int(rng.random() * len(self.streets))]


@lru_cache(maxsize=4)
def build_pools(seed: int) -> Pools:
    """Name and place pools for ``seed``: Faker (es_MX, seeded) builds the long tails once."""
    fake = Faker("es_MX")
    fake.seed_instance(seed)
    female_tail = _tail(PersonProvider.first_names_female, FEMALE_GIVEN)
    male_tail = _tail(PersonProvider.first_names_male, MALE_GIVEN)
    surname_tail = _tail(PersonProvider.last_names, COMMON_SURNAMES)
    streets = sorted({_clean(fake.street_name()) for _ in range(3000)})
    streets = [s for s in streets if _latin1(s)]
    Random(seed).shuffle(streets)
    return Pools(
        surnames=_mix(COMMON_SURNAMES, surname_tail, SURNAME_TAIL_SHARE),
        female=GivenNames(_mix(FEMALE_GIVEN, female_tail, GIVEN_TAIL_SHARE), female_tail),
        male=GivenNames(_mix(MALE_GIVEN, male_tail, GIVEN_TAIL_SHARE), male_tail),
        streets=streets,
        alcaldias=Weighted([(a, a.weight) for a in ALCALDIAS]),
        outside=OUTSIDE,
        states=Weighted(list(BIRTH_STATES)),
    )
